"""The error codes of the accounts context (see core.errors.ERROR_CODES), and its refusals."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "language_unknown": "The language is not one of the interface's (settings.LANGUAGES).",
        "invalid_credentials": "The user name and password do not sign anybody in (or the user is inactive).",
        "token_invalid": "The API token is unknown, malformed or revoked: obtain a new one (401).",
        "token_expired": "The API token has expired: obtain a new one with POST /api/auth/token/ (401).",
        "token_required": "Only a request signed in with an API token can log that token out.",
        "login_locked": (
            "Too many failed sign-ins of this username from this address: refused until the "
            "lock-out ends (429, Retry-After in seconds) or an administrator unlocks it."
        ),
        "session_expired": (
            "The browser session was idle too long or began too long ago; sign in again (401)."
        ),
        "dealer_required": "Dealer staff belong to a dealer: `dealer` is required for this role.",
        "dealer_not_allowed": "The company-wide roles (HQ) belong to no dealer: leave `dealer` empty.",
        "service_point_other_dealer": "The service point chosen is not one of the user's dealer.",
        "own_account": (
            "Nobody changes their own role, deactivates themselves or sets their own password "
            "through user management (403); the password page asks for the current one."
        ),
        "admin_account": (
            "An account that may use the administration site (staff or superuser) is changed only "
            "by a superuser (403)."
        ),
        # the organisation (dealers, service points, engineers, qualifications)
        "coordinates": (
            "A latitude is from -90 to 90 and a longitude from -180 to 180 degrees; they are given "
            "together or not at all."
        ),
        "not_engineer_role": "Only a user with the engineer role can be an engineer.",
        "already_engineer": "The user already is an engineer (one engineer record per user).",
        "deactivated": (
            "The dealer or service point chosen is deactivated: reactivate it first or choose another."
        ),
        "date_order": "The last day of a period is before its first day.",
        "open_work": (
            "The engineer still holds open work orders: reassign them before deactivating the engineer (409)."
        ),
    }
)
