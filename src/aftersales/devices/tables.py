"""How the service-contract list is laid out (R35): columns, Excel rows, history entries.
Presentation only; the rows come from selectors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import render
from aftersales.core.lists import Column
from aftersales.core.money import yuan

from .choices import ContractState
from .models import ContractEvent, ServiceContract
from .transitions import CONTRACT

STATE_STYLE = {
    ContractState.DRAFT: "secondary",
    ContractState.ACTIVE: "success",
    ContractState.EXPIRED: "dark",
    ContractState.CANCELLED: "danger",
}

# The text of a history step by its action (transitions show their two states only).
HISTORY_TEXTS = {
    "create": _("%(kind)s from %(start)s to %(end)s on %(devices)s, price ¥%(price)s"),
    "plan_create": _(
        "Maintenance plan: every %(every)s months from %(first)s, work orders %(lead)s days ahead"
    ),
    "plan_pause": _("Maintenance plan every %(every)s months from %(first)s paused"),
    "plan_resume": _("Maintenance plan every %(every)s months from %(first)s resumed"),
    "maintenance_generated": _("Maintenance work order %(work_order)s for %(serial)s, due %(due)s"),
    "expiry_reminder": _("Customer and seller reminded that the contract ends on %(date)s"),
}
ACTION_LABELS = {
    "create": _("Sold (draft)"),
    "plan_create": _("Plan added"),
    "plan_pause": _("Plan paused"),
    "plan_resume": _("Plan resumed"),
    "maintenance_generated": _("Maintenance work order"),
    "expiry_reminder": _("Expiry reminder"),
}


def _number(contract: ServiceContract, user) -> str:
    url = reverse("devices:contract_detail", args=[contract.pk])
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="contract-link">{}</a>', url, contract.number
    )


def _state(contract: ServiceContract, user) -> str:
    return format_html(
        '<span class="badge text-bg-{}" data-state="{}">{}</span>',
        STATE_STYLE.get(contract.state, "secondary"),
        contract.state,
        contract.get_state_display(),
    )


def _serials(contract: ServiceContract, user=None) -> str:
    return ", ".join(device.serial_number for device in contract.devices.all())


CONTRACT_COLUMNS = (
    Column(
        "number", _("Contract number"), value=lambda c, u: c.number, html=_number, sort="number", fixed=True
    ),
    Column(
        "state", _("State"), value=lambda c, u: c.get_state_display(), html=_state, sort="state", fixed=True
    ),
    Column("kind", _("Kind"), value=lambda c, u: c.get_kind_display()),
    Column("customer", _("Customer"), value=lambda c, u: c.customer.name, sort="customer"),
    Column("devices", _("Devices"), value=_serials, css="d-none d-md-table-cell"),
    Column(
        "starts_on",
        _("Starts on"),
        value=lambda c, u: c.starts_on,
        sort="starts_on",
        css="d-none d-md-table-cell",
    ),
    Column("ends_on", _("Ends on"), value=lambda c, u: c.ends_on, sort="ends_on"),
    Column("price", _("Price"), value=lambda c, u: yuan(c.price), css="text-end d-none d-md-table-cell"),
    Column("visits", _("Visits included"), value=lambda c, u: c.visits_included, default=False),
    Column("sold_by", _("Sold by"), value=lambda c, u: c.sold_by.display_name, default=False),
)


def history_label(step: ContractEvent) -> Any:
    if step.action in ACTION_LABELS:
        return ACTION_LABELS[step.action]
    transition = CONTRACT.transitions.get(step.action)
    return transition.label if transition is not None else step.action


def history_text(step: ContractEvent) -> str:
    template = HISTORY_TEXTS.get(step.action)
    return render(template, step.params) if template is not None else ""


def history_rows(steps: Iterable[ContractEvent]) -> list[tuple[ContractEvent, Any, str]]:
    """(step, label, text) for the history card (complaints/_history.html's shape)."""
    return [(step, history_label(step), history_text(step)) for step in steps]
