"""The lifecycles of field service, each one state machine run by `core.transitions.transition_run`
(row locked, version and state checked, permission, required inputs, guards, declared effects, one
timeline event, hooks): the on-site visit (R12), its supervision card (R19) and the appointment
agreed with the customer (R12).

```
visit:        booked ──depart──▶ en_route ──arrive──▶ on_site ──leave──▶ done
                │  └───────────────arrive──────────────▲   (R15, R17: leave needs the sign-off or refusal)
                └──cancel──┴──cancel──▶ cancelled ◀──release (system: its appointment was cancelled)
card:         pending ──submit──▶ submitted ──verify──▶ verified
                 ▲                    │
                 └─────send_back──────┘
appointment:  booked ──complete (system: its visit checked out)──▶ done
                 └──cancel── / ──release (system: the new engineer is not free)──▶ cancelled
```

Engineers run the steps only on their own visits and cards (`owner`); the system (no actor) runs
the reactions. What a step changes is declared (`effects`); what it sets off (`hooks`): the first
trip or check-in starts an assigned work order, checking out opens the supervision card and
completes the booked appointment, cancelling cancels the booked appointment and the customer is told.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import DISPATCH_ROLES, Role
from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.transitions import Machine, Transition, TransitionRun, keep_input, stamp
from aftersales.parts.services.job_parts import job_old_parts_keep
from aftersales.workorders.choices import State
from aftersales.workorders.events import transition_recorder
from aftersales.workorders.services import workorder_transition
from aftersales.workorders.transitions import WORKORDER

from . import events
from .choices import SupervisionState, VisitState
from .models import Appointment, AppointmentState, SignOff, SupervisionCard, Visit
from .notices import CANCEL, appointment_notice_queue

FIELD_LEADS = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})
# Who goes on site: the engineer (their own visits only) and the field leads.
ON_SITE_ROLES = FIELD_LEADS | {Role.ENGINEER}
# Who books and changes appointments: dispatch roles and the engineer (their own only).
BOOKING_ROLES = DISPATCH_ROLES | {Role.ENGINEER}
# The service centre that verifies supervision cards: clerks, supervisors and the dealers' centres.
SERVICE_CENTRE = frozenset({Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF})
SYSTEM: frozenset[str] = frozenset()  # run by the system only, as the reaction to another change
LOCATION = frozenset({"latitude", "longitude", "accuracy"})


# --- appointment ---------------------------------------------------------------------------------


def release_reason(run: TransitionRun) -> None:
    """The reason the customer is told when the newly assigned engineer cannot make the visit."""
    run.set(
        reason=_("Engineer changed; %(after)s is not free at that time") % {"after": run.inputs["engineer"]}
    )


def tell_the_customer(run: TransitionRun) -> None:
    """R12: a cancelled visit is told to the customer by SMS (queued to leave on commit)."""
    if run.obj.state == AppointmentState.CANCELLED:
        appointment_notice_queue(run.obj, change=CANCEL)


def _appointment_action(run: TransitionRun) -> str:
    if run.transition.name == "release":
        return f"appointment_release_{run.inputs['conflict']['code']}"
    return f"appointment_{run.transition.name}"


def _appointment_params(run: TransitionRun) -> dict[str, Any]:
    appointment = run.obj
    params: dict[str, Any] = {"when": str(appointment)}
    if run.transition.name == "complete":
        visit = Visit.objects.filter(appointment=appointment).values_list("number", flat=True).first()
        params["visit"] = visit or ""
    elif run.transition.name == "release":
        conflict = {key: value for key, value in run.inputs["conflict"].items() if key != "code"}
        params.update(before=str(appointment.engineer), after=str(run.inputs["engineer"]), **conflict)
    return params


APPOINTMENT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "cancel",
            gettext_lazy("Cancel the visit"),
            frozenset({AppointmentState.BOOKED}),
            AppointmentState.CANCELLED,
            BOOKING_ROLES,
            needs=frozenset({"reason"}),
            effects=(keep_input("reason"),),
            style="outline-danger",
            icon="bi-x-circle",
        ),
        Transition(
            "complete",
            gettext_lazy("Done"),
            frozenset({AppointmentState.BOOKED}),
            AppointmentState.DONE,
            SYSTEM,
            style="success",
        ),
        Transition(
            "release",
            gettext_lazy("Cancelled"),
            frozenset({AppointmentState.BOOKED}),
            AppointmentState.CANCELLED,
            SYSTEM,
            # the new engineer, and why they cannot make it: {"code": "on_leave" | "double_booking", ...}
            needs=frozenset({"engineer", "conflict"}),
            effects=(release_reason,),
            style="outline-danger",
        ),
    )
}

APPOINTMENT = Machine(
    name="appointment",
    model=Appointment,
    transitions=APPOINTMENT_TRANSITIONS,
    record=transition_recorder(
        events.APPOINTMENT, action=_appointment_action, note_inputs=("reason",), params=_appointment_params
    ),
    owner=lambda appointment: appointment.engineer.user_id,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("work_order", "engineer__user"),
    versioned=True,
    validate=True,
    hooks=[tell_the_customer],
)


# --- visit ---------------------------------------------------------------------------------------


def _degrees(value, *, field: str, limit: int, places: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise DomainError(_("The location is not a number."), code="invalid_location", field=field) from error
    if not number.is_finite() or abs(number) > limit:
        raise DomainError(_("The location is out of range."), code="invalid_location", field=field)
    return number.quantize(Decimal(places))


def _location(run: TransitionRun) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The browser's position (WGS-84 degrees, accuracy in metres) when it gave one; both or none."""
    inputs = run.inputs
    lat = _degrees(inputs.get("latitude"), field="latitude", limit=90, places="0.000001")
    lng = _degrees(inputs.get("longitude"), field="longitude", limit=180, places="0.000001")
    if (lat is None) != (lng is None):
        raise DomainError(_("Give both latitude and longitude."), code="invalid_location", field="latitude")
    if lat is None:
        return None, None, None
    acc = _degrees(inputs.get("accuracy"), field="accuracy", limit=9_999_999, places="0.1")
    return lat, lng, (abs(acc) if acc is not None else None)


def check_in_location(run: TransitionRun) -> None:
    """R12: where the phone was at check-in, when it gave its position."""
    lat, lng, acc = _location(run)
    run.set(checkin_latitude=lat, checkin_longitude=lng, checkin_accuracy=acc)


def check_out_location(run: TransitionRun) -> None:
    """R12: where the phone was at check-out, when it gave its position."""
    lat, lng, acc = _location(run)
    run.set(checkout_latitude=lat, checkout_longitude=lng, checkout_accuracy=acc)


def old_parts_keep(run: TransitionRun) -> None:
    """R29: at check-out, each catalog part replaced under warranty becomes an old part (job_parts)."""
    job_old_parts_keep(run.obj.parts.all(), work_order=run.obj.work_order, when=run.now)


def cancel_with_appointment(run: TransitionRun) -> None:
    """The visit keeps the reason its appointment was cancelled for."""
    appointment = run.obj.appointment
    run.set(cancel_reason=appointment.reason if appointment is not None else "")


def checkout_needs_signoff(run: TransitionRun) -> None:
    """R15, R17: checking out needs the customer's sign-off or their recorded refusal (a signature
    is never forced, but it is always asked for)."""
    if run.transition.name == "leave" and not SignOff.objects.filter(visit=run.obj).exists():
        raise DomainError(
            _("Have the customer sign off the visit, or record the refusal, before checking out."),
            code="signoff_missing",
        )


def start_the_work_order(run: TransitionRun) -> None:
    """The first trip or check-in starts the service of an assigned work order, unless a guard of
    the work-order lifecycle holds it back (e.g. the service plan is not confirmed yet, R8): the
    visit goes on, the work waits."""
    work_order = run.obj.work_order
    if (
        run.transition.name not in ("depart", "arrive")
        or work_order.state != State.ASSIGNED
        or not WORKORDER.permits(WORKORDER["start"], run.actor, work_order)
    ):
        return
    try:
        with transaction.atomic():
            workorder_transition(work_order_id=work_order.pk, action="start", actor=run.actor)
    except TransitionNotAllowed:
        pass


def supervision_due(visit: Visit) -> datetime:
    """R19: the card is due by the end of the visit's day (local time)."""
    day = visit.day + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def open_supervision_card(run: TransitionRun) -> None:
    """R19: checking out opens the visit's supervision card, due by the end of the visit's day."""
    if run.transition.name == "leave":
        SupervisionCard.objects.create(visit=run.obj, due_at=supervision_due(run.obj))


def appointment_follows(run: TransitionRun) -> None:
    """R12: checking out completes the visit's booked appointment; cancelling the visit cancels it
    with the same reason, and the customer is told."""
    appointment = run.obj.appointment
    if appointment is None or appointment.state != AppointmentState.BOOKED:
        return
    # The appointment services import this module: imported when the hook runs.
    from .services.appointments import appointment_cancel, appointment_complete

    if run.transition.name == "leave":
        appointment_complete(appointment_id=appointment.pk)
    elif run.transition.name == "cancel":
        appointment_cancel(appointment_id=appointment.pk, reason=run.text("reason"), actor=run.actor)


def _where(lat, lng, acc):
    if lat is None:
        return events.NO_LOCATION
    accuracy = f" ±{acc:.0f} m" if acc is not None else ""
    return f"{lat}, {lng}{accuracy}"


def _visit_params(run: TransitionRun) -> dict[str, Any]:
    visit = run.obj
    params: dict[str, Any] = {"visit": visit.number}
    if run.transition.name == "arrive":
        where = _where(visit.checkin_latitude, visit.checkin_longitude, visit.checkin_accuracy)
        params.update(time=visit.arrived_at, where=where)
    elif run.transition.name == "leave":
        where = _where(visit.checkout_latitude, visit.checkout_longitude, visit.checkout_accuracy)
        params.update(time=visit.left_at, where=where)
    return params


VISIT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "depart",
            gettext_lazy("Start trip"),
            frozenset({VisitState.BOOKED}),
            VisitState.EN_ROUTE,
            ON_SITE_ROLES,
            effects=(stamp("departed_at"),),
            icon="bi-car-front",
        ),
        Transition(
            "arrive",
            gettext_lazy("Check in"),
            frozenset({VisitState.BOOKED, VisitState.EN_ROUTE}),
            VisitState.ON_SITE,
            ON_SITE_ROLES,
            accepts=LOCATION,
            effects=(stamp("arrived_at"), check_in_location),
            style="success",
            icon="bi-geo-alt",
        ),
        Transition(
            "leave",
            gettext_lazy("Check out"),
            frozenset({VisitState.ON_SITE}),
            VisitState.DONE,
            ON_SITE_ROLES,
            accepts=LOCATION,
            effects=(stamp("left_at"), check_out_location, old_parts_keep),
            style="success",
            icon="bi-box-arrow-right",
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel visit"),
            frozenset({VisitState.BOOKED, VisitState.EN_ROUTE}),
            VisitState.CANCELLED,
            ON_SITE_ROLES | DISPATCH_ROLES,
            needs=frozenset({"reason"}),
            effects=(keep_input("reason", "cancel_reason"),),
            style="outline-danger",
            icon="bi-x-circle",
        ),
        Transition(
            "release",
            gettext_lazy("Cancelled"),
            frozenset({VisitState.BOOKED}),
            VisitState.CANCELLED,
            SYSTEM,
            effects=(cancel_with_appointment,),
            style="outline-danger",
            icon="bi-x-circle",
        ),
    )
}

VISIT = Machine(
    name="field_visit",
    model=Visit,
    transitions=VISIT_TRANSITIONS,
    record=transition_recorder(
        events.VISIT,
        action=lambda run: f"visit_{run.transition.name}",
        note_inputs=("reason",),
        params=_visit_params,
    ),
    owner=lambda visit: visit.engineer.user_id,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("work_order__customer", "engineer__user", "appointment"),
    versioned=True,
    validate=True,
    guards=[checkout_needs_signoff],
    hooks=[start_the_work_order, open_supervision_card, appointment_follows],
)


# --- supervision card ----------------------------------------------------------------------------


def keep_summary(run: TransitionRun) -> None:
    """R19: the engineer's feedback of the visit; the first submission time is kept, so a card sent
    back and resubmitted is not made late by it."""
    summary = run.text("summary")
    if not summary:
        raise ValidationError({"summary": [_("Write the feedback of the visit.")]})
    card = run.obj
    run.set(summary=summary, submitted_at=card.submitted_at or run.now, submitted_by=run.actor)


def keep_verification(run: TransitionRun) -> None:
    run.set(verification_note=run.text("note"), verified_at=run.now, verified_by=run.actor)


def keep_send_back_reason(run: TransitionRun) -> None:
    """A card goes back to the engineer only with the reason (what to add or correct)."""
    note = run.text("note")
    if not note:
        raise ValidationError({"note": [_("Give a reason.")]})
    run.set(verification_note=note)


def _card_params(run: TransitionRun) -> dict[str, Any]:
    card = run.obj
    params: dict[str, Any] = {"visit": card.visit.number}
    if run.transition.name == "submit":
        params["timing"] = events.LATE if card.is_late(run.now) else events.ON_TIME
    return params


SUPERVISION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            gettext_lazy("Submit card"),
            frozenset({SupervisionState.PENDING}),
            SupervisionState.SUBMITTED,
            ON_SITE_ROLES,
            accepts=frozenset({"summary"}),
            effects=(keep_summary,),
            icon="bi-send",
        ),
        Transition(
            "verify",
            gettext_lazy("Verify"),
            frozenset({SupervisionState.SUBMITTED}),
            SupervisionState.VERIFIED,
            SERVICE_CENTRE,
            accepts=frozenset({"note"}),
            effects=(keep_verification,),
            style="success",
        ),
        Transition(
            "send_back",
            gettext_lazy("Send back"),
            frozenset({SupervisionState.SUBMITTED}),
            SupervisionState.PENDING,
            SERVICE_CENTRE,
            accepts=frozenset({"note"}),
            effects=(keep_send_back_reason,),
            style="outline-warning",
            icon="bi-arrow-return-left",
        ),
    )
}

SUPERVISION_CARD = Machine(
    name="supervision_card",
    model=SupervisionCard,
    transitions=SUPERVISION_TRANSITIONS,
    record=transition_recorder(
        events.VISIT,
        work_order=lambda card: card.visit.work_order,
        action=lambda run: f"card_{run.transition.name}",
        note_inputs=("note",),
        params=_card_params,
    ),
    owner=lambda card: card.visit.engineer.user_id,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("visit__work_order", "visit__engineer__user"),
    versioned=True,
    validate=True,
)
