"""Pages of old parts, their shipments to HQ and the reimbursement claims (R29, R31).

Lists (`core.lists.ObjectListView`: filters, search, sort, paging, Excel export, one FilterSet
shared with the API), detail pages whose actions post with HTMX and come back as the page's body
(the same URL serves the page or its body), printable labels with QR codes and the printed claim
with its PDF. Reads go through the scoped selectors (out of scope is a 404), writes through the
services; a refusal comes back as a message, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.forms import REFUSALS, error_messages, form_error_messages
from aftersales.core.htmx import render_page_or_partial
from aftersales.core.lists import BulkAction, Column, ObjectListView
from aftersales.core.money import yuan
from aftersales.core.pdf import form_response
from aftersales.core.transitions import Machine
from aftersales.core.views import TransitionView, transition_buttons

from . import forms_old_parts as f
from .choices import ClaimState, InspectionResult, OldPartState, ShipmentState
from .filtersets_old_parts import OldPartFilterSet, OldPartShipmentFilterSet
from .models import OldPart, OldPartShipment
from .printing_old_parts import old_part_label_form, old_part_labels_form, shipment_labels_form
from .selectors_old_parts import (
    is_overdue,
    may_read_old_parts,
    may_read_shipments,
    old_part_get,
    old_part_history,
    old_part_list,
    old_parts_due,
    packable_old_parts,
    penalty_entries,
    shipment_get,
    shipment_history,
    shipment_old_parts,
    shipment_scope,
)
from .services.old_parts import (
    old_part_penalty_reverse,
    old_part_photo_set,
    old_part_transition,
    shipment_create,
    shipment_old_part_remove,
    shipment_old_parts_add,
)
from .transitions import (
    OLD_PART,
    OLD_PART_SHIPMENT,
    PACK_SHIPMENT,
    POINT_STAFF,
    may_edit_old_part,
    may_reverse_penalties,
)

STATE_STYLES = {
    OldPartState.REGISTERED: "text-bg-secondary",
    OldPartState.REPORTED: "text-bg-info",
    OldPartState.SHIPPED: "text-bg-primary",
    OldPartState.RECEIVED: "text-bg-warning",
    OldPartState.INSPECTED: "text-bg-success",
    ShipmentState.DRAFT: "text-bg-secondary",
    ClaimState.IN_REVIEW: "text-bg-warning",
    ClaimState.APPROVED: "text-bg-info",
    ClaimState.CREDITED: "text-bg-success",
}
FINDING_STYLES = {
    InspectionResult.FAULTY: "text-success",
    InspectionResult.NOT_FAULTY: "text-danger",
    InspectionResult.NOT_MATCHING: "text-danger",
}


def state_badge(obj: Any) -> str:
    return format_html(
        '<span class="badge {}" data-testid="state" data-state="{}">{}</span>',
        STATE_STYLES.get(obj.state, "text-bg-secondary"),
        obj.state,
        obj.get_state_display(),
    )


# What the history calls the steps that are not transitions (those take their transition's label).
STEP_LABELS = {
    "register": gettext_lazy("Registered"),
    "photo": gettext_lazy("Photo added"),
    "penalty": gettext_lazy("Charged: not reported in time"),
    "penalty_reverse": gettext_lazy("Penalty reversed"),
    "create": gettext_lazy("Packed"),
    "add": gettext_lazy("Old parts added"),
    "remove": gettext_lazy("Old part taken off"),
    "build": gettext_lazy("Built"),
    "line_approve": gettext_lazy("Line approved"),
    "line_reject": gettext_lazy("Line rejected"),
}


def labelled(events: list[Any], machine: Machine) -> list[Any]:
    """The history's steps, each with the `label` the page shows."""
    for event in events:
        transition = machine.transitions.get(event.action)
        event.label = (
            transition.label if transition is not None else STEP_LABELS.get(event.action, event.action)
        )
    return events


def require(request: HttpRequest, allowed: Callable[[Any], bool]) -> None:
    """403 for a signed-in user the pages are not for (a 404 would hide nothing here)."""
    if request.user.is_authenticated and not allowed(request.user):
        raise PermissionDenied


# --- old-part lists ------------------------------------------------------------------------------------


def _old_part_link(old_part: OldPart, user: Any) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="old-part-link">{}</a>',
        reverse("parts:old_part_detail", args=[old_part.pk]),
        old_part.number,
    )


def _due_cell(old_part: OldPart, user: Any) -> str:
    if is_overdue(old_part):
        return format_html(
            '<span class="text-danger fw-semibold" data-testid="overdue">{} · {}</span>',
            f"{old_part.report_due:%Y-%m-%d}",
            _("overdue"),
        )
    return f"{old_part.report_due:%Y-%m-%d}"


def _penalty_value(old_part: Any, user: Any) -> Any:
    return getattr(old_part, "penalty_amount", None)


def _penalty_cell(old_part: Any, user: Any) -> str:
    amount = getattr(old_part, "penalty_amount", None)
    if amount is None:
        return ""
    if getattr(old_part, "penalty_reversed", False):
        return format_html('<s class="text-body-secondary">{}</s> {}', yuan(amount), _("reversed"))
    return format_html('<span class="text-danger" data-testid="penalty">{}</span>', yuan(amount))


def _work_order_cell(old_part: OldPart, user: Any) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("workorders:detail", args=[old_part.work_order_id]),
        old_part.work_order.number,
    )


OLD_PART_COLUMNS = (
    Column(
        "number",
        gettext_lazy("Old part"),
        value=lambda o, user: o.number,
        html=_old_part_link,
        sort="number",
        fixed=True,
    ),
    Column(
        "state",
        gettext_lazy("State"),
        value=lambda o, user: o.get_state_display(),
        html=lambda o, u: state_badge(o),
        sort="state",
        fixed=True,
    ),
    Column("part", gettext_lazy("Part"), value=lambda o, user: str(o.part), sort="part"),
    Column("quantity", gettext_lazy("Qty"), value=lambda o, user: o.quantity, css="text-end"),
    Column("serial", gettext_lazy("Serial number"), value=lambda o, user: o.serial_number, default=False),
    Column(
        "work_order",
        gettext_lazy("Work order"),
        value=lambda o, user: o.work_order.number,
        html=_work_order_cell,
    ),
    Column("service_point", gettext_lazy("Service point"), value=lambda o, user: o.service_point.name),
    Column("dealer", gettext_lazy("Dealer"), value=lambda o, user: o.dealer.name if o.dealer else _("HQ")),
    Column(
        "replaced",
        gettext_lazy("Replaced"),
        value=lambda o, user: timezone.localtime(o.replaced_at).date(),
        sort="replaced",
    ),
    Column("due", gettext_lazy("Report by"), value=lambda o, user: o.report_due, html=_due_cell, sort="due"),
    Column(
        "inspection",
        gettext_lazy("Inspection"),
        value=lambda o, user: o.get_inspection_result_display(),
        default=False,
    ),
    Column(
        "unit_cost",
        gettext_lazy("Unit cost"),
        value=lambda o, user: o.unit_cost,
        html=lambda o, user: yuan(o.unit_cost),
        css="text-end",
        default=False,
    ),
    Column(
        "penalty", gettext_lazy("Penalty charged"), value=_penalty_value, html=_penalty_cell, css="text-end"
    ),
    Column(
        "shipment",
        gettext_lazy("Shipment"),
        value=lambda o, user: o.shipment.number if o.shipment else "",
        html=lambda o, user: (
            format_html(
                '<a href="{}">{}</a>',
                reverse("parts:old_part_shipment_detail", args=[o.shipment_id]),
                o.shipment.number,
            )
            if o.shipment
            else ""
        ),
        default=False,
    ),
)


def _bulk_report(request: HttpRequest, old_part: OldPart, data: dict[str, Any]) -> Any:
    return old_part_transition(old_part_id=old_part.pk, action="report", actor=request.user)


class OldPartListView(ObjectListView):
    """`/parts/old-parts/`: every old part in the user's scope (R29); overdue ones in red."""

    list_key = "old_parts"
    title = gettext_lazy("Old parts")
    filterset_class = OldPartFilterSet
    columns = OLD_PART_COLUMNS
    page_template = "parts/old_parts/old_part_list.html"
    search_placeholder = gettext_lazy("Old part, part, serial or work order number")
    # The API also filters by work order and shipment (ids); the page links to those instead.
    page_filters = (
        "q",
        "state",
        "inspection_result",
        "overdue",
        "charged",
        "service_point",
        "dealer",
        "due_after",
        "due_before",
        "replaced_after",
        "replaced_before",
    )
    bulk_actions = (
        BulkAction(
            "report",
            gettext_lazy("Report to HQ"),
            _bulk_report,
            allowed=lambda user: user.has_role(*POINT_STAFF),
            style="outline-primary",
        ),
    )

    def dispatch(self, request, *args, **kwargs):
        require(request, may_read_old_parts)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return old_part_list(request.user).order_by("-created_at", "-pk")

    def row_css(self, row) -> str:
        return "table-danger" if is_overdue(row) else ""

    def extra_context(self, request) -> dict:
        return {
            "labels_url": reverse("parts:old_part_labels"),
            "may_pack": request.user.has_role(*POINT_STAFF),
        }


class OldPartDueListView(OldPartListView):
    """`/parts/old-parts/due/`: what still has to go to HQ (R29): to report, or reported and not
    shipped yet, the first due first."""

    list_key = "old_parts_due"
    title = gettext_lazy("Old parts due to HQ")

    def get_queryset(self, request):
        return old_parts_due(request.user)


# --- old-part page -------------------------------------------------------------------------------------


def _old_part_for(request: HttpRequest, pk: int) -> OldPart:
    require(request, may_read_old_parts)
    try:
        return old_part_get(request.user, pk)
    except OldPart.DoesNotExist:
        raise Http404 from None


def _old_part_context(request: HttpRequest, old_part: OldPart) -> dict[str, Any]:
    user = request.user
    penalties = penalty_entries(old_part)
    return {
        "old_part": old_part,
        "overdue": is_overdue(old_part),
        "history": labelled(old_part_history(old_part), OLD_PART),
        "actions": transition_buttons(OLD_PART, old_part, user, f.OLD_PART_INPUTS),
        "transition_url_name": "parts:old_part_transition",
        "photo_form": f.OldPartPhotoForm() if may_edit_old_part(user, old_part) else None,
        "penalty": penalties[0] if penalties else None,
        "reversal": penalties[1] if len(penalties) > 1 else None,
        "reverse_form": f.PenaltyReverseForm()
        if penalties and len(penalties) == 1 and may_reverse_penalties(user)
        else None,
        "back_url": reverse("parts:old_part_list"),
    }


@login_required
@require_GET
def old_part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/<pk>/`: the old part, its penalty, history and what may be done now;
    its body alone for HTMX."""
    old_part = _old_part_for(request, pk)
    return render_page_or_partial(
        request,
        page_template="parts/old_parts/old_part_detail.html",
        partial_template="parts/old_parts/_old_part_body.html",
        context=_old_part_context(request, old_part),
    )


class OldPartTransitionView(TransitionView):
    """`POST /parts/old-parts/<pk>/do/<action>/`: report, or record HQ's inspection; back to the
    page (its body for HTMX, through the redirect)."""

    machine = OLD_PART
    fields = f.OLD_PART_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _old_part_for(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("parts:old_part_detail", pk=obj.pk)


@login_required
@require_POST
def old_part_photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`POST /parts/old-parts/<pk>/photo/`: its photo (and condition) while at the service point."""
    old_part = _old_part_for(request, pk)
    form = f.OldPartPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            old_part_photo_set(
                old_part_id=old_part.pk,
                actor=request.user,
                upload=form.cleaned_data["photo"],
                condition=form.cleaned_data["condition"] or None,
            )
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Photo saved."))
    return redirect("parts:old_part_detail", pk=old_part.pk)


def old_part_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The old part's photo, only for who may see the old part (403 for a role the old-part pages
    are not for; 404 out of the user's scope, R37, or with no photo stored): the page's and the
    API's (`GET /api/old-parts/<id>/photo/`)."""
    old_part = _old_part_for(request, pk)
    if not old_part.photo:
        raise Http404
    try:
        handle = old_part.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, filename=old_part.photo.name.rsplit("/", 1)[-1])


@login_required
@require_GET
def old_part_photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """`/parts/old-parts/<pk>/photo/`: the photo (`old_part_photo`)."""
    return old_part_photo(request, pk)


@login_required
@require_POST
def old_part_penalty_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`POST /parts/old-parts/<pk>/penalty/reverse/`: HQ cancels the penalty, with the reason."""
    old_part = _old_part_for(request, pk)
    form = f.PenaltyReverseForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            old_part_penalty_reverse(
                old_part_id=old_part.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Penalty reversed: the dealer's account is credited."))
    return redirect("parts:old_part_detail", pk=old_part.pk)


@login_required
@require_GET
def old_part_label(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/<pk>/label/` (`?format=pdf`): the old part's label with its QR code
    (`printing_old_parts.old_part_label_form`)."""
    return form_response(request, old_part_label_form(request.user, pk))


@login_required
@require_GET
def old_part_labels(request: HttpRequest) -> HttpResponse:
    """`/parts/old-parts/labels/?ids=…` or the list's filters: a sheet of labels (at most
    LABELS_LIMIT), e.g. a page of the due list (`printing_old_parts.old_part_labels_form`)."""
    return form_response(request, old_part_labels_form(request))


# --- shipments ---------------------------------------------------------------------------------------


def _shipment_link(shipment: OldPartShipment, user: Any) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="shipment-link">{}</a>',
        reverse("parts:old_part_shipment_detail", args=[shipment.pk]),
        shipment.number,
    )


class OldPartShipmentListView(ObjectListView):
    """`/parts/old-parts/shipments/`: batches of old parts sent to HQ (R29)."""

    list_key = "old_part_shipments"
    title = gettext_lazy("Old-part shipments")
    filterset_class = OldPartShipmentFilterSet
    page_template = "parts/old_parts/shipment_list.html"
    search_placeholder = gettext_lazy("Shipment or tracking number")
    columns = (
        Column(
            "number",
            gettext_lazy("Shipment"),
            value=lambda s, user: s.number,
            html=_shipment_link,
            sort="number",
            fixed=True,
        ),
        Column(
            "state",
            gettext_lazy("State"),
            value=lambda s, user: s.get_state_display(),
            html=lambda s, u: state_badge(s),
            fixed=True,
        ),
        Column("service_point", gettext_lazy("Service point"), value=lambda s, user: s.service_point.name),
        Column(
            "dealer",
            gettext_lazy("Dealer"),
            value=lambda s, user: s.service_point.dealer.name if s.service_point.dealer else _("HQ"),
        ),
        Column("carrier", gettext_lazy("Carrier"), value=lambda s, user: s.carrier),
        Column("tracking", gettext_lazy("Tracking number"), value=lambda s, user: s.tracking_number),
        Column("created", gettext_lazy("Packed"), value=lambda s, user: s.created_at, sort="created"),
        Column("shipped", gettext_lazy("Shipped"), value=lambda s, user: s.shipped_at, sort="shipped"),
        Column("received", gettext_lazy("Received"), value=lambda s, user: s.received_at),
    )

    def dispatch(self, request, *args, **kwargs):
        require(request, may_read_shipments)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return shipment_scope(request.user).order_by("-created_at", "-pk")

    def extra_context(self, request) -> dict:
        return {"may_pack": OLD_PART_SHIPMENT.permits(PACK_SHIPMENT, request.user, None)}


def _shipment_for(request: HttpRequest, pk: int) -> OldPartShipment:
    require(request, may_read_shipments)
    try:
        return shipment_get(request.user, pk)
    except OldPartShipment.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def shipment_create_view(request: HttpRequest) -> HttpResponse:
    """`/parts/old-parts/shipments/new/` (`?service_point=<id>`): pick reported old parts of one
    service point and pack them for HQ."""
    require(request, may_read_shipments)
    if not OLD_PART_SHIPMENT.permits(PACK_SHIPMENT, request.user, None):
        raise PermissionDenied
    point_id = request.GET.get("service_point") or request.POST.get("service_point")
    point_id = int(point_id) if point_id and str(point_id).isdigit() else None
    form = f.ShipmentCreateForm(request.POST or None, user=request.user, service_point_id=point_id)
    if request.method == "POST" and form.is_valid():
        picked = list(form.cleaned_data["old_parts"])
        try:
            shipment = shipment_create(
                service_point=picked[0].service_point,
                old_part_ids=[old_part.pk for old_part in picked],
                actor=request.user,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
            )
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(
                request, _("Shipment %(number)s packed: ship it when it leaves.") % {"number": shipment}
            )
            return redirect("parts:old_part_shipment_detail", pk=shipment.pk)
    elif request.method == "POST":
        form_error_messages(request, form)
    return render(
        request,
        "parts/old_parts/shipment_form.html",
        {"form": form, "service_point_id": point_id, "back_url": reverse("parts:old_part_shipment_list")},
    )


def _shipment_context(request: HttpRequest, shipment: OldPartShipment) -> dict[str, Any]:
    user = request.user
    packing = shipment.state == ShipmentState.DRAFT and OLD_PART_SHIPMENT.permits(
        PACK_SHIPMENT, user, shipment
    )
    add_form = None
    if packing and packable_old_parts(user, shipment.service_point_id).exists():
        add_form = f.ShipmentAddForm(user=user, service_point_id=shipment.service_point_id)
    return {
        "shipment": shipment,
        "old_parts": shipment_old_parts(shipment),
        "history": labelled(shipment_history(shipment), OLD_PART_SHIPMENT),
        "actions": transition_buttons(OLD_PART_SHIPMENT, shipment, user, f.SHIPMENT_INPUTS),
        "transition_url_name": "parts:old_part_shipment_transition",
        "packing": packing,
        "add_form": add_form,
        "back_url": reverse("parts:old_part_shipment_list"),
    }


@login_required
@require_GET
def shipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/shipments/<pk>/`: the batch, its old parts, history and actions."""
    shipment = _shipment_for(request, pk)
    return render_page_or_partial(
        request,
        page_template="parts/old_parts/shipment_detail.html",
        partial_template="parts/old_parts/_shipment_body.html",
        context=_shipment_context(request, shipment),
    )


class ShipmentTransitionView(TransitionView):
    """`POST /parts/old-parts/shipments/<pk>/do/<action>/`: ship (carrier, tracking number) or
    receive at HQ."""

    machine = OLD_PART_SHIPMENT
    fields = f.SHIPMENT_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _shipment_for(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("parts:old_part_shipment_detail", pk=obj.pk)


@login_required
@require_POST
def shipment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`POST /parts/old-parts/shipments/<pk>/add/`: more old parts into a shipment being packed."""
    shipment = _shipment_for(request, pk)
    form = f.ShipmentAddForm(request.POST, user=request.user, service_point_id=shipment.service_point_id)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            shipment_old_parts_add(
                shipment_id=shipment.pk,
                old_part_ids=[old_part.pk for old_part in form.cleaned_data["old_parts"]],
                actor=request.user,
            )
        except REFUSALS as error:
            error_messages(request, error)
    return redirect("parts:old_part_shipment_detail", pk=shipment.pk)


@login_required
@require_POST
def shipment_remove_view(request: HttpRequest, pk: int, old_part_pk: int) -> HttpResponse:
    """`POST /parts/old-parts/shipments/<pk>/remove/<old part>/`: take an old part off."""
    shipment = _shipment_for(request, pk)
    try:
        shipment_old_part_remove(shipment_id=shipment.pk, old_part_id=old_part_pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return redirect("parts:old_part_shipment_detail", pk=shipment.pk)


@login_required
@require_GET
def shipment_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/shipments/<pk>/labels/`: the labels of every old part in the batch
    (`printing_old_parts.shipment_labels_form`)."""
    return form_response(request, shipment_labels_form(request.user, pk))
