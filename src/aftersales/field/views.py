"""Dispatch pages (R5, R38): the dispatch board and assign-by-click (HTMX swaps the row);
appointments (R12); the engineer's phone pages for visits and sign-off (R12, R15-R17), their
printed forms, and the supervision cards (R19).

Thin views: rows through selectors (scoped, R37), the assignment through `services.dispatch_assign`;
refusals are shown inline in the row, never a 500."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.selectors import engineers_in_scope, service_points_in_scope
from aftersales.core.errors import DomainError
from aftersales.core.excel import export_response
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.pdf import document_response
from aftersales.core.phones import phone_for
from aftersales.core.views import register_home_panel
from aftersales.workorders.selectors import workorder_get
from aftersales.workorders.services import workorder_transition
from aftersales.workorders.transitions import WORKORDER

from .choices import SupervisionState, VisitState
from .filtersets import SupervisionCardFilterSet
from .forms import (
    AppointmentBookForm,
    AppointmentCancelForm,
    AppointmentRescheduleForm,
    CalendarFilterForm,
    DispatchVisitForm,
    RefusalForm,
    SignOffForm,
    SupervisionActionForm,
    VisitInternalForm,
    VisitPartForm,
    VisitPhotoForm,
    VisitPlanForm,
    VisitRecordForm,
    VisitTransitionForm,
    WorkOrderCompleteForm,
    yes_no,
)
from .models import Visit
from .selectors import (
    BOARD_SIZE,
    appointment_calendar,
    appointment_get,
    dispatch_board_rows,
    dispatch_points_for,
    dispatch_suggest,
    dispatch_suggest_many,
    engineer_loads,
    engineer_today,
    service_form_context,
    signature_data_uri,
    supervision_card_context,
    supervision_get,
    supervision_list,
    visit_get,
    visit_photos,
    visit_signoff,
    warranty_record_context,
)
from .services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    dispatch_assign,
    supervision_transition,
    visit_create,
    visit_internal_update,
    visit_may_edit_internal,
    visit_part_add,
    visit_part_remove,
    visit_photo_add,
    visit_record,
    visit_sign,
    visit_signoff_refuse,
    visit_transition,
)
from .tables import SUPERVISION_EXPORT_HEADERS, supervision_export_rows
from .transitions import SUPERVISION_TRANSITIONS, VISIT_TRANSITIONS, transitions_available


def _require_dispatcher(request: HttpRequest) -> None:
    if not request.user.dispatches:
        raise PermissionDenied


def _row_context(
    work_order,
    suggestion,
    *,
    error: str = "",
    done: bool = False,
    reason: str = "",
    visit: dict | None = None,
) -> dict:
    return {
        "wo": work_order,
        "s": suggestion,
        "error": error,
        "done": done,
        "reason": reason,
        "visit": visit or {},
    }


@login_required
@require_GET
def dispatch_board(request: HttpRequest) -> HttpResponse:
    """`/field/dispatch/` (`?visit_date=&visit_from=&visit_until=` for a requested visit, R12):
    unassigned work orders with the suggested engineer and why, and the engineers' load today.
    A fixed number of queries whatever the number of rows."""
    _require_dispatcher(request)
    user = request.user
    rows = list(dispatch_board_rows(user)[: BOARD_SIZE + 1])
    truncated = len(rows) > BOARD_SIZE
    rows = rows[:BOARD_SIZE]
    visit = DispatchVisitForm(request.GET).visit()
    suggestions = dispatch_suggest_many(rows, points=dispatch_points_for(user), **visit)
    context = {
        "visit": visit,
        "rows": [_row_context(wo, suggestions[wo.pk], visit=visit) for wo in rows],
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
    visit = DispatchVisitForm(request.POST).visit()
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
                **visit,
            )
        except DomainError as exc:
            error = exc.message
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if is_partial(request):
        if not error:
            work_order = workorder_get(user, work_order.pk)
            return render(request, "field/_board_row.html", _row_context(work_order, None, done=True))
        suggestion = dispatch_suggest(work_order, points=dispatch_points_for(user), **visit)
        context = _row_context(work_order, suggestion, error=error, reason=reason, visit=visit)
        return render(request, "field/_board_row.html", context)
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


# On-site visits (R12), sign-off (R15-R17) ----------------------------------------------------


def _visit_back(visit, anchor: str = "") -> HttpResponse:
    return redirect(reverse("field:visit_detail", args=[visit.pk]) + (f"#{anchor}" if anchor else ""))


def _visit_run(request: HttpRequest, call, success: str) -> bool:
    """Run a service call; its refusals become messages on the page, never a 500."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)
        return True
    return False


def _visit_form(request: HttpRequest, form_class, **kwargs):
    """The bound form's cleaned data, or None after turning its errors into messages."""
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        return form.cleaned_data
    _form_messages(request, form)
    return None


@login_required
@require_GET
def today_view(request: HttpRequest) -> HttpResponse:
    """`/field/today/`: the signed-in engineer's jobs of the day, phone first (R12): address with a
    map link, call button, and the visit to open."""
    return render(request, "field/today.html", {"jobs": engineer_today(request.user)})


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/`: the visit on the engineer's phone: its steps, what is recorded on
    site, the customer's sign-off, the internal fields and the supervision card."""
    user = request.user
    visit = visit_get(user, pk)
    work_order = visit.work_order
    signoff = visit_signoff(visit)
    card = getattr(visit, "supervision_card", None)
    editable = (
        visit.is_on_site and signoff is None and VISIT_TRANSITIONS["arrive"].permits(user, visit.engineer)
    )
    initial = {"version": visit.version}
    complete = WORKORDER["complete"]
    context = {
        "visit": visit,
        "wo": work_order,
        "contact_phone": phone_for(user, work_order.contact_phone),
        "actions": transitions_available(VISIT_TRANSITIONS, visit, visit.engineer, user),
        "transition_form": VisitTransitionForm(initial=initial),
        "editable": editable,
        "record_form": VisitRecordForm(
            visit=visit,
            initial={
                **initial,
                "findings": visit.findings,
                "checked": [i for i, item in enumerate(visit.checklist) if item.get("ok")],
                "plan_change": visit.plan_change,
                "plan_change_agreed": {True: "yes", False: "no"}.get(visit.plan_change_agreed, ""),
            },
        ),
        "parts": list(visit.parts.all()),
        "part_form": VisitPartForm(),
        "photos": visit_photos(visit),
        "photo_form": VisitPhotoForm(),
        "may_photo": visit.is_on_site and VISIT_TRANSITIONS["arrive"].permits(user, visit.engineer),
        "internal_form": VisitInternalForm(
            initial={**initial, "fault_cause": visit.fault_cause, "repair_measures": visit.repair_measures}
        ),
        "may_internal": visit_may_edit_internal(user, visit),
        "signoff": signoff,
        "signature": signature_data_uri(signoff),
        "signoff_form": SignOffForm(initial={**initial, "signer_name": work_order.contact_name}),
        "refusal_form": RefusalForm(initial=initial),
        "may_complete": (
            signoff is not None
            and signoff.allows_completion
            and visit.state == VisitState.DONE
            and complete.allows_state(work_order.state)
            and WORKORDER.permits(complete, user, work_order)
        ),
        "complete_form": WorkOrderCompleteForm(initial={"resolution": visit.findings}),
        "card": card,
        "card_actions": transitions_available(SUPERVISION_TRANSITIONS, card, visit.engineer, user)
        if card
        else [],
        "card_form": SupervisionActionForm(
            initial={"version": card.version, "summary": card.summary or visit.findings}
        )
        if card
        else None,
        "card_late": card.is_late() if card else False,
    }
    return render(request, "field/visit.html", context)


@login_required
@require_POST
def visit_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/visits/`: plan a visit of the assigned engineer (today by default)."""
    work_order = workorder_get(request.user, pk)
    data = _visit_form(request, VisitPlanForm)
    created = []
    if data is not None:
        _visit_run(
            request,
            lambda: created.append(
                visit_create(work_order=work_order, actor=request.user, planned_date=data["planned_date"])
            ),
            _("Visit planned."),
        )
    return _visit_back(created[0]) if created else redirect("workorders:detail", pk=work_order.pk)


@login_required
@require_POST
def visit_from_appointment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/appointments/<id>/visit/`: open the visit of a booked appointment (Today's jobs)."""
    appointment = appointment_get(request.user, pk)
    existing = Visit.objects.filter(appointment=appointment).first()
    if existing is not None:
        return _visit_back(existing)
    created = []
    _visit_run(
        request,
        lambda: created.append(
            visit_create(work_order=appointment.work_order, actor=request.user, appointment=appointment)
        ),
        _("Visit opened."),
    )
    return _visit_back(created[0]) if created else redirect("field:today")


def _visit_post(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    call,
    success: str,
    anchor: str = "",
    bind_visit: bool = False,
) -> HttpResponse:
    """The shape of every form of the visit page: the visit in the user's scope (404), the form's
    data (its errors as messages), the service `call(visit, data)` (its refusals as messages),
    then back to the page."""
    visit = visit_get(request.user, pk)
    data = _visit_form(request, form_class, **({"visit": visit} if bind_visit else {}))
    if data is not None:
        _visit_run(request, lambda: call(visit, data), success)
    return _visit_back(visit, anchor)


@login_required
@require_POST
def visit_transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """`/field/visits/<pk>/do/<action>/`: start trip, check in, check out, cancel (R12)."""
    transition = VISIT_TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    return _visit_post(
        request,
        pk,
        form_class=VisitTransitionForm,
        success=_("%(action)s: done.") % {"action": transition.label},
        call=lambda visit, data: visit_transition(
            visit_id=visit.pk,
            action=action,
            actor=request.user,
            expected_version=data["version"],
            reason=data["reason"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy=data["accuracy"],
        ),
    )


@login_required
@require_POST
def visit_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/record/`: findings, self-check, plan change (R12, R15)."""
    return _visit_post(
        request,
        pk,
        form_class=VisitRecordForm,
        bind_visit=True,
        anchor="record",
        success=_("Visit record saved."),
        call=lambda visit, data: visit_record(
            visit_id=visit.pk,
            actor=request.user,
            findings=data["findings"],
            checked=data["checked"],
            plan_change=data["plan_change"],
            plan_change_agreed=yes_no(data["plan_change_agreed"]),
            expected_version=data["version"],
        ),
    )


@login_required
@require_POST
def visit_part_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/parts/`: a part replaced and shown to the customer (R12)."""
    return _visit_post(
        request,
        pk,
        form_class=VisitPartForm,
        anchor="parts",
        success=_("Part recorded."),
        call=lambda visit, data: visit_part_add(visit_id=visit.pk, actor=request.user, **data),
    )


@login_required
@require_POST
def visit_part_remove_view(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    visit = visit_get(request.user, pk)
    part = get_object_or_404(visit.parts, pk=part_pk)
    _visit_run(request, lambda: visit_part_remove(part_id=part.pk, actor=request.user), _("Part removed."))
    return _visit_back(visit, "parts")


@login_required
@require_POST
def visit_photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/photos/`: a photo from the phone's camera, kept as an attachment (R12, R21)."""
    return _visit_post(
        request,
        pk,
        form_class=VisitPhotoForm,
        anchor="photos",
        success=_("Photo added."),
        call=lambda visit, data: visit_photo_add(
            visit_id=visit.pk, actor=request.user, upload=data["file"], description=data["description"]
        ),
    )


@login_required
@require_POST
def visit_internal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/internal/`: fault cause and repair measures, internal (R16)."""
    return _visit_post(
        request,
        pk,
        form_class=VisitInternalForm,
        anchor="internal",
        success=_("Internal fault cause and measures saved."),
        call=lambda visit, data: visit_internal_update(
            visit_id=visit.pk,
            actor=request.user,
            fault_cause=data["fault_cause"],
            repair_measures=data["repair_measures"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_POST
def visit_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/sign/`: the customer's ratings and signature (R15, R16)."""
    return _visit_post(
        request,
        pk,
        form_class=SignOffForm,
        anchor="signoff",
        success=_("The customer's signature is recorded."),
        call=lambda visit, data: visit_sign(
            visit_id=visit.pk,
            actor=request.user,
            quality_rating=data["quality_rating"],
            attitude_rating=data["attitude_rating"],
            satisfied=yes_no(data["satisfied"]) is True,
            signer_name=data["signer_name"],
            drawn_signature=data["signature"],
            stamp=data["stamp"],
            comment=data["comment"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_POST
def visit_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/refuse/`: the customer refuses to sign; recorded with the reason (R17)."""
    return _visit_post(
        request,
        pk,
        form_class=RefusalForm,
        anchor="signoff",
        success=_("The refusal is recorded; the work order stays open."),
        call=lambda visit, data: visit_signoff_refuse(
            visit_id=visit.pk,
            actor=request.user,
            reason=data["refusal_reason"],
            satisfied=yes_no(data["satisfied"]),
            comment=data["comment"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_POST
def visit_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/complete/`: complete the work order after a satisfied sign-off (R15);
    the lifecycle's guard refuses it otherwise (R17)."""
    return _visit_post(
        request,
        pk,
        form_class=WorkOrderCompleteForm,
        success=_("The work order is completed."),
        call=lambda visit, data: workorder_transition(
            work_order_id=visit.work_order_id,
            action="complete",
            actor=request.user,
            resolution=data["resolution"],
        ),
    )


# Printed forms (R15, R16, R19, R21) ---------------------------------------------------------


def _document(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The print view or PDF of a visit's form, named after the form, number and copy."""
    parts = [context["title"], context["number"], context.get("copy_label", "")]
    filename = "-".join(str(part) for part in parts if part)
    return document_response(request, template_name=template, context=context, filename=filename)


@login_required
@require_GET
def visit_service_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/service-form/` (`?format=pdf`): 维修服务单, with the signature once signed."""
    return _document(
        request, "field/forms/service_form.html", service_form_context(visit_get(request.user, pk))
    )


@login_required
@require_GET
def visit_warranty_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/warranty-record/?copy=internal|customer`: 保修记录单; the customer's copy
    (the default) leaves out the internal fault cause and measures (R16)."""
    visit = visit_get(request.user, pk)
    internal = request.GET.get("copy") == "internal"
    return _document(
        request, "field/forms/warranty_record.html", warranty_record_context(visit, internal=internal)
    )


# Supervision cards (R19) ----------------------------------------------------------------------


def supervision_filterset(request: HttpRequest) -> SupervisionCardFilterSet:
    filterset = SupervisionCardFilterSet(
        request.GET, queryset=supervision_list(request.user), request=request
    )
    filterset.filters["engineer"].queryset = engineers_in_scope(request.user)
    filterset.filters["service_point"].queryset = service_points_in_scope(request.user)
    form = filterset.form
    form.fields["state"].widget = forms.CheckboxSelectMultiple(choices=form.fields["state"].choices)
    for name in ("visit_from", "visit_until"):
        form.fields[name].widget.input_type = "date"
    return filterset


SUPERVISION_PAGE_SIZE = 50


@login_required
@require_GET
def supervision_list_view(request: HttpRequest) -> HttpResponse:
    """`/field/supervision/`: the cards of the visits in the user's scope (R37), late ones
    highlighted; filter, sort, page, export; the service centre verifies from here (R19)."""
    filterset = supervision_filterset(request)
    page = Paginator(filterset.qs, SUPERVISION_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "rows": [
            (card, transitions_available(SUPERVISION_TRANSITIONS, card, card.visit.engineer, request.user))
            for card in page.object_list
        ],
        "export_query": request.GET.urlencode(),
    }
    return render_page_or_partial(
        request,
        page_template="field/supervision_list.html",
        partial_template="field/_supervision_table.html",
        context=context,
    )


@login_required
@require_GET
def supervision_export_view(request: HttpRequest) -> HttpResponse:
    """`/field/supervision/export.xlsx`: the filtered, scoped list; the export is logged (R41)."""
    filterset = supervision_filterset(request)
    return export_response(
        request=request,
        resource="supervision_cards",
        title=_("Service task supervision cards"),
        headers=SUPERVISION_EXPORT_HEADERS,
        rows=supervision_export_rows(filterset.qs.iterator(chunk_size=2000)),
    )


@login_required
@require_POST
def supervision_transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """`/field/supervision/<pk>/do/<action>/`: submit, verify or send back a card (R19)."""
    card = supervision_get(request.user, pk)
    transition = SUPERVISION_TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    data = _visit_form(request, SupervisionActionForm)
    if data is not None:
        _visit_run(
            request,
            lambda: supervision_transition(
                card_id=card.pk,
                action=action,
                actor=request.user,
                summary=data["summary"],
                note=data["note"],
                expected_version=data["version"],
            ),
            _("%(action)s: done.") % {"action": transition.label},
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return _visit_back(card.visit, "card")


@login_required
@require_GET
def supervision_card_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/supervision/<pk>/print/` (`?format=pdf`): 服务任务监督卡."""
    return _document(
        request,
        "field/forms/supervision_card.html",
        supervision_card_context(supervision_get(request.user, pk)),
    )


def home_panel(request: HttpRequest) -> dict:
    """The home page's visit panel: the engineer's jobs today, the service centre's cards to
    verify, and late cards not verified yet (R19), all scoped (R37)."""
    user = request.user
    cards = supervision_list(user)
    today = engineer_today(user) if getattr(user, "engineer", None) is not None else None
    return {
        "today": today,
        "today_count": len(today.visits) + len(today.appointments) if today else 0,
        "to_verify": (
            cards.filter(state=SupervisionState.SUBMITTED).count()
            if SUPERVISION_TRANSITIONS["verify"].permits(user, None)
            else None
        ),
        "late": cards.filter(late=True).exclude(state=SupervisionState.VERIFIED).count(),
    }


register_home_panel("field/_home_panel.html", home_panel, order=15)
