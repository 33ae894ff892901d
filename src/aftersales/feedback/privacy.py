"""A return visit's contact phone (R41): in full while the visit is still to make for the roles
that make it ("open case" in `accounts.privacy`), masked otherwise and revealable from the
visits the reader may see (R37)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.privacy import Seen, shows_in_full
from aftersales.core.phones import phone_display
from aftersales.core.privacy import PersonalValue, personal_phone, register_revealable

from .choices import ReturnVisitState
from .models import ReturnVisit
from .selectors import return_visit_get

RESOURCE = "return_visit"


def return_visit_in_full(user, visit: ReturnVisit) -> bool:
    return shows_in_full(user, Seen.OPEN_CASE if visit.state == ReturnVisitState.PENDING else Seen.RECORD)


def return_visit_phone(user, visit: ReturnVisit) -> PersonalValue:
    return personal_phone(
        visit.work_order.contact_phone,
        in_full=return_visit_in_full(user, visit),
        resource=RESOURCE,
        object_id=visit.pk,
        field="contact_phone",
    )


def _contact_phone(user, pk: int) -> str:
    return phone_display(return_visit_get(user, pk).work_order.contact_phone)


register_revealable(RESOURCE, "contact_phone", label=_("Contact phone"), read=_contact_phone)
