"""The schedule board's one step (R5, R38, R12): assign an engineer and book the visit with the
customer at once, through the same services as the assign form and the booking form, in one
transaction: a refusal of either (not qualified, on leave, double booked, window over, another
engineer than the suggested one without a reason, the work order changed meanwhile) saves
nothing."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction

from aftersales.accounts.models import Engineer

from ..models import Appointment
from .appointments import _appointment_check_window, appointment_book
from .dispatch import dispatch_assign


@transaction.atomic
def schedule_assign_book(
    *,
    work_order_id: int,
    engineer: Engineer,
    day: date,
    window_start: time,
    window_end: time,
    actor,
    reason: str = "",
    expected_version: int | None = None,
) -> Appointment:
    """R5, R38, R12: `dispatch_assign` (the lifecycle's "assign": qualified engineer, not on leave
    today nor on the day, a reason when not the engineer suggested for that day and window), then
    `appointment_book` for that day and window (not on leave, no overlapping booking, not over).
    Either refuses with its DomainError and the whole step is rolled back."""
    _appointment_check_window(day, window_start, window_end)  # before anything is written
    work_order = dispatch_assign(
        work_order_id=work_order_id,
        engineer=engineer,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        day=day,
        window=(window_start, window_end),
    )
    return appointment_book(
        work_order=work_order,
        engineer=engineer,
        day=day,
        window_start=window_start,
        window_end=window_end,
        actor=actor,
    )
