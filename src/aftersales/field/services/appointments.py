"""Writes for appointments (R12): booked, rescheduled and cancelled with the customer told, never
double-booking an engineer, following the work order to a new engineer. The lifecycle (booked →
done | cancelled) is `transitions.APPOINTMENT`; booking and moving a booked visit are edits."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Engineer
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.transitions import transition_run
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.transitions import WORKORDER

from ..events import APPOINTMENT as APPOINTMENT_EVENT
from ..models import Appointment, AppointmentState
from ..notices import BOOK, ENGINEER, RESCHEDULE, appointment_notice_queue
from ..policies import BOOK_APPOINTMENT, RESCHEDULE_APPOINTMENT
from ..selectors import engineer_on_leave
from ..transitions import APPOINTMENT

ON_LEAVE, DOUBLE_BOOKING = "on_leave", "double_booking"


def _appointment_check_window(day: date, window_start: time, window_end: time) -> None:
    """The window ends after it starts and has not already ended (local time, Asia/Shanghai)."""
    if window_start is None or window_end is None or day is None:
        raise DomainError(_("Give the day and the time window."), code="required", field="window_start")
    if window_end <= window_start:
        raise DomainError(
            _("The window must end after it starts."), code="invalid_window", field="window_end"
        )
    now = timezone.localtime()
    ends = timezone.make_aware(datetime.combine(day, window_end), timezone.get_current_timezone())
    if ends <= now:
        raise DomainError(_("The window is in the past."), code="past_window", field="date")


def _appointment_conflict(
    *, engineer: Engineer, day: date, window_start: time, window_end: time, exclude_id: int | None = None
) -> dict[str, Any] | None:
    """Why the engineer cannot take the window: on leave that day, or already booked in an
    overlapping window ({"code": ..., and what the message names}); None when they are free. The
    engineer row is locked first (PostgreSQL), so two concurrent bookings of the same engineer run
    one after the other and the second sees the first; SQLite serialises writers with its lock."""
    Engineer.objects.select_for_update(of=("self",)).filter(pk=engineer.pk).first()
    if engineer_on_leave(engineer, day):
        return {"code": ON_LEAVE, "date": f"{day:%Y-%m-%d}"}
    clashes = Appointment.objects.filter(
        engineer=engineer,
        date=day,
        state=AppointmentState.BOOKED,
        window_start__lt=window_end,
        window_end__gt=window_start,
    ).select_related("work_order")
    if exclude_id is not None:
        clashes = clashes.exclude(pk=exclude_id)
    clash = clashes.order_by("window_start").first()
    if clash is None:
        return None
    return {
        "code": DOUBLE_BOOKING,
        "start": f"{clash.window_start:%H:%M}",
        "end": f"{clash.window_end:%H:%M}",
        "date": f"{day:%Y-%m-%d}",
        "number": clash.work_order.number,
    }


def _appointment_check_engineer(*, engineer: Engineer, **window: Any) -> None:
    """On leave or already booked in an overlapping window: refused, naming the clash."""
    conflict = _appointment_conflict(engineer=engineer, **window)
    if conflict is None:
        return
    if conflict["code"] == ON_LEAVE:
        raise DomainError(
            _("%(engineer)s is on leave on %(date)s.") % {"engineer": engineer, "date": conflict["date"]},
            code=ON_LEAVE,
            field="date",
        )
    raise DomainError(
        _("%(engineer)s is already booked %(start)s–%(end)s on %(date)s for work order %(number)s.")
        % {"engineer": engineer, **conflict},
        code=DOUBLE_BOOKING,
        field="window_start",
    )


def _appointment_booked(appointment_id: int, expected_version: int | None) -> Appointment:
    """The appointment locked for a change, refused unless it is still booked."""
    appointment = APPOINTMENT.lock(appointment_id, expected_version)
    if appointment.state != AppointmentState.BOOKED:
        raise TransitionNotAllowed(_("Only a booked appointment can be changed."), code="not_booked")
    return appointment


def _appointment_event(appointment: Appointment, *, actor, action: str, params: dict, note: str = "") -> None:
    event_record(
        appointment.work_order,
        kind=APPOINTMENT_EVENT,
        actor=actor,
        action=action,
        params={"when": str(appointment), **params},
        note=note,
    )


@transaction.atomic
def appointment_book(
    *,
    work_order: WorkOrder,
    engineer: Engineer,
    day: date,
    window_start: time,
    window_end: time,
    actor,
) -> Appointment:
    """R12: book a visit with the customer for a day and a time window.

    Only for the engineer assigned to the work order, by dispatch roles or that engineer
    (`policies.BOOK_APPOINTMENT`); the window ends after it starts and is not over; the engineer is
    not on leave that day and has no other booked appointment overlapping the window (no double
    booking; back-to-back is fine). A timeline event is written and the customer gets an SMS after
    the commit."""
    if work_order.engineer_id is None or work_order.engineer_id != engineer.pk:
        raise DomainError(
            _("Book the visit with the engineer assigned to the work order."),
            code="not_assigned",
            field="engineer",
        )
    if not WORKORDER.permits(BOOK_APPOINTMENT, actor, work_order):
        raise NotPermitted(_("Only dispatchers and the assigned engineer may book a visit."))
    _appointment_check_window(day, window_start, window_end)
    _appointment_check_engineer(engineer=engineer, day=day, window_start=window_start, window_end=window_end)
    appointment = Appointment(
        work_order=work_order,
        engineer=engineer,
        date=day,
        window_start=window_start,
        window_end=window_end,
        created_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    appointment_notice_queue(appointment, change=BOOK)
    _appointment_event(
        appointment,
        actor=actor,
        action="appointment_book",
        params={
            "engineer": str(engineer),
            "date": f"{day:%Y-%m-%d}",
            "start": f"{window_start:%H:%M}",
            "end": f"{window_end:%H:%M}",
        },
    )
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment_id: int,
    day: date,
    window_start: time,
    window_end: time,
    reason: str,
    actor,
    expected_version: int | None,
) -> Appointment:
    """R12: move a booked visit to another day or window, with a reason; the same checks as
    booking (the appointment does not clash with itself), by dispatch roles or its engineer
    (`policies.RESCHEDULE_APPOINTMENT`). Event and customer SMS as on booking."""
    appointment = _appointment_booked(appointment_id, expected_version)
    if not APPOINTMENT.permits(RESCHEDULE_APPOINTMENT, actor, appointment):
        raise NotPermitted(_("Only dispatchers and the assigned engineer may change this visit."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the change."), code="required", field="reason")
    _appointment_check_window(day, window_start, window_end)
    _appointment_check_engineer(
        engineer=appointment.engineer,
        day=day,
        window_start=window_start,
        window_end=window_end,
        exclude_id=appointment.pk,
    )
    before = str(appointment)
    appointment.date, appointment.window_start, appointment.window_end = day, window_start, window_end
    appointment.reason = reason
    appointment.version += 1
    appointment.full_clean()
    appointment.save()
    appointment_notice_queue(appointment, change=RESCHEDULE)
    _appointment_event(
        appointment,
        actor=actor,
        action="appointment_reschedule",
        params={"before": before, "after": str(appointment)},
        note=reason,
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment_id: int, reason: str, actor, expected_version: int | None = None
) -> Appointment:
    """R12: cancel a booked visit with a reason (the "cancel" transition); the customer is told."""
    _appointment_booked(appointment_id, expected_version)
    return transition_run(
        APPOINTMENT,
        pk=appointment_id,
        action="cancel",
        actor=actor,
        expected_version=expected_version,
        inputs={"reason": reason},
    )


def appointment_complete(*, appointment_id: int) -> Appointment:
    """R12: the booked appointment is done once its visit is checked out (the system's
    "complete" transition, run by the visit's lifecycle)."""
    return transition_run(APPOINTMENT, pk=appointment_id, action="complete", actor=None)


@transaction.atomic
def appointments_follow_engineer(
    *, work_order: WorkOrder, actor
) -> tuple[list[Appointment], list[Appointment]]:
    """R12, R5: after a reassignment, the work order's booked visits that have not started yet go
    with it. Each moves to the new engineer when they are free then (not on leave, no overlapping
    booking); otherwise the system releases it (cancelled, with the reason). Either way the customer
    gets an SMS and the timeline an appointment event. Returns (moved, cancelled)."""
    engineer = work_order.engineer
    if engineer is None:
        return [], []
    now = timezone.localtime()
    pending = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("work_order", "engineer__user")
        .filter(work_order=work_order, state=AppointmentState.BOOKED)
        .filter(Q(date__gt=now.date()) | Q(date=now.date(), window_start__gt=now.time()))
        .exclude(engineer=engineer)
        .order_by("date", "window_start", "id")
    )
    moved: list[Appointment] = []
    cancelled: list[Appointment] = []
    for appointment in pending:
        conflict = _appointment_conflict(
            engineer=engineer,
            day=appointment.date,
            window_start=appointment.window_start,
            window_end=appointment.window_end,
        )
        if conflict is not None:
            released = transition_run(
                APPOINTMENT,
                pk=appointment.pk,
                action="release",
                actor=None,
                inputs={"engineer": engineer, "conflict": conflict},
            )
            cancelled.append(released)
            continue
        names = {"before": str(appointment.engineer), "after": str(engineer)}
        appointment.engineer = engineer
        appointment.reason = _("Engineer changed from %(before)s to %(after)s") % names
        appointment.version += 1
        appointment.full_clean()
        appointment.save(update_fields=["engineer", "reason", "version", "updated_at"])
        appointment_notice_queue(appointment, change=ENGINEER)
        _appointment_event(appointment, actor=actor, action="appointment_engineer", params=names)
        moved.append(appointment)
    return moved, cancelled
