"""The engineer's phone pages (R12): today's jobs, the visit page with its steps (start trip, check
in, check out, cancel), what is recorded on site (findings, self-check, plan change, parts, photos),
the internal fault cause and measures (R16), and completing the work order after a satisfied
sign-off (R15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from aftersales.catalog.models import Part, part_number_normalize
from aftersales.core.forms import REFUSALS, error_messages, form_error_messages
from aftersales.core.views import TransitionView, transition_buttons
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.errors import InsufficientStock
from aftersales.parts.selectors_stock import shortage_help
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.privacy import workorder_personal
from aftersales.workorders.selectors import workorder_get
from aftersales.workorders.services import workorder_transition

from ..forms import (
    CARD_TRANSITION_FIELDS,
    VISIT_TRANSITION_FIELDS,
    RefusalForm,
    SignOffForm,
    VisitInternalForm,
    VisitPartForm,
    VisitPartsRequestForm,
    VisitPhotoForm,
    VisitPlanForm,
    VisitRecordForm,
    WorkOrderCompleteForm,
)
from ..models import Visit
from ..policies import (
    may_add_visit_photo,
    may_complete_from_visit,
    may_edit_visit_internal,
    may_edit_visit_record,
    may_record_signoff,
)
from ..printing import signature_data_uri
from ..selectors import (
    appointment_get,
    engineer_today,
    part_sources,
    signed_form_of,
    van_stock,
    visit_get,
    visit_photos,
    visit_signoff,
)
from ..services import (
    visit_create,
    visit_internal_update,
    visit_part_add,
    visit_part_remove,
    visit_parts_request,
    visit_photo_add,
    visit_record,
)
from ..transitions import SUPERVISION_CARD, VISIT


def visit_back(visit: Visit, anchor: str = "") -> HttpResponse:
    return redirect(reverse("field:visit_detail", args=[visit.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def today_view(request: HttpRequest) -> HttpResponse:
    """`/field/today/`: the signed-in engineer's jobs of the day, phone first (R12): address with a
    map link, call button, and the visit to open."""
    return render(request, "field/today.html", {"jobs": engineer_today(request.user)})


def _card_buttons(card, visit: Visit, user) -> list:
    """The card's steps this user may run, the engineer's feedback proposed from the findings."""
    buttons = transition_buttons(SUPERVISION_CARD, card, user, CARD_TRANSITION_FIELDS)
    for _transition, form in buttons:
        if "summary" in form.fields:
            form.initial["summary"] = card.summary or visit.findings
    return buttons


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/`: the visit on the engineer's phone: its steps, what is recorded on
    site, the customer's sign-off, the internal fields and the supervision card."""
    return visit_page(request, visit_get(request.user, pk))


def visit_page(
    request: HttpRequest, visit: Visit, *, signoff_form: SignOffForm | None = None, status: int = 200
) -> HttpResponse:
    """The visit page; `signoff_form` bound with what was posted when the sign-off comes back to be
    confirmed or corrected (the answers and the drawn signature kept)."""
    user = request.user
    work_order = visit.work_order
    signoff = visit_signoff(visit)
    card = getattr(visit, "supervision_card", None)
    initial = {"version": visit.version}
    context = {
        "visit": visit,
        "wo": work_order,
        **workorder_personal(user, work_order),
        "actions": transition_buttons(VISIT, visit, user, VISIT_TRANSITION_FIELDS),
        "editable": may_edit_visit_record(user, visit),
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
        "parts": list(visit.parts.select_related("warehouse", "old_part")),
        "part_form": VisitPartForm(visit=visit),
        "van_stock": van_stock(visit.engineer_id) if may_edit_visit_record(user, visit) else [],
        "shortage": _shortage(request, visit) if may_edit_visit_record(user, visit) else None,
        "photos": visit_photos(visit),
        "photo_form": VisitPhotoForm(),
        "may_photo": may_add_visit_photo(user, visit),
        "internal_form": VisitInternalForm(
            initial={**initial, "fault_cause": visit.fault_cause, "repair_measures": visit.repair_measures}
        ),
        "may_internal": may_edit_visit_internal(user, visit),
        "signoff": signoff,
        "may_sign": may_record_signoff(user, visit),
        "signature": signature_data_uri(signoff),
        "signed_form": signed_form_of(signoff),
        "signoff_form": signoff_form
        or SignOffForm(initial={**initial, "signer_name": work_order.contact_name}),
        "refusal_form": RefusalForm(initial=initial),
        "may_complete": may_complete_from_visit(user, visit, signoff),
        "complete_form": WorkOrderCompleteForm(initial={"resolution": visit.findings}),
        "card": card,
        "card_actions": _card_buttons(card, visit, user) if card else [],
        "card_late": card.is_late() if card else False,
    }
    return render(request, "field/visit.html", context, status=status)


def _plan(request: HttpRequest, fallback: HttpResponse, success: str, **kwargs: Any) -> HttpResponse:
    try:
        visit = visit_create(actor=request.user, **kwargs)
    except REFUSALS as error:
        error_messages(request, error)
        return fallback
    messages.success(request, success)
    return visit_back(visit)


@login_required
@require_POST
def visit_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/visits/`: plan a visit of the assigned engineer (today by default)."""
    work_order = workorder_get(request.user, pk)
    back = redirect(detail_url(work_order.pk, "service", "visits"))
    form = VisitPlanForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return back
    return _plan(
        request,
        back,
        _("Visit planned."),
        work_order=work_order,
        planned_date=form.cleaned_data["planned_date"],
    )


@login_required
@require_POST
def visit_from_appointment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/appointments/<id>/visit/`: open the visit of a booked appointment (Today's jobs)."""
    appointment = appointment_get(request.user, pk)
    existing = Visit.objects.filter(appointment=appointment).first()
    if existing is not None:
        return visit_back(existing)
    return _plan(
        request,
        redirect("field:today"),
        _("Visit opened."),
        work_order=appointment.work_order,
        appointment=appointment,
    )


class VisitTransitionView(TransitionView):
    """`/field/visits/<pk>/do/<action>/`: start trip, check in, check out, cancel (R12)."""

    machine = VISIT
    fields = VISIT_TRANSITION_FIELDS

    def get_object(self, request: HttpRequest, pk: int) -> Visit:
        return visit_get(request.user, pk)

    def redirect_to(self, request: HttpRequest, obj: Visit) -> HttpResponse:
        return visit_back(obj)


class VisitFormView(LoginRequiredMixin, View):
    """`POST` of one form of the visit page: the visit in the user's scope (404), the form's data
    (its errors as messages), the service (its refusals as messages), then back to the page."""

    http_method_names = ["post"]
    form_class: type[forms.Form]
    service: Callable[..., Any]
    success: Any = ""
    anchor = ""

    def run(self, request: HttpRequest, visit: Visit, form) -> Any:
        return self.service(visit_id=visit.pk, actor=request.user, **form.service_kwargs())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = visit_get(request.user, pk)
        form = self.form_class(request.POST, request.FILES, visit=visit)
        if not form.is_valid():
            form_error_messages(request, form)
            return visit_back(visit, self.anchor)
        try:
            self.run(request, visit, form)
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, str(self.success))
        return visit_back(visit, self.anchor)


class VisitRecordView(VisitFormView):
    """`/field/visits/<pk>/record/`: findings, self-check, plan change (R12, R15)."""

    form_class = VisitRecordForm
    service = staticmethod(visit_record)
    success = gettext_lazy("Visit record saved.")
    anchor = "record"


class VisitPartAddView(VisitFormView):
    """`/field/visits/<pk>/parts/`: a part replaced and shown to the customer (R12); when the van or
    store is short, the page comes back offering substitutes, nearby stock and asking the store."""

    form_class = VisitPartForm
    service = staticmethod(visit_part_add)
    success = gettext_lazy("Part recorded.")
    anchor = "parts"

    def run(self, request: HttpRequest, visit: Visit, form) -> Any:
        self.shortage: dict[str, Any] | None = None
        try:
            return super().run(request, visit, form)
        except InsufficientStock as error:
            self.shortage = {
                "short": form.cleaned_data["part_number"],
                "quantity": form.cleaned_data["quantity"],
                "warehouse": error.warehouse_id,
            }
            raise

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.shortage = None
        response = super().post(request, pk)
        if self.shortage:
            response["Location"] = (
                f"{reverse('field:visit_detail', args=[pk])}?{urlencode(self.shortage)}#parts"
            )
        return response


class VisitPartsRequestView(VisitFormView):
    """`/field/visits/<pk>/parts/request/`: ask the service point's store for a part the van lacks."""

    form_class = VisitPartsRequestForm
    service = staticmethod(visit_parts_request)
    success = gettext_lazy(
        "Asked the service point's store for the part: it comes as a transfer to your van."
    )
    anchor = "parts"


def _shortage(request: HttpRequest, visit: Visit) -> dict[str, Any] | None:
    """R32: what to offer after a refused part (`?short=<number>&quantity=&warehouse=`)."""
    number = request.GET.get("short", "")
    part = Part.objects.filter(number=part_number_normalize(number)).first() if number else None
    sources = {w.pk: w for w in part_sources(visit)}
    warehouse = sources.get(int(request.GET.get("warehouse") or 0)) if part else None
    if part is None or warehouse is None:
        return None
    quantity = request.GET.get("quantity", "1")
    return {
        "help": shortage_help(user=request.user, part=part, warehouse=warehouse),
        "quantity": int(quantity) if quantity.isdigit() and int(quantity) > 0 else 1,
        "may_ask_store": any(w.kind == WarehouseKind.SERVICE_POINT for w in sources.values())
        and warehouse.kind == WarehouseKind.VAN,
    }


class VisitPhotoAddView(VisitFormView):
    """`/field/visits/<pk>/photos/`: a photo from the phone's camera, kept as an attachment (R12, R21)."""

    form_class = VisitPhotoForm
    service = staticmethod(visit_photo_add)
    success = gettext_lazy("Photo added.")
    anchor = "photos"


class VisitInternalView(VisitFormView):
    """`/field/visits/<pk>/internal/`: fault cause and repair measures, internal (R16)."""

    form_class = VisitInternalForm
    service = staticmethod(visit_internal_update)
    success = gettext_lazy("Internal fault cause and measures saved.")
    anchor = "internal"


class VisitCompleteView(VisitFormView):
    """`/field/visits/<pk>/complete/`: complete the work order after a satisfied sign-off (R15);
    the lifecycle's guard refuses it otherwise (R17)."""

    form_class = WorkOrderCompleteForm
    success = gettext_lazy("The work order is completed.")

    def run(self, request: HttpRequest, visit: Visit, form) -> Any:
        return workorder_transition(
            work_order_id=visit.work_order_id, action="complete", actor=request.user, **form.service_kwargs()
        )


@login_required
@require_POST
def visit_part_remove_view(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    """`/field/visits/<pk>/parts/<id>/remove/`: a part recorded by mistake (before the signature)."""
    visit = visit_get(request.user, pk)
    part = get_object_or_404(visit.parts, pk=part_pk)
    try:
        visit_part_remove(part_id=part.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Part removed."))
    return visit_back(visit, "parts")
