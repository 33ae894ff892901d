"""Sign-in throttling (issue 13): failed sign-ins counted per username and IP address, a lock-out
at the limit, the admins' unlock, and the audit of every refused sign-in (R41).

The counters live in the database, not in a process's memory, so every web process sees the same
lock-out and an unlock from the command line or the admin takes effect at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import LoginFailure, LoginThrottle, User
from .selectors import login_key

logger = logging.getLogger("aftersales.accounts")

# Longer than any browser sends, and what LoginFailure keeps of it.
USER_AGENT_MAX = 255


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


@transaction.atomic
def login_failure_record(
    *, username: str, ip_address: str, user_agent: str, locked_out: bool = False
) -> datetime | None:
    """Keep a refused sign-in in the audit, and, unless it was refused for a lock-out already in
    force (which neither extends nor restarts it), count it: the LOGIN_FAILURE_LIMIT-th failure
    within LOGIN_FAILURE_WINDOW_MINUTES locks the pair out for LOGIN_LOCKOUT_MINUTES.

    Returns when the lock-out ends if the pair is locked out now. Whether an account has that name
    changes nothing here, so a lock-out never tells that it exists."""
    now = timezone.now()
    key = login_key(username)
    LoginFailure.objects.create(
        created_at=now,
        username=username[:150],
        user=User.objects.filter(username=username).first(),
        ip_address=ip_address or None,
        user_agent=user_agent[:USER_AGENT_MAX],
        locked_out=locked_out,
    )
    if locked_out:
        return None
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
        username=key, ip_address=ip_address, defaults={"window_started_at": now}
    )
    window_over = throttle.window_started_at <= now - _window()
    lockout_over = throttle.locked_until is not None and throttle.locked_until <= now
    if window_over or lockout_over:
        throttle.failures, throttle.window_started_at, throttle.locked_until = 0, now, None
    throttle.failures += 1
    if throttle.failures >= settings.LOGIN_FAILURE_LIMIT:
        throttle.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        logger.warning(
            "sign-in locked out after %s failures until %s", throttle.failures, throttle.locked_until
        )
    throttle.save()
    return throttle.locked_until


def login_success_record(*, username: str, ip_address: str) -> None:
    """A sign-in that succeeded starts the count of that name and address afresh."""
    LoginThrottle.objects.filter(username=login_key(username), ip_address=ip_address).delete()


@transaction.atomic
def login_unlock(*, throttles: QuerySet[LoginThrottle], actor: str) -> int:
    """Lift the given lock-outs (and forget their failures) at once; `actor` names who did it in
    the log. Returns how many name and address pairs were unlocked."""
    pairs = list(throttles.values_list("username", "ip_address"))
    throttles.delete()
    for username, ip_address in pairs:
        logger.info("sign-in of %s from %s unlocked by %s", username, ip_address or "-", actor)
    return len(pairs)


def login_throttles_purge() -> int:
    """Forget the counters whose window and lock-out are both over (they would count nothing):
    names tried once and never again would otherwise pile up. The audit stays."""
    now = timezone.now()
    over = LoginThrottle.objects.filter(window_started_at__lte=now - _window()).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    )
    return over.delete()[0]
