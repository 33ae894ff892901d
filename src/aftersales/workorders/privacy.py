"""A work order's personal data as its reader may see it (R41, the table in `accounts.privacy`):
the contact's and customer's phones and addresses in full on open work the reader works on,
masked elsewhere and revealable (`core.privacy`) from the work orders the reader may see (R37)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role
from aftersales.accounts.privacy import Seen, shows_in_full, work_seen
from aftersales.core.phones import phone_display, phone_mask
from aftersales.core.privacy import (
    STREET_MASK,
    PersonalValue,
    personal_address,
    personal_phone,
    region_text,
    register_revealable,
)

from .choices import State
from .models import WorkOrder
from .selectors import workorder_get

RESOURCE = "workorder"
# Work not yet closed: the engineer still goes back to a completed one for the sign-off.
FINISHED_STATES = frozenset({State.CLOSED, State.CANCELLED})


def workorder_is_own(user, work_order: WorkOrder) -> bool:
    """Assigned to the engineer, or at the dealer staff's service points."""
    if user.role == Role.ENGINEER:
        engineer = getattr(user, "engineer", None)
        return engineer is not None and work_order.engineer_id == engineer.pk
    if user.role == Role.DEALER_STAFF:
        return (
            bool(user.dealer_id)
            and work_order.service_point is not None
            and (work_order.service_point.dealer_id == user.dealer_id)
        )
    return False


def workorder_seen(user, work_order: WorkOrder) -> Seen:
    return work_seen(
        is_open=work_order.state not in FINISHED_STATES, is_own=workorder_is_own(user, work_order)
    )


def workorder_in_full(user, work_order: WorkOrder) -> bool:
    """Whether `user` reads this work order's phones and addresses in full (R41)."""
    return shows_in_full(user, workorder_seen(user, work_order))


def _customer_region(work_order: WorkOrder) -> str:
    customer = work_order.customer
    return region_text(customer.province, customer.city, customer.district)


def _service_region(work_order: WorkOrder) -> str:
    return region_text(work_order.service_province, work_order.service_city, work_order.service_district)


def workorder_personal(user, work_order: WorkOrder) -> dict[str, PersonalValue]:
    """The work order's personal values for its page: `contact_phone`, `customer_phone`,
    `customer_address`, `service_address`."""
    in_full = workorder_in_full(user, work_order)
    naming: dict[str, Any] = {"in_full": in_full, "resource": RESOURCE, "object_id": work_order.pk}
    return {
        "contact_phone": personal_phone(work_order.contact_phone, field="contact_phone", **naming),
        "customer_phone": personal_phone(work_order.customer.phone, field="customer_phone", **naming),
        "customer_address": personal_address(
            _customer_region(work_order), work_order.customer.address, field="customer_address", **naming
        ),
        "service_address": personal_address(
            _service_region(work_order), work_order.service_address, field="service_address", **naming
        ),
    }


# Personal values in the history stay masked for every reader (R41): the old and new numbers and
# streets are not what anyone works with.
MASKED_HISTORY = {"contact_phone": phone_mask, "service_address": lambda value: STREET_MASK}


def history_value(field: str, value: str) -> str:
    """A changed field's old or new value as the history shows it."""
    return MASKED_HISTORY[field](value) if value and field in MASKED_HISTORY else value


def _reader(value_of):
    def read(user, pk: int) -> str:
        return value_of(workorder_get(user, pk))

    return read


REVEALABLE_FIELDS = {
    "contact_phone": (_("Contact phone"), lambda wo: phone_display(wo.contact_phone)),
    "customer_phone": (_("Customer phone"), lambda wo: phone_display(wo.customer.phone)),
    "customer_address": (
        _("Customer address"),
        lambda wo: region_text(_customer_region(wo), wo.customer.address),
    ),
    "service_address": (
        _("Service address"),
        lambda wo: region_text(_service_region(wo), wo.service_address),
    ),
}
for _field, (_label, _value_of) in REVEALABLE_FIELDS.items():
    register_revealable(RESOURCE, _field, label=_label, read=_reader(_value_of))
