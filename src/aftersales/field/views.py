"""Dispatch pages (R5, R38): the dispatch board and assign-by-click (HTMX swaps the row).

Thin views: rows through selectors (scoped, R37), the assignment through `services.dispatch_assign`;
refusals are shown inline in the row, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.selectors import engineers_in_scope
from aftersales.core.errors import DomainError
from aftersales.core.htmx import is_partial
from aftersales.workorders.selectors import workorder_get

from .forms import AppointmentBookForm, AppointmentCancelForm, AppointmentRescheduleForm, CalendarFilterForm
from .selectors import (
    BOARD_SIZE,
    appointment_calendar,
    appointment_get,
    dispatch_board_rows,
    dispatch_points_for,
    dispatch_suggest,
    dispatch_suggest_many,
    engineer_loads,
)
from .services import appointment_book, appointment_cancel, appointment_reschedule, dispatch_assign


def _require_dispatcher(request: HttpRequest) -> None:
    if not request.user.dispatches:
        raise PermissionDenied


def _row_context(work_order, suggestion, *, error: str = "", done: bool = False, reason: str = "") -> dict:
    return {"wo": work_order, "s": suggestion, "error": error, "done": done, "reason": reason}


@login_required
@require_GET
def dispatch_board(request: HttpRequest) -> HttpResponse:
    """`/field/dispatch/`: unassigned work orders with the suggested engineer and why, and the
    engineers' load today. A fixed number of queries whatever the number of rows."""
    _require_dispatcher(request)
    user = request.user
    rows = list(dispatch_board_rows(user)[: BOARD_SIZE + 1])
    truncated = len(rows) > BOARD_SIZE
    rows = rows[:BOARD_SIZE]
    suggestions = dispatch_suggest_many(rows, points=dispatch_points_for(user))
    context = {
        "rows": [_row_context(wo, suggestions[wo.pk]) for wo in rows],
        "truncated": truncated,
        "board_size": BOARD_SIZE,
        "engineers": engineer_loads(user),
    }
    return render(request, "field/dispatch_board.html", context)


@login_required
@require_POST
def dispatch_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/dispatch/<pk>/assign/`: assign the chosen engineer; for HTMX the row is returned
    (assigned, or with the refusal inline), else back to the board or `next`."""
    _require_dispatcher(request)
    user = request.user
    work_order = workorder_get(user, pk)
    reason = request.POST.get("reason", "").strip()
    error = ""
    engineer = None
    try:
        engineer_id = int(request.POST.get("engineer", ""))
    except ValueError:
        error = _("Choose an engineer.")
    else:
        engineer = engineers_in_scope(user).filter(pk=engineer_id).first()
        if engineer is None:
            error = _("Choose an engineer.")
    if engineer is not None:
        try:
            version = int(request.POST["version"]) if request.POST.get("version") else None
            work_order = dispatch_assign(
                work_order_id=work_order.pk,
                engineer=engineer,
                actor=user,
                reason=reason,
                expected_version=version,
            )
        except DomainError as exc:
            error = exc.message
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if is_partial(request):
        if not error:
            work_order = workorder_get(user, work_order.pk)
            return render(request, "field/_board_row.html", _row_context(work_order, None, done=True))
        suggestion = dispatch_suggest(work_order, points=dispatch_points_for(user))
        return render(
            request, "field/_board_row.html", _row_context(work_order, suggestion, error=error, reason=reason)
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Work order %(number)s assigned to %(engineer)s.")
            % {"number": work_order.number, "engineer": engineer},
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("field:dispatch_board")


# Appointments (R12) ---------------------------------------------------------------------------


def _may_book(user, work_order) -> bool:
    """Dispatch roles, and the engineer assigned to the work order."""
    if user.dispatches:
        return True
    engineer = getattr(user, "engineer", None)
    return engineer is not None and work_order.engineer_id == engineer.pk


def _form_messages(request: HttpRequest, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _appointment_done(request: HttpRequest, work_order, call, success: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect("workorders:detail", pk=work_order.pk)


@login_required
@require_POST
def appointment_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/appointments/`: book a visit with the assigned engineer."""
    work_order = workorder_get(request.user, pk)
    if not _may_book(request.user, work_order):
        raise PermissionDenied
    form = AppointmentBookForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("workorders:detail", pk=work_order.pk)
    data = form.cleaned_data
    if work_order.engineer is None:
        messages.error(request, _("Assign an engineer before booking a visit."))
        return redirect("workorders:detail", pk=work_order.pk)
    return _appointment_done(
        request,
        work_order,
        lambda: appointment_book(
            work_order=work_order,
            engineer=work_order.engineer,
            day=data["date"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            actor=request.user,
        ),
        _("Visit booked."),
    )


def _appointment_change(request: HttpRequest, pk: int, form_class) -> tuple:
    """The appointment and its work order, both in the user's scope (404), the right to change
    it (403), and the form's data, or None when the form is invalid (its errors are messages)."""
    appointment = appointment_get(request.user, pk)
    work_order = workorder_get(request.user, appointment.work_order_id)
    if not _may_book(request.user, work_order):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return appointment, work_order, None
    return appointment, work_order, form.cleaned_data


@login_required
@require_POST
def appointment_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/appointments/<id>/reschedule/`: a new day and window, with a reason."""
    appointment, work_order, data = _appointment_change(request, pk, AppointmentRescheduleForm)
    if data is None:
        return redirect("workorders:detail", pk=work_order.pk)
    return _appointment_done(
        request,
        work_order,
        lambda: appointment_reschedule(
            appointment_id=appointment.pk,
            day=data["date"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            reason=data["reason"],
            actor=request.user,
            expected_version=data.get("version"),
        ),
        _("Visit rescheduled."),
    )


@login_required
@require_POST
def appointment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/appointments/<id>/cancel/`: cancel a booked visit, with a reason."""
    appointment, work_order, data = _appointment_change(request, pk, AppointmentCancelForm)
    if data is None:
        return redirect("workorders:detail", pk=work_order.pk)
    return _appointment_done(
        request,
        work_order,
        lambda: appointment_cancel(
            appointment_id=appointment.pk,
            reason=data["reason"],
            actor=request.user,
            expected_version=data.get("version"),
        ),
        _("Visit cancelled."),
    )


@login_required
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    """`/field/calendar/?engineer=<id>&week=YYYY-MM-DD` or `?service_point=<id>`: a week grid of
    booked visits (R12), limited to the engineers in the user's scope (R37)."""
    form = CalendarFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("week") or timezone.localdate()
    week = appointment_calendar(
        request.user,
        day=day,
        engineer_id=data.get("engineer"),
        service_point_id=data.get("service_point"),
    )
    engineers = list(engineers_in_scope(request.user))
    points = {e.service_point_id: e.service_point for e in engineers}
    context = {
        "week": week,
        "engineer_choices": engineers,
        "point_choices": sorted(points.values(), key=lambda p: p.code),
        "selected_engineer": data.get("engineer"),
        "selected_point": data.get("service_point"),
        "today": timezone.localdate(),
    }
    return render(request, "field/calendar.html", context)
