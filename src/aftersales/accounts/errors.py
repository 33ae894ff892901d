"""The error codes of signing in (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "login_locked": (
            "Too many failed sign-ins of this username from this address: refused until the "
            "lock-out ends (429, Retry-After in seconds) or an administrator unlocks it."
        ),
        "session_expired": (
            "The browser session was idle too long or began too long ago; sign in again (401)."
        ),
    }
)
