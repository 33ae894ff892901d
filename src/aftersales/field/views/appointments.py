"""Appointments (R12): book, reschedule and cancel a visit from the work-order page, and the week (or
day) calendar of the engineers in the user's scope (R37)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.forms import REFUSALS, error_messages, form_error_messages
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_get
from aftersales.workorders.transitions import WORKORDER

from ..forms import (
    AppointmentBookForm,
    AppointmentCancelForm,
    AppointmentRescheduleForm,
    CalendarChoicesForm,
    CalendarFilterForm,
)
from ..policies import BOOK_APPOINTMENT, RESCHEDULE_APPOINTMENT
from ..selectors import appointment_calendar, appointment_get
from ..services import appointment_book, appointment_cancel, appointment_reschedule
from ..transitions import APPOINTMENT


def _run(request: HttpRequest, form, call: Callable[..., Any], success: str) -> None:
    """The form's data to the service: its errors and the service's refusals become messages."""
    if not form.is_valid():
        form_error_messages(request, form)
        return
    try:
        call(actor=request.user, **form.service_kwargs())
    except REFUSALS as error:
        error_messages(request, error)
    else:
        messages.success(request, success)


@login_required
@require_POST
def appointment_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/appointments/`: book a visit with the assigned engineer
    (`policies.BOOK_APPOINTMENT`: 403 for others)."""
    work_order = workorder_get(request.user, pk)
    if not WORKORDER.permits(BOOK_APPOINTMENT, request.user, work_order):
        raise PermissionDenied
    _run(
        request,
        AppointmentBookForm(request.POST),
        lambda **kwargs: appointment_book(work_order=work_order, engineer=work_order.engineer, **kwargs),
        _("Visit booked."),
    )
    return redirect(detail_url(work_order.pk, "service", "appointments-panel"))


@login_required
@require_POST
def appointment_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/appointments/<id>/reschedule/`: a new day and window, with a reason."""
    appointment = appointment_get(request.user, pk)
    if not APPOINTMENT.permits(RESCHEDULE_APPOINTMENT, request.user, appointment):
        raise PermissionDenied
    _run(
        request,
        AppointmentRescheduleForm(request.POST),
        lambda **kwargs: appointment_reschedule(appointment_id=appointment.pk, **kwargs),
        _("Visit rescheduled."),
    )
    return redirect(detail_url(appointment.work_order_id, "service", "appointments-panel"))


@login_required
@require_POST
def appointment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/appointments/<id>/cancel/`: cancel a booked visit, with a reason."""
    appointment = appointment_get(request.user, pk)
    if not APPOINTMENT.permits(APPOINTMENT["cancel"], request.user, appointment):
        raise PermissionDenied
    _run(
        request,
        AppointmentCancelForm(request.POST),
        lambda **kwargs: appointment_cancel(appointment_id=appointment.pk, **kwargs),
        _("Visit cancelled."),
    )
    return redirect(detail_url(appointment.work_order_id, "service", "appointments-panel"))


@login_required
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    """`/field/calendar/?engineer=<id>&week=YYYY-MM-DD` or `?service_point=<id>`: a week grid of
    booked visits (R12), or a day's with `&span=day`, limited to the engineers in the user's scope
    (R37)."""
    form = CalendarFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("week") or timezone.localdate()
    week = appointment_calendar(
        request.user,
        day=day,
        engineer_id=data.get("engineer"),
        service_point_id=data.get("service_point"),
        single_day=data.get("span") == "day",
        page=data.get("page") or 1,
    )

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    choices = CalendarChoicesForm(
        request.user, initial={"engineer": data.get("engineer"), "service_point": data.get("service_point")}
    )
    context = {
        "week": week,
        "choices": choices,
        "selected_engineer": data.get("engineer"),
        "selected_point": data.get("service_point"),
        "today": timezone.localdate(),
        "previous_page_url": page_url(week.page - 1) if week.page > 1 else "",
        "next_page_url": page_url(week.page + 1) if week.has_next else "",
    }
    return render(request, "field/calendar.html", context)
