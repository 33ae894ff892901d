"""Columns of the supervision-card export (R19), shared by the page's Excel download."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import SupervisionCard

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
