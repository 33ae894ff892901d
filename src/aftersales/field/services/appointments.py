"""Writes for appointments (R12): booked, rescheduled and cancelled with the customer told, never
double-booking an engineer, following the work order to a new engineer."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Engineer
from aftersales.core.errors import ConcurrentUpdate, DomainError
from aftersales.core.phones import phone_display
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder

from ..events import APPOINTMENT
from ..models import Appointment, AppointmentState
from ..selectors import (
    engineer_on_leave,
)

APPOINTMENT_EVENT_ACTION = "appointment"


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


def _appointment_check_engineer(
    *, engineer: Engineer, day: date, window_start: time, window_end: time, exclude_id: int | None = None
) -> None:
    """On leave or already booked in an overlapping window: refused. The engineer row is locked
    first (PostgreSQL), so two concurrent bookings of the same engineer run one after the other and
    the second sees the first; SQLite serialises writers with its database lock."""
    Engineer.objects.select_for_update(of=("self",)).filter(pk=engineer.pk).first()
    if engineer_on_leave(engineer, day):
        raise DomainError(
            _("%(engineer)s is on leave on %(date)s.") % {"engineer": engineer, "date": f"{day:%Y-%m-%d}"},
            code="on_leave",
            field="date",
        )
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
    if clash is not None:
        raise DomainError(
            _("%(engineer)s is already booked %(start)s–%(end)s on %(date)s for work order %(number)s.")
            % {
                "engineer": engineer,
                "start": f"{clash.window_start:%H:%M}",
                "end": f"{clash.window_end:%H:%M}",
                "date": f"{day:%Y-%m-%d}",
                "number": clash.work_order.number,
            },
            code="double_booking",
            field="window_start",
        )


def _appointment_notify(appointment: Appointment, *, change: str) -> str:
    """Queue the SMS to the work order's contact in the company's language; returns the text.
    Idempotent per appointment version (`appt:<id>:<version>`)."""
    work_order = appointment.work_order
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "name": work_order.contact_name,
            "number": work_order.number,
            "date": f"{appointment.date:%Y-%m-%d}",
            "start": f"{appointment.window_start:%H:%M}",
            "end": f"{appointment.window_end:%H:%M}",
            "engineer": appointment.engineer,
            "reason": appointment.reason,
        }
        if change == "book":
            subject = _("Visit booked for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, our engineer %(engineer)s will visit you for service request %(number)s "
                    "on %(date)s between %(start)s and %(end)s."
                )
                % values
            )
        elif change == "reschedule":
            subject = _("Visit rescheduled for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, the visit for service request %(number)s has been moved to %(date)s "
                    "between %(start)s and %(end)s (%(reason)s)."
                )
                % values
            )
        elif change == "engineer":
            subject = _("Engineer changed for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, the visit for service request %(number)s on %(date)s between %(start)s "
                    "and %(end)s will be made by our engineer %(engineer)s."
                )
                % values
            )
        else:
            subject = _("Visit cancelled for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, the visit for service request %(number)s on %(date)s between %(start)s "
                    "and %(end)s has been cancelled (%(reason)s)."
                )
                % values
            )
    message_queue(
        channel=MessageChannel.SMS,
        recipient=phone_display(work_order.contact_phone),
        subject=subject,
        body=body,
        key=f"appt:{appointment.pk}:{appointment.version}",
    )
    return body


def _appointment_event(appointment: Appointment, *, actor, note: str) -> None:
    # A dedicated EventKind (e.g. APPOINTMENT) would read better on the timeline; NOTE until then.
    event_record(
        appointment.work_order,
        kind=APPOINTMENT,
        actor=actor,
        action=APPOINTMENT_EVENT_ACTION,
        note=note,
    )


def _appointment_locked(appointment_id: int, expected_version: int | None) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("work_order", "engineer__user")
        .get(pk=appointment_id)
    )
    if expected_version is not None and appointment.version != expected_version:
        raise ConcurrentUpdate(_("Someone else changed this appointment meanwhile; reload and try again."))
    if appointment.state != AppointmentState.BOOKED:
        raise DomainError(_("Only a booked appointment can be changed."), code="not_booked")
    return appointment


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

    Only for the engineer assigned to the work order; the window ends after it starts and is not
    over; the engineer is not on leave that day and has no other booked appointment overlapping
    the window (no double booking; back-to-back is fine). A timeline event is written and the
    customer gets an SMS after the commit."""
    if work_order.engineer_id is None or work_order.engineer_id != engineer.pk:
        raise DomainError(
            _("Book the visit with the engineer assigned to the work order."),
            code="not_assigned",
            field="engineer",
        )
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
    _appointment_notify(appointment, change="book")
    _appointment_event(
        appointment,
        actor=actor,
        note=_("Visit booked with %(engineer)s on %(date)s %(start)s–%(end)s")
        % {
            "engineer": engineer,
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
    booking (the appointment does not clash with itself). Event and customer SMS as on booking."""
    appointment = _appointment_locked(appointment_id, expected_version)
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
    _appointment_notify(appointment, change="reschedule")
    _appointment_event(
        appointment,
        actor=actor,
        note=_("Visit moved from %(before)s to %(after)s: %(reason)s")
        % {"before": before, "after": appointment, "reason": reason},
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment_id: int, reason: str, actor, expected_version: int | None = None
) -> Appointment:
    """R12: cancel a booked visit with a reason; the customer is told."""
    appointment = _appointment_locked(appointment_id, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the change."), code="required", field="reason")
    appointment.state = AppointmentState.CANCELLED
    appointment.reason = reason
    appointment.version += 1
    appointment.save(update_fields=["state", "reason", "version", "updated_at"])
    _appointment_notify(appointment, change="cancel")
    _appointment_event(
        appointment,
        actor=actor,
        note=_("Visit on %(when)s cancelled: %(reason)s") % {"when": appointment, "reason": reason},
    )
    return appointment


@transaction.atomic
def appointments_follow_engineer(
    *, work_order: WorkOrder, actor
) -> tuple[list[Appointment], list[Appointment]]:
    """R12, R5: after a reassignment, the work order's booked visits that have not started yet go
    with it. Each moves to the new engineer when they are free then (not on leave, no overlapping
    booking); otherwise it is cancelled with the reason. Either way the customer gets an SMS and
    the timeline an appointment event. Returns (moved, cancelled)."""
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
        before = appointment.engineer
        names = {"when": appointment, "before": before, "after": engineer}
        try:
            _appointment_check_engineer(
                engineer=engineer,
                day=appointment.date,
                window_start=appointment.window_start,
                window_end=appointment.window_end,
            )
        except DomainError as busy:
            appointment.state = AppointmentState.CANCELLED
            appointment.reason = _("Engineer changed; %(after)s is not free at that time") % names
            note = _("Visit on %(when)s cancelled after the change from %(before)s to %(after)s: %(why)s") % {
                **names,
                "why": busy.message,
            }
            change, done = "cancel", cancelled
        else:
            appointment.engineer = engineer
            appointment.reason = _("Engineer changed from %(before)s to %(after)s") % names
            note = _("Visit on %(when)s moved from %(before)s to %(after)s") % names
            change, done = "engineer", moved
        appointment.version += 1
        appointment.full_clean()
        appointment.save(update_fields=["engineer", "state", "reason", "version", "updated_at"])
        _appointment_notify(appointment, change=change)
        _appointment_event(appointment, actor=actor, note=note)
        done.append(appointment)
    return moved, cancelled


# On-site visits (R12) -------------------------------------------------------------------------
