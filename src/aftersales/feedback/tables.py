"""How return-visit lists are laid out: the queue's columns and the Excel export rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import Column
from aftersales.core.phones import phone_mask

from .models import ReturnVisit


def _name(user) -> str:
    return user.display_name if user is not None else ""


LIST_COLUMNS = (
    Column(
        "number",
        _("Visit number"),
        value=lambda v, user: v.number,
        template="feedback/cells/_number.html",
        sort="number",
        fixed=True,
    ),
    Column(
        "state",
        _("State"),
        value=lambda v, user: v.get_state_display(),
        template="feedback/cells/_state.html",
        fixed=True,
    ),
    Column(
        "work_order",
        _("Work order"),
        value=lambda v, user: v.work_order.number,
        template="feedback/cells/_work_order.html",
        sort="work_order",
    ),
    Column("customer", _("Customer"), value=lambda v, user: v.work_order.customer.name),
    Column(
        "contact",
        _("Contact"),
        value=lambda v, user: v.work_order.contact_name,
        template="feedback/cells/_contact.html",
        css="d-none d-md-table-cell text-nowrap",
    ),
    Column(
        "engineer",
        _("Engineer"),
        value=lambda v, user: _name(v.engineer.user) if v.engineer_id else "",
        css="d-none d-lg-table-cell small",
    ),
    Column(
        "service_point",
        _("Service point"),
        value=lambda v, user: v.service_point.name if v.service_point_id else "",
        css="d-none d-xl-table-cell small",
    ),
    Column(
        "next_call",
        _("Next call"),
        value=lambda v, user: v.next_call_at if v.is_pending else None,
        sort="next_call_at",
        css="d-none d-sm-table-cell small text-nowrap",
    ),
    Column(
        "due",
        _("Due"),
        value=lambda v, user: v.due_at,
        template="feedback/cells/_due.html",
        sort="due_at",
        css="small text-nowrap",
    ),
    Column(
        "assignee",
        _("Assigned to"),
        value=lambda v, user: _name(v.assignee),
        css="d-none d-lg-table-cell small",
    ),
    Column(
        "finished",
        _("Finished"),
        value=lambda v, user: v.finished_at,
        sort="finished_at",
        css="d-none d-lg-table-cell small text-nowrap",
        default=False,
    ),
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
    """One spreadsheet row per return visit, the phone masked as in every list (R41)."""
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
            phone_mask(work_order.contact_phone),
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
