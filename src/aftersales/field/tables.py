"""How the supervision-card list is laid out (R19): its columns and its Excel export rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import Column

from .models import SupervisionCard

SUPERVISION_COLUMNS = (
    Column(
        "visit",
        _("Visit"),
        value=lambda card, user: card.visit.number,
        template="field/cells/_card_visit.html",
        sort="visit",
        fixed=True,
    ),
    Column(
        "work_order",
        _("Work order"),
        value=lambda card, user: card.visit.work_order.number,
        template="field/cells/_card_work_order.html",
    ),
    Column("customer", _("Customer"), value=lambda card, user: card.visit.work_order.customer.name),
    Column("engineer", _("Engineer"), value=lambda card, user: str(card.visit.engineer)),
    Column(
        "service_point",
        _("Service point"),
        value=lambda card, user: card.visit.engineer.service_point.name,
        default=False,
    ),
    Column("visit_date", _("Visit date"), value=lambda card, user: card.visit.day, css="text-nowrap"),
    Column("due", _("Due"), value=lambda card, user: card.due_at, sort="due", css="small text-nowrap"),
    Column(
        "submitted",
        _("Submitted"),
        value=lambda card, user: card.submitted_at,
        template="field/cells/_card_submitted.html",
        sort="submitted",
        css="small text-nowrap",
    ),
    Column(
        "state",
        _("State"),
        value=lambda card, user: card.get_state_display(),
        template="field/cells/_card_state.html",
        sort="state",
        fixed=True,
    ),
    Column("summary", _("Engineer's feedback"), value=lambda card, user: card.summary, default=False),
    # The service centre's steps of the card (verify, send back), set on the rows by the view.
    Column("actions", "", template="field/cells/_card_actions.html", css="d-print-none", fixed=True),
)

SUPERVISION_EXPORT_HEADERS = [
    _("Visit"),
    _("Work order"),
    _("Customer"),
    _("Engineer"),
    _("Service point"),
    _("Visit date"),
    _("Checked in"),
    _("Checked out"),
    _("Due"),
    _("Submitted"),
    _("Late"),
    _("State"),
    _("Verified"),
    _("Verified by"),
    _("Engineer's feedback"),
    _("Service centre's note"),
]


def supervision_export_rows(cards: Iterable[SupervisionCard]) -> Iterator[list[Any]]:
    """One row per card of `selectors.supervision_list` (which annotates `late`)."""
    for card in cards:
        visit = card.visit
        yield [
            visit.number,
            visit.work_order.number,
            visit.work_order.customer.name,
            str(visit.engineer),
            visit.engineer.service_point.name,
            visit.day,
            visit.arrived_at,
            visit.left_at,
            card.due_at,
            card.submitted_at,
            _("Yes") if card.late else _("No"),
            card.get_state_display(),
            card.verified_at,
            card.verified_by.display_name if card.verified_by else "",
            card.summary,
            card.verification_note,
        ]
