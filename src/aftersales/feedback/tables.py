"""How return-visit lists are laid out: the queue's columns and the Excel export rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.phones import phone_for
from aftersales.workorders.tables import Column

from .models import ReturnVisit

PAGE_SIZE = 25

LIST_COLUMNS = (
    Column(_("Visit number"), "number"),
    Column(_("State")),
    Column(_("Work order"), "work_order"),
    Column(_("Customer")),
    Column(_("Contact"), "", "d-none d-md-table-cell"),
    Column(_("Engineer"), "", "d-none d-lg-table-cell"),
    Column(_("Service point"), "", "d-none d-xl-table-cell"),
    Column(_("Next call"), "next_call_at", "d-none d-sm-table-cell"),
    Column(_("Due"), "due_at"),
    Column(_("Assigned to"), "", "d-none d-lg-table-cell"),
)

EXPORT_HEADERS = (
    _("Visit number"),
    _("Kind"),
    _("Round"),
    _("State"),
    _("Work order"),
    _("Customer"),
    _("Contact person"),
    _("Contact phone"),
    _("Engineer"),
    _("Service point"),
    _("Product line"),
    _("Work completed"),
    _("Due"),
    _("Calls made"),
    _("Assigned to"),
    _("Finished"),
    _("Timeliness"),
    _("Technical skill"),
    _("Service attitude"),
    _("Effectiveness"),
    _("Overall experience"),
    _("Satisfied"),
    _("Praise"),
    _("Complaint"),
    _("Other needs"),
    _("Comment"),
)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("Yes") if value else _("No"))


def export_rows(visits: Iterable[ReturnVisit], user) -> Iterator[list[Any]]:
    """One spreadsheet row per return visit, the phone masked as on the page (R41)."""
    for visit in visits:
        work_order = visit.work_order
        yield [
            visit.number,
            visit.get_kind_display(),
            visit.round,
            visit.get_state_display(),
            work_order.number,
            work_order.customer.name,
            work_order.contact_name,
            phone_for(user, work_order.contact_phone),
            visit.engineer.user.display_name if visit.engineer_id else "",
            visit.service_point.name if visit.service_point_id else "",
            visit.product_line.name if visit.product_line_id else "",
            visit.work_completed_at,
            visit.due_at,
            visit.attempts,
            visit.assignee.display_name if visit.assignee_id else "",
            visit.finished_at,
            visit.score_timeliness,
            visit.score_skill,
            visit.score_attitude,
            visit.score_effectiveness,
            visit.score_overall,
            _yes_no(visit.satisfied),
            visit.praise,
            visit.complaint_detail if visit.complaint else "",
            visit.other_needs,
            visit.comment,
        ]
