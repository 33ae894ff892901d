"""Personal data shown on purpose only (R41, PIPL): the masked forms, the values a user may reveal
one at a time with a reason, and the reveal itself, logged and rate-limited.

Which role sees which value in full where is decided by `accounts.privacy` (the roles live there);
this module is the mechanism every app uses: an app registers the personal fields of its records
(`register_revealable`) with a function reading one value from the records the user may see (R37).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .client import client_ip
from .errors import DomainError, register_error_codes
from .models import AccessLog
from .phones import phone_display, phone_mask
from .services import access_log

# What a masked street part reads as.
STREET_MASK = "****"


def address_mask(region: str, street: str) -> str:
    """The province, city and district only; the street part masked."""
    return " ".join(part for part in (region, STREET_MASK if street else "") if part)


def region_text(*parts: str) -> str:
    """Province, city and district as one line (the empty ones left out)."""
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class PersonalValue:
    """One personal value as a page shows it: in full, or masked with what a reveal names (the
    record and field). Renders as its text, so a template may print it like a string."""

    text: str
    masked: bool = False
    resource: str = ""
    object_id: str = ""
    field: str = ""

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def revealable(self) -> bool:
        return self.masked and (self.resource, self.field) in REVEALABLE


def personal_phone(
    e164: str, *, in_full: bool, resource: str = "", object_id: Any = "", field: str = ""
) -> PersonalValue:
    """A stored E.164 number as 13812341234 (in full) or 138****1234 (masked)."""
    if not e164:
        return PersonalValue("")
    if in_full:
        return PersonalValue(phone_display(e164))
    return PersonalValue(phone_mask(e164), True, resource, str(object_id), field)


def personal_address(
    region: str, street: str, *, in_full: bool, resource: str = "", object_id: Any = "", field: str = ""
) -> PersonalValue:
    """An address as "广东省 深圳市 南山区 科技园路1号" (in full) or "广东省 深圳市 南山区 ****"."""
    if in_full or not street:
        return PersonalValue(region_text(region, street))
    return PersonalValue(address_mask(region, street), True, resource, str(object_id), field)


# --- reveal ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revealable:
    """A personal field of one kind of record: `read(user, pk)` returns its full value from the
    records `user` may see (Http404 for any other: R37)."""

    resource: str
    field: str
    label: Any
    read: Callable[[Any, int], str]


REVEALABLE: dict[tuple[str, str], Revealable] = {}


def register_revealable(resource: str, field: str, *, label: Any, read: Callable[[Any, int], str]) -> None:
    """Offer the reveal of one personal field (the apps register theirs when they load)."""
    REVEALABLE[(resource, field)] = Revealable(resource, field, label, read)


class RevealLimitReached(DomainError):
    """The user revealed as many values as the hour allows (PRIVACY_REVEALS_PER_HOUR)."""

    status = 429
    default_code = "reveal_limit"


register_error_codes(
    {
        "reveal_limit": "You revealed as many personal values as an hour allows; try again later (429).",
        "not_revealable": "This record has no such personal field to reveal.",
    }
)

REVEAL_WINDOW = timedelta(hours=1)


def reveals_left(user) -> int:
    """How many more values `user` may reveal in the current hour."""
    since = timezone.now() - REVEAL_WINDOW
    used = AccessLog.objects.filter(actor=user, action=AccessLog.Action.REVEAL, created_at__gt=since).count()
    return max(settings.PRIVACY_REVEALS_PER_HOUR - used, 0)


@transaction.atomic
def personal_data_reveal(
    *,
    actor,
    resource: str,
    object_id: str,
    field: str,
    reason: str,
    reason_text: str = "",
    ip_address: str | None = None,
) -> str:
    """The full value of one personal field of one record the actor may see, revealed for a
    reason: logged (who, which record and field, when, why, from where) and limited to
    PRIVACY_REVEALS_PER_HOUR per user in any hour (R41)."""
    revealable = REVEALABLE.get((resource, field))
    if revealable is None:
        raise DomainError(
            _("There is no such personal field to reveal."), code="not_revealable", field="field"
        )
    if reason not in AccessLog.Reason.values:
        raise DomainError(_("Choose why you need the value."), code="required", field="reason")
    reason_text = (reason_text or "").strip()
    if reason == AccessLog.Reason.OTHER and not reason_text:
        raise DomainError(_("Say why you need the value."), code="required", field="reason_text")
    # One reveal at a time per user, so that the limit holds under concurrent requests.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    if reveals_left(actor) <= 0:
        limit = settings.PRIVACY_REVEALS_PER_HOUR
        raise RevealLimitReached(
            ngettext(
                "You may reveal %(limit)d value an hour and have reached it; try again later.",
                "You may reveal %(limit)d values an hour and have reached them; try again later.",
                limit,
            )
            % {"limit": limit}
        )
    if not str(object_id).isdigit():
        raise Http404  # no record has such a key
    value = revealable.read(actor, int(object_id))
    access_log(
        actor=actor,
        action=AccessLog.Action.REVEAL,
        resource=resource,
        object_id=str(object_id),
        field=field,
        reason=reason,
        reason_text=reason_text,
        ip_address=ip_address,
    )
    return value


def personal_data_viewed(request, *, resource: str, object_id: Any, detail: str = "") -> None:
    """Log that the request's user was shown a record's personal data in full (R41)."""
    access_log(
        actor=request.user,
        action=AccessLog.Action.VIEW,
        resource=resource,
        object_id=str(object_id),
        ip_address=client_ip(request),
        detail=detail,
    )
