"""Writes of complaints (R26) and difficult cases (R27).

Every step runs through one service that locks the row, checks the declared transition
(`transitions.py`), records the step in the object's own history and on the linked work order's
timeline (`COMPLAINT` / `CASE`), and queues notices and messages that leave
only after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.phones import phone_display, phone_normalize
from aftersales.core.services import number_next
from aftersales.customers.models import Customer
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue, notify
from aftersales.sla.choices import WARNING_SHARE
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder

from .choices import CaseReason, CaseState, ComplaintOutcome, ComplaintSource, ComplaintState, ResponseRisk
from .events import CASE, COMPLAINT
from .models import CaseCriteria, CaseLevel, CaseStep, Complaint, ComplaintEvent, DifficultCase
from .selectors import (
    case_next_level,
    case_reasons,
    complaint_working_time,
    response_budget,
    supervisors_for,
    users_with_roles,
)
from .transitions import (
    ASSESS_ROLES,
    CASE_ROLES,
    CASE_TRANSITIONS,
    COMPLAINT_TRANSITIONS,
    REGISTER_ROLES,
    Transition,
)

# Who edits the difficult-case criteria (R27).
CRITERIA_ROLES = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})


def _company_language():
    """Notices and messages are written in the company's language, whatever the actor's screen."""
    return translation.override(settings.LANGUAGE_CODE)


def _check(transition: Transition, obj, actor, inputs: dict[str, Any], what: str) -> None:
    """The one guard of both lifecycles: state (409), role (403), then the required inputs (400)."""
    if not transition.allows_state(obj.state):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the %(what)s is %(state)s.")
            % {"action": transition.label, "what": what, "state": obj.get_state_display()}
        )
    if not transition.permits(actor, obj):
        raise NotPermitted(
            _("You may not “%(action)s” this %(what)s.") % {"action": transition.label, "what": what}
        )
    messages = {
        "note": _("Give a reason."),
        "cause": _("Describe the cause of the complaint."),
        "measures": _("Describe the measures taken."),
        "feedback": _("Write the feedback given to the customer."),
        "result": _("Describe the result."),
        "handler": _("Choose the handler."),
    }
    for name in sorted(transition.needs):
        value = inputs.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DomainError(messages[name], code="required", field=name)


# -- complaints (R26) --------------------------------------------------------------------------


def response_due(
    *, severity: str, start: datetime, work_order: WorkOrder | None
) -> tuple[datetime, datetime]:
    """R26: (due, at risk from) for a complaint of `severity` registered at `start`: the budget of
    its severity on the working calendar of the work order's service point (else the company
    default); at risk once 75 % of the budget is used."""
    budget, business = response_budget(severity)
    if not business:
        return start + budget, start + budget * WARNING_SHARE
    working_time = complaint_working_time(work_order)
    return (
        working_time.add_business_time(start, budget),
        working_time.add_business_time(start, budget * WARNING_SHARE),
    )


def _complaint_event(complaint: Complaint, *, actor, action: str, from_state: str, note: str) -> None:
    """The step in the complaint's own history and, when linked, on the work order's timeline."""
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=complaint.state,
        note=note,
    )
    if complaint.work_order_id:
        with _company_language():
            label = (
                COMPLAINT_TRANSITIONS[action].label if action in COMPLAINT_TRANSITIONS else _("Registered")
            )
            text = f"{complaint.number} · {label}"
        event_record(
            complaint.work_order,
            kind=COMPLAINT,
            actor=actor,
            action=action,
            note=f"{text}: {note}" if note else text,
        )


def _complaint_url(complaint: Complaint) -> str:
    return reverse("complaints:complaint_detail", args=[complaint.pk])


@transaction.atomic
def complaint_register(
    *,
    work_order: WorkOrder | None,
    source: str,
    category: str,
    severity: str,
    description: str,
    actor,
    people: Iterable[User] = (),
    customer: Customer | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Complaint:
    """R26: register a complaint on the complaint form (客户投诉处理单).

    From a return visit (`source="return_visit"`, by whoever ran the visit), the hotline or the
    portal; with a work order (the customer and the complainant default to its customer and
    contact) or, from the hotline, without one (then the customer is required). `people` are the
    staff involved. The response is due by the severity's budget on the working calendar; the
    assessors are notified and the complainant gets an acknowledgement by SMS."""
    if actor is not None and source != ComplaintSource.RETURN_VISIT and not actor.has_role(*REGISTER_ROLES):
        raise NotPermitted(_("Your role may not register complaints."))
    errors: dict[str, list[str]] = {}
    if work_order is not None:
        if customer is not None and customer.pk != work_order.customer_id:
            errors["customer"] = [_("The customer is not the work order's customer.")]
        customer = work_order.customer
        contact_name = contact_name.strip() or work_order.contact_name
        contact_phone = contact_phone.strip() or work_order.contact_phone
    elif customer is None:
        errors["customer"] = [_("Choose the customer, or link the complaint to a work order.")]
    if contact_phone:
        try:
            contact_phone = phone_normalize(contact_phone)
        except ValidationError as error:
            errors["contact_phone"] = error.messages
    now = timezone.now()
    complaint = Complaint(
        source=source,
        category=category,
        severity=severity,
        customer=customer,
        work_order=work_order,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone,
        description=(description or "").strip(),
        created_by=actor,
        number="-",
        response_due_at=now,
        response_warn_at=now,
    )
    try:
        complaint.full_clean(exclude=["number", "created_by", *errors])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    complaint.response_due_at, complaint.response_warn_at = response_due(
        severity=severity, start=now, work_order=work_order
    )
    complaint.number = number_next(prefix="CP")
    complaint.save()
    complaint.people.set(list(people))
    with _company_language():
        note = _("%(category)s · %(severity)s · response due %(due)s") % {
            "category": complaint.get_category_display(),
            "severity": complaint.get_severity_display(),
            "due": timezone.localtime(complaint.response_due_at).strftime("%Y-%m-%d %H:%M"),
        }
    _complaint_event(complaint, actor=actor, action="register", from_state="", note=note)
    _complaint_registered_notify(complaint)
    return complaint


def _complaint_registered_notify(complaint: Complaint) -> None:
    """The assessors see the new complaint under the bell; the complainant gets the number and
    the time by which we answer."""
    due = timezone.localtime(complaint.response_due_at).strftime("%Y-%m-%d %H:%M")
    with _company_language():
        notify(
            recipients=users_with_roles(*ASSESS_ROLES - {Role.HQ_ADMIN}),
            title=_("New complaint %(number)s (%(severity)s)")
            % {"number": complaint.number, "severity": complaint.get_severity_display()},
            body=_("%(customer)s: %(description)s. Response due %(due)s.")
            % {"customer": complaint.customer.name, "description": complaint.description[:200], "due": due},
            url=_complaint_url(complaint),
            key=f"complaint:{complaint.pk}:registered",
        )
        if complaint.contact_phone:
            message_queue(
                channel=MessageChannel.SMS,
                recipient=phone_display(complaint.contact_phone),
                subject=_("Your complaint %(number)s has been registered") % {"number": complaint.number},
                body=_(
                    "Dear customer, your complaint %(number)s has been registered. "
                    "We will get back to you by %(due)s."
                )
                % {"number": complaint.number, "due": due},
                key=f"complaint:{complaint.number}:ack",
            )


def _complaint_locked(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("work_order", "customer")
        .get(pk=complaint_id)
    )


@transaction.atomic
def complaint_transition(
    *,
    complaint_id: int,
    action: str,
    actor,
    note: str = "",
    cause: str = "",
    measures: str = "",
    feedback: str = "",
    is_authentic: bool | None = None,
    is_reasonable: bool | None = None,
) -> Complaint:
    """R26: one step of the complaint: accept or reject (with a mandatory reason; the response),
    record the cause, the measures, the feedback (sent to the customer, the people involved and
    their supervisors), close and archive. Row locked; refused steps raise."""
    transition = COMPLAINT_TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), code="unknown_action", field="action")
    complaint = _complaint_locked(complaint_id)
    inputs = {"note": note, "cause": cause, "measures": measures, "feedback": feedback}
    _check(transition, complaint, actor, inputs, what=_("complaint"))
    now = timezone.now()
    from_state = complaint.state
    complaint.state = transition.target_from(from_state)
    if action in ("accept", "reject"):
        complaint.responded_at = now
        complaint.assessment_note = note.strip()
    if action == "accept":
        complaint.outcome = ComplaintOutcome.ACCEPTED
        complaint.is_authentic = complaint.is_reasonable = True
    elif action == "reject":
        complaint.outcome = ComplaintOutcome.REJECTED
        complaint.is_authentic = bool(is_authentic)
        complaint.is_reasonable = bool(is_reasonable)
    elif action == "analyse":
        complaint.cause = cause.strip()
    elif action == "handle":
        complaint.measures = measures.strip()
    elif action == "feed_back":
        complaint.feedback = feedback.strip()
    if complaint.state == ComplaintState.CLOSED:
        complaint.closed_at = now
    complaint.save()
    text = {"analyse": cause, "handle": measures, "feed_back": feedback}.get(action, note).strip()
    _complaint_event(complaint, actor=actor, action=action, from_state=from_state, note=text)
    if action == "feed_back":
        _feedback_send(complaint)
    return complaint


def _user_message(user: User, *, subject: str, body: str, key: str) -> None:
    """A message to a staff user through the channels: email when they have one, else SMS."""
    if user.email:
        message_queue(channel=MessageChannel.EMAIL, recipient=user.email, subject=subject, body=body, key=key)
    elif user.phone:
        message_queue(
            channel=MessageChannel.SMS,
            recipient=phone_display(user.phone),
            subject=subject,
            body=body,
            key=key,
        )


def _feedback_send(complaint: Complaint) -> None:
    """R26: the result goes back to the customer (SMS to the complainant, email to the customer)
    and to the people involved and their supervisors (notice under the bell and a message).
    Idempotent per complaint and recipient."""
    people = list(complaint.people.all())
    staff = {user.pk: user for user in [*people, *supervisors_for(people)] if user.is_active}
    with _company_language():
        subject = _("Result of complaint %(number)s") % {"number": complaint.number}
        customer_body = _("Dear customer, about your complaint %(number)s: %(feedback)s") % {
            "number": complaint.number,
            "feedback": complaint.feedback,
        }
        staff_body = _(
            "Complaint %(number)s (%(category)s) about %(customer)s. "
            "Cause: %(cause)s. Measures: %(measures)s."
        ) % {
            "number": complaint.number,
            "category": complaint.get_category_display(),
            "customer": complaint.customer.name,
            "cause": complaint.cause,
            "measures": complaint.measures,
        }
        key = f"complaint:{complaint.pk}:feedback"
        if complaint.contact_phone:
            message_queue(
                channel=MessageChannel.SMS,
                recipient=phone_display(complaint.contact_phone),
                subject=subject,
                body=customer_body,
                key=f"{key}:customer-sms",
            )
        if complaint.customer.email:
            message_queue(
                channel=MessageChannel.EMAIL,
                recipient=complaint.customer.email,
                subject=subject,
                body=customer_body,
                key=f"{key}:customer-email",
            )
        notify(
            recipients=staff.values(), title=subject, body=staff_body, url=_complaint_url(complaint), key=key
        )
        for user in staff.values():
            _user_message(user, subject=subject, body=staff_body, key=f"{key}:user-{user.pk}")


# The periodic job's two alerts: (risk, stamp field, roles notified, notice title, history action).
RESPONSE_ALERTS = {
    ResponseRisk.OVERDUE: (
        "escalated_at",
        (Role.SUPERVISOR,),
        gettext_noop("Complaint %(number)s (%(severity)s) is overdue: no response since %(due)s"),
        "escalate",
    ),
    ResponseRisk.WARNING: (
        "warned_at",
        (Role.QUALITY,),
        gettext_noop("Complaint %(number)s (%(severity)s) must be answered by %(due)s"),
        "warn",
    ),
}


@transaction.atomic
def complaint_response_alert(*, complaint_id: int, at: datetime | None = None) -> str:
    """R26: warn the assessors (quality) once when an unanswered complaint is at risk, and
    escalate to the supervisors once when it is overdue. Returns the risk acted on ("warning",
    "overdue") or "" when there was nothing to do. Idempotent: `warned_at`/`escalated_at` are set
    under the row lock and the notices carry a key per complaint and alert."""
    at = at or timezone.now()
    complaint = _complaint_locked(complaint_id)
    risk = complaint.response_risk(at)
    if risk not in RESPONSE_ALERTS:
        return ""
    stamp, roles, title, action = RESPONSE_ALERTS[risk]
    if getattr(complaint, stamp) is not None:
        return ""
    setattr(complaint, stamp, at)
    complaint.save(update_fields=[stamp, "updated_at"])
    with _company_language():
        title = _(title) % {
            "number": complaint.number,
            "severity": complaint.get_severity_display(),
            "due": timezone.localtime(complaint.response_due_at).strftime("%Y-%m-%d %H:%M"),
        }
        notify(
            recipients=users_with_roles(*roles),
            title=title,
            url=_complaint_url(complaint),
            key=f"complaint:{complaint.pk}:{risk}",
        )
    _complaint_event(complaint, actor=None, action=action, from_state=complaint.state, note=title)
    return risk


def complaint_response_check(*, at: datetime | None = None) -> dict[str, int]:
    """R26: the periodic job's work: every unanswered complaint that became at risk or overdue
    and was not warned or escalated yet, one transaction each."""
    at = at or timezone.now()
    unanswered = Complaint.objects.filter(responded_at__isnull=True)
    ids = unanswered.filter(response_due_at__lte=at, escalated_at__isnull=True).values_list("pk", flat=True)
    warn_ids = unanswered.filter(
        response_warn_at__lte=at, response_due_at__gt=at, warned_at__isnull=True
    ).values_list("pk", flat=True)
    done = {ResponseRisk.WARNING.value: 0, ResponseRisk.OVERDUE.value: 0}
    for complaint_id in [*ids, *warn_ids]:
        risk = complaint_response_alert(complaint_id=complaint_id, at=at)
        if risk:
            done[risk] += 1
    return done


# -- difficult cases (R27) ---------------------------------------------------------------------


@transaction.atomic
def case_criteria_update(*, actor, **fields: Any) -> CaseCriteria:
    """R27: change the difficult-case criteria (supervisors and HQ admins)."""
    if not actor.has_role(*CRITERIA_ROLES):
        raise NotPermitted(_("Your role may not change the difficult-case criteria."))
    criteria = CaseCriteria.objects.select_for_update().order_by("pk").first() or CaseCriteria()
    unknown = set(fields) - {
        f.name for f in CaseCriteria._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
    }
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(criteria, name, value)
    criteria.full_clean()
    criteria.save()
    return criteria


def _check_handler(handler: User | None, level_number: int) -> None:
    """The handler is an active user with the role of the level (when the level names one)."""
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


def _case_step(case: DifficultCase, *, actor, action: str, from_state: str, note: str) -> None:
    """The step in the case's tracking file and on the work order's timeline (R27)."""
    CaseStep.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=case.state,
        level=case.level,
        handler=case.handler,
        note=note,
    )
    with _company_language():
        label = CASE_TRANSITIONS[action].label if action in CASE_TRANSITIONS else _("Case opened")
        text = _("%(number)s · %(action)s (level %(level)s, %(handler)s)") % {
            "number": case.number,
            "action": label,
            "level": case.level,
            "handler": case.handler,
        }
    event_record(
        case.work_order,
        kind=CASE,
        actor=actor,
        action=action,
        note=f"{text}: {note}" if note else text,
    )


def _case_notify_handler(case: DifficultCase, *, key: str) -> None:
    with _company_language():
        notify(
            recipients=[case.handler],
            title=_("Difficult case %(number)s (work order %(work_order)s) is yours, level %(level)s")
            % {"number": case.number, "work_order": case.work_order.number, "level": case.level},
            url=reverse("complaints:case_detail", args=[case.pk]),
            key=key,
        )


@transaction.atomic
def case_open(*, work_order: WorkOrder, handler: User | None, actor, note: str = "") -> DifficultCase:
    """R27: confirm a proposed work order as a difficult case: its tracking file opens at level 1
    with a responsible handler and the criteria it meets now. A work order meeting no criterion
    can still be opened with a reason. One case at a time per work order."""
    if not actor.has_role(*CASE_ROLES):
        raise NotPermitted(_("Your role may not open difficult cases."))
    WorkOrder.objects.select_for_update(of=("self",)).filter(pk=work_order.pk).first()
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
    _check_handler(handler, 1)
    with _company_language():
        labels = dict(CaseReason.choices)
        summary = " · ".join(str(labels[reason]) for reason in reasons)
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
    _case_step(case, actor=actor, action="open", from_state="", note=case.summary)
    _case_notify_handler(case, key=f"case:{case.pk}:handler:1")
    return case


@transaction.atomic
def case_transition(
    *, case_id: int, action: str, actor, note: str = "", result: str = "", handler: User | None = None
) -> DifficultCase:
    """R27: one step of a difficult case: start, record a handling step, escalate to the next
    level with a handler of that level (beyond the handler's authority), resolve with a result,
    reopen, close. Every step is in the tracking file and on the work order's timeline."""
    transition = CASE_TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), code="unknown_action", field="action")
    case = (
        DifficultCase.objects.select_for_update(of=("self",))
        .select_related("work_order", "handler")
        .get(pk=case_id)
    )
    _check(transition, case, actor, {"note": note, "result": result, "handler": handler}, what=_("case"))
    now = timezone.now()
    from_state = case.state
    if action == "escalate":
        level = case_next_level(case.level)
        if level is None:
            raise DomainError(
                _("The case is already at the highest level (%(level)s).") % {"level": case.level},
                code="top_level",
            )
        _check_handler(handler, level.number)
        case.level = level.number
        case.handler = handler
    elif action == "resolve":
        case.result = result.strip()
        case.resolved_at = now
    elif action == "reopen":
        case.resolved_at = None
    elif action == "close":
        case.closed_at = now
    case.state = transition.target_from(from_state)
    case.save()
    _case_step(
        case,
        actor=actor,
        action=action,
        from_state=from_state,
        note=(result if action == "resolve" else note).strip(),
    )
    if action == "escalate":
        _case_notify_handler(case, key=f"case:{case.pk}:handler:{case.level}")
    return case
