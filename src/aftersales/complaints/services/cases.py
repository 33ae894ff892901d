"""Difficult cases (R27): a work order meeting the criteria (or with a reason) is confirmed as a
case with a responsible handler at level 1; the handler works it, escalating level by level beyond
their authority, until it is resolved and closed. The steps are the `CASE` machine's
(transitions.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.core.services import number_next, settings_save
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.notifications.services import notify
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.transitions import WORKORDER

from ..choices import CaseReason, CaseState
from ..events import HANDLER_TITLE
from ..models import CaseCriteria, DifficultCase
from ..selectors import case_reasons
from ..transitions import (
    CASE,
    case_step_record,
    handler_check,
    may_configure_criteria,
    may_open_case,
)
from .complaints import company_language


@transaction.atomic
def case_criteria_update(*, actor, **fields: Any) -> CaseCriteria:
    """R27: change the difficult-case criteria (supervisors and HQ admins); what is left out stays,
    the first save starts from the defaults; every change is in the history (R41)."""
    if not may_configure_criteria(actor):
        raise NotPermitted(_("Your role may not change the difficult-case criteria."))
    editable = [
        f.name for f in CaseCriteria._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
    ]
    return settings_save(model=CaseCriteria, fields=fields, editable=editable, actor=actor)


def _handler_notify(case: DifficultCase, *, key: str) -> None:
    """The case under its handler's bell, in their language."""
    notify(
        recipients=[case.handler],
        title=HANDLER_TITLE,
        url=reverse("complaints:case_detail", args=[case.pk]),
        key=key,
        params={"number": case.number, "work_order": case.work_order.number, "level": case.level},
    )


@transaction.atomic
def case_open(*, work_order: WorkOrder, handler: User | None, actor, note: str = "") -> DifficultCase:
    """R27: confirm a proposed work order as a difficult case: its tracking file opens at level 1
    with a responsible handler and the criteria it meets now. A work order meeting no criterion
    can still be opened with a reason. One case at a time per work order."""
    if not may_open_case(actor):
        raise NotPermitted(_("Your role may not open difficult cases."))
    WORKORDER.lock(work_order.pk)  # one case at a time: concurrent openings wait here
    if DifficultCase.objects.filter(work_order=work_order).exclude(state=CaseState.CLOSED).exists():
        raise DomainError(
            _("Work order %(number)s already has an open difficult case.") % {"number": work_order.number},
            code="case_exists",
        )
    reasons = case_reasons(work_order)
    note = (note or "").strip()
    if not reasons and not note:
        raise DomainError(
            _("This work order meets no difficult-case criterion: give a reason to open a case."),
            code="required",
            field="note",
        )
    handler_check(handler, 1)
    labels = [CaseReason(reason).label for reason in reasons]
    with company_language():  # the case's own summary, as it always was
        summary = " · ".join(str(label) for label in labels)
    case = DifficultCase(
        number=number_next(prefix="DC"),
        work_order=work_order,
        handler=handler,
        level=1,
        reasons=[str(reason) for reason in reasons],
        summary="\n".join(part for part in (summary, note) if part),
        opened_by=actor,
    )
    case.full_clean()
    case.save()
    case_step_record(
        case,
        actor=actor,
        action="open",
        from_state="",
        note=note,
        params={"reasons": labels or "—"},
    )
    _handler_notify(case, key=f"case:{case.pk}:handler:1")
    return case


def case_transition(*, case_id: int, action: str, actor, **inputs) -> DifficultCase:
    """R27: one step of a difficult case: start, record a handling step (`note`), escalate to the
    next level with a `handler` of that level (beyond the handler's authority, with the `note`
    saying why), resolve with a `result`, reopen (`note`), close. Every step is in the tracking
    file and on the work order's timeline."""
    return transition_run(CASE, pk=case_id, action=action, actor=actor, inputs=inputs)


@CASE.register_hook
def _new_handler_told(run: TransitionRun) -> None:
    """R27: an escalated case is the new handler's: a notice under their bell, once per level."""
    if run.transition.name == "escalate":
        case = run.obj
        _handler_notify(case, key=f"case:{case.pk}:handler:{case.level}")
