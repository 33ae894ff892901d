"""A complainant's phone (R41): in full while the complaint is being handled for the roles that
call complainants back ("open case" in `accounts.privacy`), masked otherwise and revealable from
the complaints the reader may see (R37)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.privacy import Seen, shows_in_full
from aftersales.core.phones import phone_display
from aftersales.core.privacy import PersonalValue, personal_phone, register_revealable

from .choices import OPEN_COMPLAINT_STATES
from .models import Complaint
from .selectors import complaint_get

RESOURCE = "complaint"


def complaint_in_full(user, complaint: Complaint) -> bool:
    return shows_in_full(user, Seen.OPEN_CASE if complaint.state in OPEN_COMPLAINT_STATES else Seen.RECORD)


def complaint_phone(user, complaint: Complaint) -> PersonalValue:
    return personal_phone(
        complaint.contact_phone,
        in_full=complaint_in_full(user, complaint),
        resource=RESOURCE,
        object_id=complaint.pk,
        field="contact_phone",
    )


def _contact_phone(user, pk: int) -> str:
    return phone_display(complaint_get(user, pk).contact_phone)


register_revealable(RESOURCE, "contact_phone", label=_("Complainant's phone"), read=_contact_phone)
