"""The sign-in backend: Django's username and password check, throttled per username and IP
address (accounts.services_login) wherever `authenticate(request=..., username=..., password=...)`
is called: the sign-in page, the admin's sign-in, the API token endpoint.

A pair that is locked out is refused before its password is checked; the request is marked with
the end of the lock-out (`lockout_of`), so that the form says so and the API answers 429
(accounts.middleware.LoginLockoutMiddleware). `authenticate` without a request (the test client's
`login`, `createsuperuser`) is not throttled: nothing outside the process can call it so.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from aftersales.core.client import client_ip

from .selectors import login_locked_until
from .services_login import login_failure_record, login_success_record

_LOCKED_UNTIL = "login_locked_until"


def _http_request(request: Any) -> HttpRequest:
    """The Django request under DRF's wrapper: the one the middleware sees."""
    return getattr(request, "_request", request)


def lockout_of(request: Any) -> datetime | None:
    """When the lock-out that refused this request's sign-in ends (None: not refused for one)."""
    return getattr(_http_request(request), _LOCKED_UNTIL, None)


def lockout_seconds(until: datetime) -> int:
    """Whole seconds until the lock-out ends (the API's Retry-After)."""
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockout_message(until: datetime) -> str:
    """The same words whether an account has the name or not."""
    minutes = math.ceil(lockout_seconds(until) / 60)
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute, or ask an administrator to unlock "
        "your account.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes, or ask an administrator to unlock "
        "your account.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that counts failures, refuses locked-out pairs and resets on success."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None or password is None:
            return super().authenticate(request, username, password, **kwargs)
        http_request = _http_request(request)
        ip_address = client_ip(request)
        attempt = {
            "username": username,
            "ip_address": ip_address,
            "user_agent": http_request.META.get("HTTP_USER_AGENT", ""),
        }
        locked_until = login_locked_until(username=username, ip_address=ip_address)
        if locked_until is not None:
            login_failure_record(**attempt, locked_out=True)
            setattr(http_request, _LOCKED_UNTIL, locked_until)
            raise PermissionDenied  # Django's authenticate then tries no other backend
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            locked_until = login_failure_record(**attempt)
            if locked_until is not None:
                setattr(http_request, _LOCKED_UNTIL, locked_until)
            return None
        login_success_record(username=username, ip_address=ip_address)
        return user
