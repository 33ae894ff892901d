"""Servicing pages: the actions behind the work-order panels (remote service, plan, depot repair),
the plan form, the depot repair page with its external repairs and process record, and the lists
of depot repairs, external repairs and vendors (filter, sort, pages, Excel).

Thin views: reads through the scoped selectors (out of scope is a 404), writes through the
services; refusals become messages or field errors, never a 500. Lifecycle buttons are
`core.views.TransitionView`s: those of the work-order panels come back to the work order with a
message, those of the depot repair page show a refused form in place with its errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.forms import REFUSALS, attempt, error_messages, form_error_messages
from aftersales.core.htmx import is_partial
from aftersales.core.lists import BulkAction, ObjectListView
from aftersales.core.transitions import Machine, Transition
from aftersales.core.views import TransitionView
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_get

from . import forms as f
from .filtersets import DepotRepairFilterSet, ExternalRepairFilterSet, VendorFilterSet
from .models import DepotRepair, ExternalRepair, ServicePlan
from .selectors import (
    depot_repair_get,
    depot_repair_list,
    external_repair_get,
    external_repair_list,
    remote_session_list,
    service_plan_list,
    vendor_list,
)
from .services import (
    depot_repair_log,
    depot_repair_part_add,
    depot_repair_part_remove,
    depot_repair_receive,
    external_repair_follow_up_log,
    plan_create,
    plan_revise,
    plan_update,
    purchase_proof_record,
    remote_session_start,
    warranty_exclusion_record,
    warranty_override_record,
)
from .tables import (
    DEPOT_COLUMNS,
    DEPOT_EXPORT_HEADERS,
    EXTERNAL_COLUMNS,
    EXTERNAL_EXPORT_HEADERS,
    VENDOR_COLUMNS,
    VENDOR_EXPORT_HEADERS,
    depot_rows,
    external_rows,
    vendor_rows,
)
from .transitions import DEPOT as DEPOT_MACHINE
from .transitions import EXTERNAL as EXTERNAL_MACHINE
from .transitions import (
    FOLLOW_UP_VENDOR,
    PLAN,
    PLAN_FIELDS,
    REMOTE,
    may_follow_up,
    may_keep_record,
    may_plan,
)
from .warranty import warranty_check

# What each button says once done.
DONE = {
    ("remote_session", "solve"): gettext_lazy("Remote session closed: solved."),
    ("remote_session", "escalate"): gettext_lazy("Escalated to an on-site visit."),
    ("service_plan", "send"): gettext_lazy("Plan sent to the customer."),
    ("service_plan", "confirm"): gettext_lazy("Customer's confirmation recorded; work may start."),
    ("service_plan", "reject"): gettext_lazy("Customer's rejection recorded."),
    ("service_plan", "approve"): gettext_lazy("Revision approved."),
    ("depot_repair", "inspect"): gettext_lazy("Intake inspection recorded."),
    ("depot_repair", "start_repair"): gettext_lazy("Repair started."),
    ("depot_repair", "send_out"): gettext_lazy("Sent to external repair."),
    ("depot_repair", "recheck"): gettext_lazy("Re-check recorded."),
    ("depot_repair", "hand_back"): gettext_lazy("Device handed back to the customer."),
    ("external_repair", "receive"): gettext_lazy("Device received back from the vendor."),
    ("external_repair", "recheck"): gettext_lazy("Re-check recorded."),
    ("external_repair", "unrepairable"): gettext_lazy("Recorded as unrepairable."),
    ("external_repair", "complete"): gettext_lazy(
        "External repair done; the device is back in the depot repair."
    ),
    ("external_repair", "resend"): gettext_lazy("Re-sent to another vendor."),
}


# --- the work-order panels ----------------------------------------------------------------------


def _work_order_action(
    request: HttpRequest,
    pk: int,
    form_class,
    call: Callable,
    done: str,
    *,
    panel: tuple[str, str],
    to: Callable | None = None,
):
    """A panel's own form (not a transition): its refusal as messages on the work order's page,
    back at the panel (`panel` = its tab and anchor); once done, there too or at `to(wo, result)`."""
    work_order = workorder_get(request.user, pk)
    back = detail_url(work_order.pk, *panel)
    form = form_class(request.POST, request.FILES)
    result = form.is_valid() and attempt(form, lambda: call(work_order, form.cleaned_data))
    if not result:
        form_error_messages(request, form)
        return redirect(back)
    messages.success(request, done)
    return redirect(to(work_order, result) if to else back)


@login_required
@require_POST
def remote_session_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/workorders/<pk>/remote/`: record a remote session (R6)."""
    return _work_order_action(
        request,
        pk,
        f.RemoteStartForm,
        lambda wo, data: remote_session_start(work_order=wo, actor=request.user, **data),
        _("Remote session recorded."),
        panel=("service", "remote"),
    )


@login_required
@require_POST
def warranty_exclusion_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/workorders/<pk>/warranty/exclusions/`: charge a covered line after all (R36)."""
    return _work_order_action(
        request,
        pk,
        f.WarrantyExclusionForm,
        lambda wo, data: warranty_exclusion_record(work_order=wo, actor=request.user, **data),
        _("Warranty exclusion recorded."),
        panel=("money", "warranty"),
    )


@login_required
@require_POST
def warranty_override_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/workorders/<pk>/warranty/overrides/`: a supervisor's decision (R36)."""
    return _work_order_action(
        request,
        pk,
        f.WarrantyOverrideForm,
        lambda wo, data: warranty_override_record(work_order=wo, actor=request.user, **data),
        _("Warranty decision recorded."),
        panel=("money", "warranty"),
    )


@login_required
@require_POST
def purchase_proof_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/workorders/<pk>/warranty/proofs/`: attach the invoice the customer shows (R36)."""
    return _work_order_action(
        request,
        pk,
        f.PurchaseProofForm,
        lambda wo, data: purchase_proof_record(
            work_order=wo,
            actor=request.user,
            upload=data["file"],
            purchased_on=data["purchased_on"],
            invoice_number=data["invoice_number"],
            seller=data["seller"],
        ),
        _("Proof of purchase attached."),
        panel=("money", "warranty"),
    )


@login_required
@require_POST
def depot_repair_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/workorders/<pk>/repair/`: take the device in for depot repair (R13); on to the
    repair's page."""
    return _work_order_action(
        request,
        pk,
        f.DepotReceiveForm,
        lambda wo, data: depot_repair_receive(work_order=wo, actor=request.user, **data),
        _("Device received for depot repair."),
        panel=("service", "repairs"),
        to=lambda wo, repair: reverse("servicing:repair_detail", args=[repair.pk]),
    )


class ServicingTransitionView(TransitionView):
    """`.../<pk>/do/<action>/`: one lifecycle button of a servicing record."""

    def done_message(self, obj: Any, transition: Transition) -> str:
        return str(DONE.get((self.machine.name, transition.name)) or super().done_message(obj, transition))


class RemoteSessionTransitionView(ServicingTransitionView):
    """Solve or escalate a remote session from the work order's page (R6)."""

    machine = REMOTE
    fields = f.REMOTE_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return get_object_or_404(remote_session_list(request.user), pk=pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect(detail_url(obj.work_order_id, "service", "remote"))


class ServicePlanTransitionView(RemoteSessionTransitionView):
    """Send, confirm, reject or approve the plan from the work order's page (R8)."""

    machine = PLAN
    fields = f.PLAN_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return get_object_or_404(service_plan_list(request.user), pk=pk)


class RepairTransitionView(ServicingTransitionView):
    """A button of the depot repair page (depot repair or one of its send-outs, R13, R14): the
    form takes files (photos, the voucher); a refused one comes back on the page, open, with its
    errors on its fields (a step no longer possible shows as a message)."""

    kind = ""  # the record's name in the page's forms: "depot" or "external"

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        obj = self.get_object(request, pk)
        transition = self.machine.transitions.get(action)
        if transition is None:
            raise Http404
        form = f.action_form(
            self.kind, self.machine, obj, transition, request.user, request.POST, request.FILES
        )
        done = form.is_valid() and attempt(form, lambda: self.run(request, obj, transition, form))
        if not done:
            if transition not in self.machine.available(self.get_object(request, pk), request.user):
                form_error_messages(request, form)
            return _depot_page(request, _depot_of(obj).pk, bound=(self.kind, obj.pk, action, form))
        messages.success(request, self.done_message(done, transition))
        return self.redirect_to(request, obj)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("servicing:repair_detail", pk=_depot_of(obj).pk)


class DepotRepairTransitionView(RepairTransitionView):
    machine = DEPOT_MACHINE
    kind = "depot"

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return depot_repair_get(request.user, pk)


class ExternalRepairTransitionView(RepairTransitionView):
    machine = EXTERNAL_MACHINE
    kind = "external"

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return external_repair_get(request.user, pk)


def _depot_of(obj: DepotRepair | ExternalRepair) -> DepotRepair:
    return obj if isinstance(obj, DepotRepair) else obj.depot_repair


# --- depot repair page --------------------------------------------------------------------------


def _bound(key: tuple, bound: tuple | None, make: Callable[[], Any]) -> Any:
    """The refused form when it belongs here (with its errors), else a fresh one."""
    if bound and bound[:3] == key:
        return bound[3]
    return make()


def _buttons(
    kind: str, machine: Machine, obj: Any, user, bound: tuple | None
) -> list[tuple[Transition, Any]]:
    """(transition, form) for every transition the user may run on `obj` now."""
    return [
        (t, _bound((kind, obj.pk, t.name), bound, lambda t=t: f.action_form(kind, machine, obj, t, user)))
        for t in machine.available(obj, user)
    ]


def _depot_page(request: HttpRequest, pk: int, *, bound: tuple | None = None) -> HttpResponse:
    user = request.user
    repair = depot_repair_get(user, pk)
    externals = list(repair.external_repairs.all())
    for external in externals:
        external.work_order = repair.work_order  # the same row, already loaded
        external.depot_repair = repair
        external.actions = _buttons("external", EXTERNAL_MACHINE, external, user, bound)
        external.can_follow_up = may_follow_up(user, external)
        external.follow_up_form = _bound(
            ("external", external.pk, "follow_up"), bound, lambda external=external: _follow_up_form(external)
        )
    context = {
        "repair": repair,
        "wo": repair.work_order,
        "warranty": warranty_check(repair.work_order),
        "actions": _buttons("depot", DEPOT_MACHINE, repair, user, bound),
        "externals": externals,
        "form": _bound(("depot", repair.pk, "log"), bound, lambda: _log_form(repair)),
        "can_log": may_keep_record(user, repair),
        **_parts_context(request, repair),
    }
    return render(request, "servicing/repair_detail.html", context)


def _parts_context(
    request: HttpRequest, repair: DepotRepair, form: f.DepotPartForm | None = None
) -> dict[str, Any]:
    return {
        "repair": repair,
        "parts": list(repair.parts.select_related("warehouse", "old_part")),
        "part_form": form or f.DepotPartForm(auto_id=f"id_depot_{repair.pk}_part_%s"),
        "can_log": may_keep_record(request.user, repair),
    }


def _parts_response(
    request: HttpRequest, repair: DepotRepair, form: f.DepotPartForm | None = None
) -> HttpResponse:
    """HTMX gets the parts card back in place; the page otherwise."""
    if is_partial(request):
        return render(request, "servicing/_repair_parts.html", _parts_context(request, repair, form))
    return redirect(f"{reverse('servicing:repair_detail', args=[repair.pk])}#repair-parts")


@login_required
@require_POST
def depot_repair_part_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/repairs/<pk>/parts/`: a part replaced in the depot (R12, R32)."""
    repair = depot_repair_get(request.user, pk)
    form = f.DepotPartForm(request.POST, auto_id=f"id_depot_{repair.pk}_part_%s")
    done = form.is_valid() and attempt(
        form, lambda: depot_repair_part_add(repair_id=repair.pk, actor=request.user, **form.cleaned_data)
    )
    if not done and not is_partial(request):
        form_error_messages(request, form)
    return _parts_response(request, depot_repair_get(request.user, pk), None if done else form)


@login_required
@require_POST
def depot_repair_part_remove_view(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    """`/servicing/repairs/<pk>/parts/<part_pk>/remove/`: back to the store it came from."""
    repair = depot_repair_get(request.user, pk)
    part = get_object_or_404(repair.parts, pk=part_pk)
    try:
        depot_repair_part_remove(part_id=part.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return _parts_response(request, depot_repair_get(request.user, pk))


@login_required
@require_GET
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/repairs/<pk>/`: the repair order, its inspection, process record, send-outs."""
    return _depot_page(request, pk)


def _log_form(repair: DepotRepair, data=None) -> f.RepairLogForm:
    return f.RepairLogForm(data, auto_id=f"id_depot_{repair.pk}_log_%s")


def _follow_up_form(external: ExternalRepair, data=None) -> f.FollowUpForm:
    return f.FollowUpForm(data, auto_id=f"id_external_{external.pk}_follow_up_%s")


@login_required
@require_POST
def depot_repair_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/repairs/<pk>/log/`: a line of the process record (R13). HTMX gets the record
    back in place (with the refused form); the page otherwise."""
    repair = depot_repair_get(request.user, pk)
    form = _log_form(repair, request.POST)
    done = form.is_valid() and attempt(
        form, lambda: depot_repair_log(repair_id=repair.pk, actor=request.user, **form.cleaned_data)
    )
    if is_partial(request):
        repair = depot_repair_get(request.user, pk)
        context = {
            "repair": repair,
            "form": form if not done else _log_form(repair),
            "can_log": may_keep_record(request.user, repair),
        }
        return render(request, "servicing/_process_record.html", context)
    if not done:
        return _depot_page(request, repair.pk, bound=("depot", repair.pk, "log", form))
    messages.success(request, _("Added to the process record."))
    return redirect("servicing:repair_detail", pk=repair.pk)


@login_required
@require_POST
def external_repair_follow_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/external/<pk>/follow-up/`: a contact with the vendor (R14). HTMX gets the
    follow-ups back in place (with the refused form); the page otherwise."""
    external = external_repair_get(request.user, pk)
    form = _follow_up_form(external, request.POST)
    done = form.is_valid() and attempt(
        form,
        lambda: external_repair_follow_up_log(
            external_repair_id=external.pk, actor=request.user, **form.cleaned_data
        ),
    )
    if is_partial(request):
        external = external_repair_get(request.user, pk)
        context = {
            "ext": external,
            "form": form if not done else _follow_up_form(external),
            "can_follow_up": may_follow_up(request.user, external),
        }
        return render(request, "servicing/_follow_ups.html", context)
    if not done:
        return _depot_page(
            request, external.depot_repair_id, bound=("external", external.pk, "follow_up", form)
        )
    messages.success(request, _("Follow-up recorded."))
    return redirect("servicing:repair_detail", pk=external.depot_repair_id)


# --- service plan form --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_form_view(request: HttpRequest, pk: int, mode: str) -> HttpResponse:
    """`/servicing/workorders/<pk>/plan/` (new), `/servicing/plans/<pk>/edit/` (a draft) and
    `/servicing/plans/<pk>/revise/` (a new version, R8): one page with field errors."""
    user = request.user
    plan: ServicePlan | None = None
    if mode == "create":
        work_order = workorder_get(user, pk)
    else:
        plan = get_object_or_404(service_plan_list(user), pk=pk)
        work_order = plan.work_order
    if not may_plan(user, work_order):
        raise PermissionDenied
    form_class = f.PlanReviseForm if mode == "revise" else f.PlanForm
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS} if plan else {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        saves = {
            "create": lambda: plan_create(work_order=work_order, actor=user, **data),
            "edit": lambda: plan_update(plan_id=plan.pk, actor=user, **data),
            "revise": lambda: plan_revise(plan_id=plan.pk, actor=user, **data),
        }
        if attempt(form, saves[mode]) is not None:
            messages.success(request, _("Service plan saved."))
            return redirect(detail_url(work_order.pk, "service", "plan"))
    titles = {
        "create": _("New service plan"),
        "edit": _("Edit the draft plan"),
        "revise": _("Revise the plan"),
    }
    context = {"form": form, "wo": work_order, "plan": plan, "title": titles[mode], "mode": mode}
    return render(request, "servicing/plan_form.html", context)


# --- lists --------------------------------------------------------------------------------------


class ServicingListView(ObjectListView):
    """A servicing list: its page shows the three lists' tabs above the filters."""

    page_template = "servicing/list.html"


class DepotRepairListView(ServicingListView):
    """`/servicing/repairs/`: depot repairs in the user's scope (R13, R37); Excel export (R41)."""

    list_key = "servicing-repairs"
    title = gettext_lazy("Depot repairs")
    filterset_class = DepotRepairFilterSet
    columns = DEPOT_COLUMNS
    page_filters = ("q", "state", "received_after", "received_before")
    search_placeholder = gettext_lazy("Repair order, work order, customer, serial number")

    def get_queryset(self, request: HttpRequest):
        return depot_repair_list(request.user)

    def export_headers(self, request: HttpRequest):
        return list(DEPOT_EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return depot_rows(rows)


def _bulk_follow_up(request: HttpRequest, external: ExternalRepair, data: dict) -> None:
    external_repair_follow_up_log(external_repair_id=external.pk, actor=request.user, note=data["note"])


class ExternalRepairListView(ServicingListView):
    """`/servicing/external/`: devices at vendors in the user's scope, overdue ones marked (R14,
    R37); one follow-up logged on the ticked ones; Excel export (R41)."""

    list_key = "servicing-external"
    title = gettext_lazy("External repairs")
    filterset_class = ExternalRepairFilterSet
    columns = EXTERNAL_COLUMNS
    page_filters = ("q", "state", "vendor", "overdue")
    search_placeholder = gettext_lazy("Voucher, work order, vendor, customer")
    bulk_actions = (
        BulkAction(
            "follow_up",
            gettext_lazy("Log a follow-up"),
            run=_bulk_follow_up,
            form=f.BulkFollowUpForm,
            allowed=lambda user: user.has_role(*FOLLOW_UP_VENDOR.roles),
        ),
    )

    def get_queryset(self, request: HttpRequest):
        return external_repair_list(request.user)

    def export_headers(self, request: HttpRequest):
        return list(EXTERNAL_EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return external_rows(rows)


class VendorListView(ServicingListView):
    """`/servicing/vendors/`: the repair vendors (reference data every staff role reads) with the
    devices at each (R14); Excel export."""

    list_key = "servicing-vendors"
    title = gettext_lazy("Repair vendors")
    filterset_class = VendorFilterSet
    columns = VENDOR_COLUMNS
    search_placeholder = gettext_lazy("Name, contact person, address")

    def get_queryset(self, request: HttpRequest):
        return vendor_list()

    def export_headers(self, request: HttpRequest):
        return list(VENDOR_EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return vendor_rows(rows)


# The export URLs of before the lists' `?export=xlsx`, kept for links and bookmarks.
class DepotRepairExportView(DepotRepairListView):
    export_only = True


class ExternalRepairExportView(ExternalRepairListView):
    export_only = True


class VendorExportView(VendorListView):
    export_only = True
