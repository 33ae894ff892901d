"""The error codes of the accounts context (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
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
    }
)
