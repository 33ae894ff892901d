"""The two lifecycles of this app, one `core.transitions.Machine` each (ARCHITECTURE.md §4):

complaint (R26)::

    registered ──accept──▶ accepted ──analyse──▶ analysed ──handle──▶ handled ──feed_back──▶ fed_back
        │                                                                                     │
        └──reject (reason)──▶ closed ◀──────────────────────close (archive)────────────────────┘

difficult case (R27)::

    (proposed) ──open──▶ open ──start──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
                           │                 │  ▲ record                 │
                           └───escalate──────┴─▶ escalated (level n+1) ──┘ resolve; reopen ◀─┘

Each transition declares its sources, target ("" keeps the state: a step recorded on the way),
roles, inputs and what it changes on the record (its effects: the inputs it needs, each with its
own message, and what it keeps). Every step is written to the record's own history
(`ComplaintEvent`, `CaseStep`) and to the work order's timeline by the machine's `record`; the
feedback to the customer and the new handler's notice are hooks registered by `services/`.

The handler of a difficult case works it whatever their role: the case transitions name every
role, and the roles outside the case team (`CASE_ROLES`) act only on the cases they handle (the
machine's owner is the handler); reopening and closing stay with the case team. What is not a
transition has a named permission: registering complaints, opening cases, setting the criteria.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.i18n import stored_params
from aftersales.core.transitions import (
    Machine,
    Permission,
    Transition,
    TransitionRun,
    clear,
    keep_input,
    stamp,
)
from aftersales.workorders.events import event_record

from .choices import CaseState, ComplaintOutcome, ComplaintState
from .events import CASE as CASE_EVENT
from .events import COMPLAINT as COMPLAINT_EVENT
from .models import CaseLevel, CaseStep, Complaint, ComplaintEvent, DifficultCase
from .selectors import case_next_level

# Who does what on a complaint (R26, R37): agents register and call back, quality and
# supervisors assess, analyse and decide the measures, clerks archive.
REGISTER_ROLES = frozenset({Role.AGENT, Role.CLERK, Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN})
ASSESS_ROLES = frozenset({Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN})
HANDLE_ROLES = ASSESS_ROLES | {Role.CLERK}
FEEDBACK_ROLES = ASSESS_ROLES | {Role.AGENT}
ARCHIVE_ROLES = ASSESS_ROLES | {Role.CLERK}
# Who confirms, follows and closes difficult cases (R27), who sets the criteria; every role may
# work a case it handles.
CASE_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.QUALITY, Role.HQ_ADMIN})
CRITERIA_ROLES = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})
HANDLER = frozenset(Role.values)

# Named permissions of what is not a transition.
REGISTER = Permission(REGISTER_ROLES, own_work_only=False)  # register a complaint (R26)
OPEN_CASE = Permission(CASE_ROLES, own_work_only=False)  # propose and open difficult cases (R27)
CONFIGURE_CRITERIA = Permission(CRITERIA_ROLES, own_work_only=False)  # the case criteria (R27)


def may_register(user) -> bool:
    """R26: registers complaints (the hotline and the front office; a return visit always may)."""
    return COMPLAINT.permits(REGISTER, user, None)


def may_open_case(user) -> bool:
    """R27: sees the proposals and opens difficult cases (clerks and department heads)."""
    return CASE.permits(OPEN_CASE, user, None)


def may_configure_criteria(user) -> bool:
    """R27: edits the difficult-case criteria (supervisors and HQ admins)."""
    return CASE.permits(CONFIGURE_CRITERIA, user, None)


# --- effects ----------------------------------------------------------------------------------------

NEEDED: dict[str, Promise] = {
    "note": gettext_lazy("Give a reason."),
    "cause": gettext_lazy("Describe the cause of the complaint."),
    "measures": gettext_lazy("Describe the measures taken."),
    "feedback": gettext_lazy("Write the feedback given to the customer."),
    "result": gettext_lazy("Describe the result."),
    "handler": gettext_lazy("Choose the handler."),
}


def _accepted(run: TransitionRun) -> None:
    """R26: accepted as authentic and reasonable; the assessment is the response."""
    run.set(outcome=ComplaintOutcome.ACCEPTED, is_authentic=True, is_reasonable=True)


def _rejected(run: TransitionRun) -> None:
    """R26: not accepted, with what the assessment found."""
    run.set(
        outcome=ComplaintOutcome.REJECTED,
        is_authentic=bool(run.inputs.get("is_authentic")),
        is_reasonable=bool(run.inputs.get("is_reasonable")),
    )


def handler_check(handler: User | None, level_number: int) -> None:
    """R27: the handler is an active user with the role of the level (when the level names one)."""
    if handler is None:
        raise DomainError(_("Choose the handler."), code="required", field="handler")
    if not handler.is_active:
        raise DomainError(_("This user is not active."), code="inactive", field="handler")
    level = CaseLevel.objects.filter(number=level_number).first()
    if level is not None and level.role and not handler.has_role(level.role):
        raise DomainError(
            _("At level %(level)s the handler must be a %(role)s.")
            % {"level": level, "role": level.get_role_display()},
            code="wrong_role",
            field="handler",
        )


def _next_level(run: TransitionRun) -> None:
    """R27: beyond the handler's authority: the next level, with a handler of that level."""
    case = run.obj
    level = case_next_level(case.level)
    if level is None:
        raise DomainError(
            _("The case is already at the highest level (%(level)s).") % {"level": case.level},
            code="top_level",
        )
    handler_check(run.inputs["handler"], level.number)
    run.set(level=level.number, handler=run.inputs["handler"])


# --- the histories ----------------------------------------------------------------------------------


def complaint_step_record(
    complaint: Complaint,
    *,
    actor,
    action: str,
    from_state: str,
    note: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """A step in the complaint's own history (R41) and, when it is on a work order, on its
    timeline: `params` for the step's text (stored as JSON, shown in the reader's language),
    `note` the user's own words."""
    params = {"record": complaint.number, **(params or {})}
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=complaint.state,
        note=note,
        params=stored_params(params),
    )
    if complaint.work_order is not None:
        event_record(
            complaint.work_order, kind=COMPLAINT_EVENT, actor=actor, action=action, params=params, note=note
        )


def case_step_record(
    case: DifficultCase,
    *,
    actor,
    action: str,
    from_state: str,
    note: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """A step in the case's tracking file, at its level and with its handler, and on the work
    order's timeline (R27): `params` for the step's text, `note` the user's own words."""
    params = {"record": case.number, "level": case.level, "handler": str(case.handler), **(params or {})}
    CaseStep.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=case.state,
        level=case.level,
        handler=case.handler,
        note=note,
        params=stored_params(params),
    )
    event_record(case.work_order, kind=CASE_EVENT, actor=actor, action=action, params=params, note=note)


def _transition_params(run: TransitionRun) -> dict[str, Any]:
    return {
        "machine": run.machine.name,
        "transition": run.transition.name,
        "from": run.from_state,
        "to": run.machine.state_of(run.obj),
    }


# The input that holds the user's words of each step (the note otherwise).
COMPLAINT_NOTES = {"analyse": "cause", "handle": "measures", "feed_back": "feedback"}
CASE_NOTES = {"resolve": "result"}


def _complaint_record(run: TransitionRun) -> None:
    complaint_step_record(
        run.obj,
        actor=run.actor,
        action=run.transition.name,
        from_state=run.from_state,
        note=run.text(COMPLAINT_NOTES.get(run.transition.name, "note")),
        params=_transition_params(run),
    )


def _case_record(run: TransitionRun) -> None:
    case_step_record(
        run.obj,
        actor=run.actor,
        action=run.transition.name,
        from_state=run.from_state,
        note=run.text(CASE_NOTES.get(run.transition.name, "note")),
        params=_transition_params(run),
    )


# --- the machines -----------------------------------------------------------------------------------

C = ComplaintState
COMPLAINT = Machine(
    name="complaint",
    model=Complaint,
    required_messages=NEEDED,
    transitions={
        t.name: t
        for t in (
            Transition(
                "accept",
                gettext_lazy("Accept"),
                frozenset({C.REGISTERED}),
                C.ACCEPTED,
                ASSESS_ROLES,
                accepts=frozenset({"note"}),
                effects=(stamp("responded_at"), keep_input("note", "assessment_note"), _accepted),
                style="success",
            ),
            Transition(
                "reject",
                gettext_lazy("Reject"),
                frozenset({C.REGISTERED}),
                C.CLOSED,
                ASSESS_ROLES,
                needs=frozenset({"note"}),
                accepts=frozenset({"is_authentic", "is_reasonable"}),
                effects=(
                    stamp("responded_at", "closed_at"),
                    keep_input("note", "assessment_note"),
                    _rejected,
                ),
                style="danger",
            ),
            Transition(
                "analyse",
                gettext_lazy("Record the cause"),
                frozenset({C.ACCEPTED}),
                C.ANALYSED,
                ASSESS_ROLES,
                needs=frozenset({"cause"}),
                effects=(keep_input("cause"),),
            ),
            Transition(
                "handle",
                gettext_lazy("Record the measures"),
                frozenset({C.ANALYSED}),
                C.HANDLED,
                HANDLE_ROLES,
                needs=frozenset({"measures"}),
                effects=(keep_input("measures"),),
            ),
            Transition(
                "feed_back",
                gettext_lazy("Feed back"),
                frozenset({C.HANDLED}),
                C.FED_BACK,
                FEEDBACK_ROLES,
                needs=frozenset({"feedback"}),
                effects=(keep_input("feedback"),),
            ),
            Transition(
                "close",
                gettext_lazy("Close and archive"),
                frozenset({C.FED_BACK}),
                C.CLOSED,
                ARCHIVE_ROLES,
                accepts=frozenset({"note"}),
                effects=(stamp("closed_at"),),
                style="success",
            ),
        )
    },
    record=_complaint_record,
    lock_related=("work_order", "customer"),
)

S = CaseState
WORKING = frozenset({S.IN_PROGRESS, S.ESCALATED})
CASE = Machine(
    name="difficult_case",
    model=DifficultCase,
    required_messages=NEEDED,
    transitions={
        t.name: t
        for t in (
            Transition(
                "start",
                gettext_lazy("Start handling"),
                frozenset({S.OPEN}),
                S.IN_PROGRESS,
                HANDLER,
                accepts=frozenset({"note"}),
            ),
            Transition(
                "record",
                gettext_lazy("Record a step"),
                WORKING,
                "",
                HANDLER,
                needs=frozenset({"note"}),
                style="outline-primary",
            ),
            Transition(
                "escalate",
                gettext_lazy("Escalate to the next level"),
                frozenset({S.OPEN}) | WORKING,
                S.ESCALATED,
                HANDLER,
                needs=frozenset({"note", "handler"}),
                effects=(_next_level,),
                style="warning",
            ),
            Transition(
                "resolve",
                gettext_lazy("Resolve"),
                WORKING,
                S.RESOLVED,
                HANDLER,
                needs=frozenset({"result"}),
                effects=(keep_input("result"), stamp("resolved_at")),
                style="success",
            ),
            Transition(
                "reopen",
                gettext_lazy("Reopen"),
                frozenset({S.RESOLVED}),
                S.IN_PROGRESS,
                CASE_ROLES,
                needs=frozenset({"note"}),
                effects=(clear("resolved_at"),),
                style="warning",
            ),
            Transition(
                "close",
                gettext_lazy("Close"),
                frozenset({S.RESOLVED}),
                S.CLOSED,
                CASE_ROLES,
                accepts=frozenset({"note"}),
                effects=(stamp("closed_at"),),
                style="success",
            ),
        )
    },
    record=_case_record,
    # The handler rule (R27): the roles outside the case team act only on the cases they handle.
    owner=lambda case: case.handler_id,
    owner_bound_roles=HANDLER - CASE_ROLES,
    lock_related=("work_order", "handler"),
)
