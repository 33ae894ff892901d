"""How complaint and difficult-case lists are laid out: columns, Excel rows, history entries.
Presentation only; the rows come from selectors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import render
from aftersales.core.lists import Column
from aftersales.core.phones import phone_mask
from aftersales.core.transitions import Machine

from .choices import CaseReason, ResponseRisk
from .events import CASE_HISTORY_TEXTS, COMPLAINT_HISTORY_TEXTS
from .models import CaseStep, Complaint, ComplaintEvent, DifficultCase
from .transitions import CASE, COMPLAINT

PAGE_SIZE = 25

# Bootstrap colours of a response risk (R26) and of the lifecycle states.
RISK_STYLE = {
    ResponseRisk.OK: "success",
    ResponseRisk.WARNING: "warning",
    ResponseRisk.OVERDUE: "danger",
    ResponseRisk.MET: "success",
    ResponseRisk.LATE: "danger",
}
STATE_STYLE = {
    "registered": "info",
    "open": "info",
    "accepted": "primary",
    "analysed": "primary",
    "in_progress": "primary",
    "handled": "warning",
    "escalated": "warning",
    "fed_back": "success",
    "resolved": "success",
    "closed": "dark",
}

COMPLAINT_COLUMNS = (
    Column(
        "number",
        _("Complaint number"),
        value=lambda c, user: c.number,
        template="complaints/cells/_complaint_number.html",
        sort="number",
        fixed=True,
    ),
    Column(
        "state",
        _("State"),
        value=lambda c, user: c.get_state_display(),
        template="complaints/cells/_complaint_state.html",
        sort="state",
        fixed=True,
    ),
    Column(
        "severity",
        _("Severity"),
        value=lambda c, user: c.get_severity_display(),
        template="complaints/cells/_severity.html",
        css="d-none d-md-table-cell",
    ),
    Column(
        "category",
        _("Category"),
        value=lambda c, user: c.get_category_display(),
        css="d-none d-lg-table-cell small",
    ),
    Column("source", _("Source"), value=lambda c, user: c.get_source_display(), default=False),
    Column("customer", _("Customer"), value=lambda c, user: c.customer.name, sort="customer"),
    Column(
        "work_order",
        _("Work order"),
        value=lambda c, user: c.work_order.number if c.work_order_id else "",
        css="d-none d-md-table-cell small",
    ),
    Column(
        "response_due",
        _("Response due"),
        value=lambda c, user: c.response_due_at,
        template="complaints/cells/_risk.html",
        sort="response_due_at",
        css="text-nowrap small",
    ),
    Column(
        "registered",
        _("Registered"),
        value=lambda c, user: c.created_at,
        sort="created_at",
        css="d-none d-sm-table-cell small text-nowrap",
    ),
)

CASE_COLUMNS = (
    Column(
        "number",
        _("Case number"),
        value=lambda case, user: case.number,
        template="complaints/cells/_case_number.html",
        sort="number",
        fixed=True,
    ),
    Column(
        "state",
        _("State"),
        value=lambda case, user: case.get_state_display(),
        template="complaints/cells/_case_state.html",
        sort="state",
        fixed=True,
    ),
    Column(
        "level",
        _("Level"),
        value=lambda case, user: case.level,
        template="complaints/cells/_case_level.html",
        sort="level",
    ),
    Column(
        "work_order",
        _("Work order"),
        value=lambda case, user: case.work_order.number,
        template="complaints/cells/_case_work_order.html",
    ),
    Column(
        "customer",
        _("Customer"),
        value=lambda case, user: case.work_order.customer.name,
        css="d-none d-md-table-cell",
    ),
    Column(
        "handler",
        _("Handler"),
        value=lambda case, user: case.handler.display_name,
        css="d-none d-md-table-cell small",
    ),
    Column(
        "criteria",
        _("Criteria met"),
        value=lambda case, user: ", ".join(reason_labels(case.reasons)),
        template="complaints/cells/_case_criteria.html",
        css="d-none d-lg-table-cell small",
    ),
    Column(
        "opened",
        _("Opened"),
        value=lambda case, user: case.created_at,
        sort="created_at",
        css="d-none d-sm-table-cell small text-nowrap",
    ),
)

COMPLAINT_EXPORT_HEADERS = (
    _("Complaint number"),
    _("State"),
    _("Assessment"),
    _("Source"),
    _("Category"),
    _("Severity"),
    _("Customer"),
    _("Complainant"),
    _("Complainant phone"),
    _("Work order"),
    _("Description"),
    _("Cause"),
    _("Measures taken"),
    _("Response due"),
    _("Responded at"),
    _("Response"),
    _("Registered"),
    _("Closed at"),
)

CASE_EXPORT_HEADERS = (
    _("Case number"),
    _("State"),
    _("Level"),
    _("Work order"),
    _("Customer"),
    _("Handler"),
    _("Criteria met"),
    _("Result"),
    _("Opened"),
    _("Resolved at"),
    _("Closed at"),
)

RISK_LABELS = dict(ResponseRisk.choices)
REASON_LABELS = dict(CaseReason.choices)


def reason_labels(reasons: Iterable[str]) -> list[str]:
    return [str(REASON_LABELS.get(reason, reason)) for reason in reasons]


def complaint_export_rows(complaints: Iterable[Complaint], user) -> Iterator[list[Any]]:
    """One spreadsheet row per complaint, the complainant's phone masked as in every list (R41)."""
    for c in complaints:
        yield [
            c.number,
            c.get_state_display(),
            c.get_outcome_display() if c.outcome else "",
            c.get_source_display(),
            c.get_category_display(),
            c.get_severity_display(),
            c.customer.name,
            c.contact_name,
            phone_mask(c.contact_phone) if c.contact_phone else "",
            c.work_order.number if c.work_order_id else "",
            c.description,
            c.cause,
            c.measures,
            c.response_due_at,
            c.responded_at,
            str(RISK_LABELS[c.risk]),
            c.created_at,
            c.closed_at,
        ]


def case_export_rows(cases: Iterable[DifficultCase], user) -> Iterator[list[Any]]:
    for case in cases:
        yield [
            case.number,
            case.get_state_display(),
            case.level,
            case.work_order.number,
            case.work_order.customer.name,
            case.handler.display_name,
            ", ".join(reason_labels(case.reasons)),
            case.result,
            case.created_at,
            case.resolved_at,
            case.closed_at,
        ]


def history_title(action: str, machine: Machine) -> str:
    """The label of a recorded step: the transition's, or that of registration/opening/alerts."""
    if action in machine.transitions:
        return str(machine[action].label)
    return str(
        {
            "register": _("Registered"),
            "open": _("Case opened"),
            "warn": _("Response at risk: assessors warned"),
            "escalate": _("Response overdue: escalated to supervisors"),
        }.get(action, action)
    )


def complaint_history_title(action: str) -> str:
    """A complaint's "escalate" step is the overdue alert of the periodic job."""
    return history_title(action, COMPLAINT)


def case_history_title(action: str) -> str:
    return history_title(action, CASE)


def history_text(step: ComplaintEvent | CaseStep) -> str:
    """What a step of the record's own history says beyond its title and states (registration,
    the response alerts, the criteria a case was opened for), rendered from its parameters in the
    active language; "" for other steps, and for rows written before steps had parameters (their
    note holds the text, shown as written)."""
    texts = COMPLAINT_HISTORY_TEXTS if isinstance(step, ComplaintEvent) else CASE_HISTORY_TEXTS
    template = texts.get(step.action)
    return render(template, step.params) if template and step.params else ""


def complaint_history_rows(events: Iterable[ComplaintEvent]) -> list[tuple[ComplaintEvent, str, str]]:
    """(event, title, text) of each step of a complaint's history (R26, R41)."""
    return [(event, complaint_history_title(event.action), history_text(event)) for event in events]


def case_history_rows(steps: Iterable[CaseStep]) -> list[tuple[CaseStep, str, str]]:
    """(step, title, text) of each step of a case's tracking file (R27)."""
    return [(step, case_history_title(step.action), history_text(step)) for step in steps]
