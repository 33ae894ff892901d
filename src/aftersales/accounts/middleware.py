"""Sign-in and session limits at the request boundary: the API's answer to a locked-out sign-in,
and the end of browser sessions that were idle too long or began too long ago."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from aftersales.core.api import problem_json
from aftersales.core.middleware import is_api

from .backends import lockout_message, lockout_of, lockout_seconds

Handler = Callable[[HttpRequest], HttpResponse]


class LoginLockoutMiddleware:
    """An API sign-in refused for a lock-out (whatever view called `authenticate`) is answered
    429 `login_locked` with Retry-After; the sign-in page says it in its form instead."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        until = lockout_of(request)
        if until is None or not is_api(request):
            return response
        locked = problem_json(
            429,
            _("Sign-in locked"),
            [{"field": None, "code": "login_locked", "message": lockout_message(until)}],
        )
        locked["Retry-After"] = str(lockout_seconds(until))
        return locked


# Session keys: when the user signed in, and when the session was last used (POSIX seconds).
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# The last use is saved when it is at least this old, not on every request (a write each).
SEEN_PRECISION_SECONDS = 60


def session_timeouts_start(request: HttpRequest, **_signal: object) -> None:
    """Both limits count from now: connected to Django's `user_logged_in` (accounts.apps), the one
    place every way of signing in passes (the sign-in page, the admin's, the test client's)."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def _session_expired(request: HttpRequest, now: float) -> bool:
    idle = now - request.session[SEEN_AT]
    age = now - request.session[SIGNED_IN_AT]
    too_idle = idle > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
    return too_idle or age > settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600


class SessionTimeoutMiddleware:
    """A signed-in browser session ends SESSION_IDLE_TIMEOUT_MINUTES after its last request and
    SESSION_ABSOLUTE_TIMEOUT_HOURS after signing in, however active: the next page goes to the
    sign-in page (and back after it), an htmx request sends the browser there, an API request
    with the session gets 401 `session_expired`. Requests with an API token are not affected."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY not in session:
            return self.get_response(request)
        if SIGNED_IN_AT not in session or SEEN_AT not in session:
            session_timeouts_start(request)  # a session from before these limits
            return self.get_response(request)
        now = timezone.now().timestamp()
        if _session_expired(request, now):
            logout(request)
            if not (is_api(request) and "Authorization" in request.headers):
                return self._expired(request)
        elif now - session[SEEN_AT] >= SEEN_PRECISION_SECONDS:
            session[SEEN_AT] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        message = _("Your session has expired. Please sign in again.")
        if is_api(request):
            error = {"field": None, "code": "session_expired", "message": message}
            expired = problem_json(401, message, [error])
            expired["WWW-Authenticate"] = "Token"
            return expired
        messages.info(request, message)
        if request.headers.get("HX-Request"):
            current = urlsplit(request.headers.get("HX-Current-URL", "/"))
            back = current.path + (f"?{current.query}" if current.query else "")
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return redirect_to_login(request.get_full_path())
