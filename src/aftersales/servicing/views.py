"""Servicing pages: the actions behind the work-order panels (remote service, plan, depot repair),
the plan form, the depot repair page with its external repairs and process record, and the lists
of depot repairs, external repairs and vendors (filter, sort, pages, Excel).

Thin views: reads through the scoped selectors (out of scope is a 404), writes through the
services; refusals become messages or field errors, never a 500. Every lifecycle action is one
entry of `ACTIONS` served by `action_view`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.errors import DomainError
from aftersales.core.excel import export_response
from aftersales.core.forms import form_add_errors
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_get

from . import forms as f
from .choices import ExternalState
from .models import DepotRepair, ExternalRepair, RepairLogEntry, ServicePlan
from .repairs import (
    LOG_STATES,
    depot_repair_hand_back,
    depot_repair_inspect,
    depot_repair_log,
    depot_repair_receive,
    depot_repair_recheck,
    depot_repair_start,
    external_repair_complete,
    external_repair_follow_up_log,
    external_repair_receive,
    external_repair_recheck,
    external_repair_resend,
    external_repair_send,
    external_repair_unrepairable,
)
from .selectors import (
    depot_repair_get,
    external_repair_get,
    remote_session_list,
    service_plan_list,
    vendors_for,
)
from .services import (
    PLAN_FIELDS,
    plan_approve,
    plan_confirm,
    plan_create,
    plan_reject,
    plan_revise,
    plan_send,
    plan_update,
    remote_session_escalate,
    remote_session_solve,
    remote_session_start,
)
from .tables import DEPOT, EXTERNAL, PAGE_SIZE, VENDORS, ListSpec
from .transitions import DEPOT as DEPOT_MACHINE
from .transitions import EXTERNAL as EXTERNAL_MACHINE
from .transitions import PLAN, available
from .warranty import warranty_check

# --- lifecycle actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One action: its form, the service call `run(obj, actor, data)` and the success message.
    `partial` is the HTMX fragment re-rendered in place instead of reloading the page."""

    form: type[forms.Form]
    run: Callable[[Any, Any, dict[str, Any]], Any]
    done: Any
    partial: str = ""
    form_kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda obj: {})


def _send_out_kwargs(obj: DepotRepair | ExternalRepair) -> dict[str, Any]:
    return {"vendors": vendors_for(obj.work_order)}


def _send_out_data(data: dict[str, Any]) -> dict[str, Any]:
    names = ("vendor", "reason", "vendor_contact", "voucher_number", "voucher_photo")
    return {name: data.get(name) for name in names}


GETTERS: dict[str, Callable[[Any, int], Any]] = {
    "workorder": workorder_get,
    "remote": lambda user, pk: get_object_or_404(remote_session_list(user), pk=pk),
    "plan": lambda user, pk: get_object_or_404(service_plan_list(user), pk=pk),
    "depot": depot_repair_get,
    "external": external_repair_get,
}

ACTIONS: dict[tuple[str, str], Action] = {
    ("workorder", "remote_start"): Action(
        f.RemoteStartForm,
        lambda wo, actor, d: remote_session_start(work_order=wo, actor=actor, **d),
        gettext_lazy("Remote session recorded."),
    ),
    ("workorder", "depot_receive"): Action(
        f.DepotReceiveForm,
        lambda wo, actor, d: depot_repair_receive(work_order=wo, actor=actor, **d),
        gettext_lazy("Device received for depot repair."),
    ),
    ("remote", "solve"): Action(
        f.RemoteSolveForm,
        lambda s, actor, d: remote_session_solve(session_id=s.pk, actor=actor, **d),
        gettext_lazy("Remote session closed: solved."),
    ),
    ("remote", "escalate"): Action(
        f.RemoteOutcomeForm,
        lambda s, actor, d: remote_session_escalate(session_id=s.pk, actor=actor, **d),
        gettext_lazy("Escalated to an on-site visit."),
    ),
    ("plan", "send"): Action(
        f.PlanSendForm,
        lambda p, actor, d: plan_send(plan_id=p.pk, actor=actor, **d),
        gettext_lazy("Plan sent to the customer."),
    ),
    ("plan", "confirm"): Action(
        f.PlanConfirmForm,
        lambda p, actor, d: plan_confirm(plan_id=p.pk, actor=actor, **d),
        gettext_lazy("Customer's confirmation recorded; work may start."),
    ),
    ("plan", "reject"): Action(
        f.PlanRejectForm,
        lambda p, actor, d: plan_reject(plan_id=p.pk, actor=actor, **d),
        gettext_lazy("Customer's rejection recorded."),
    ),
    ("plan", "approve"): Action(
        f.EmptyForm,
        lambda p, actor, d: plan_approve(plan_id=p.pk, actor=actor),
        gettext_lazy("Revision approved."),
    ),
    ("depot", "inspect"): Action(
        f.DepotInspectForm,
        lambda r, actor, d: depot_repair_inspect(repair_id=r.pk, actor=actor, **d),
        gettext_lazy("Intake inspection recorded."),
    ),
    ("depot", "start_repair"): Action(
        f.EmptyForm,
        lambda r, actor, d: depot_repair_start(repair_id=r.pk, actor=actor),
        gettext_lazy("Repair started."),
    ),
    ("depot", "log"): Action(
        f.RepairLogForm,
        lambda r, actor, d: depot_repair_log(repair_id=r.pk, actor=actor, **d),
        gettext_lazy("Added to the process record."),
        partial="servicing/_process_record.html",
    ),
    ("depot", "send_out"): Action(
        f.SendOutForm,
        lambda r, actor, d: external_repair_send(repair_id=r.pk, actor=actor, **_send_out_data(d)),
        gettext_lazy("Sent to external repair."),
        form_kwargs=_send_out_kwargs,
    ),
    ("depot", "recheck"): Action(
        f.RecheckForm,
        lambda r, actor, d: depot_repair_recheck(repair_id=r.pk, actor=actor, **d),
        gettext_lazy("Re-check recorded."),
    ),
    ("depot", "hand_back"): Action(
        f.HandBackForm,
        lambda r, actor, d: depot_repair_hand_back(repair_id=r.pk, actor=actor, **d),
        gettext_lazy("Device handed back to the customer."),
    ),
    ("external", "receive"): Action(
        f.ExternalReceiveForm,
        lambda e, actor, d: external_repair_receive(external_repair_id=e.pk, actor=actor, **d),
        gettext_lazy("Device received back from the vendor."),
    ),
    ("external", "recheck"): Action(
        f.RecheckForm,
        lambda e, actor, d: external_repair_recheck(external_repair_id=e.pk, actor=actor, **d),
        gettext_lazy("Re-check recorded."),
    ),
    ("external", "unrepairable"): Action(
        f.UnrepairableForm,
        lambda e, actor, d: external_repair_unrepairable(external_repair_id=e.pk, actor=actor, **d),
        gettext_lazy("Recorded as unrepairable."),
    ),
    ("external", "complete"): Action(
        f.ExternalCompleteForm,
        lambda e, actor, d: external_repair_complete(external_repair_id=e.pk, actor=actor, **d),
        gettext_lazy("External repair done; the device is back in the depot repair."),
    ),
    ("external", "resend"): Action(
        f.SendOutForm,
        lambda e, actor, d: external_repair_resend(external_repair_id=e.pk, actor=actor, **_send_out_data(d)),
        gettext_lazy("Re-sent to another vendor."),
        form_kwargs=_send_out_kwargs,
    ),
    ("external", "follow_up"): Action(
        f.FollowUpForm,
        lambda e, actor, d: external_repair_follow_up_log(external_repair_id=e.pk, actor=actor, **d),
        gettext_lazy("Follow-up recorded."),
        partial="servicing/_follow_ups.html",
    ),
}


def action_form(kind: str, action: str, obj: Any, data=None, files=None) -> forms.Form:
    spec = ACTIONS[(kind, action)]
    return spec.form(data, files, auto_id=f"id_{kind}_{obj.pk}_{action}_%s", **spec.form_kwargs(obj))


def _work_order_of(obj: Any) -> WorkOrder:
    return obj if isinstance(obj, WorkOrder) else obj.work_order


def _on_depot_page(obj: Any) -> DepotRepair | None:
    """The depot repair whose page shows this record's forms (None: the work-order page)."""
    if isinstance(obj, DepotRepair):
        return obj
    if isinstance(obj, ExternalRepair | RepairLogEntry):
        return obj.depot_repair
    return None


def _success_url(obj: Any, result: Any) -> str:
    for candidate in (result, obj):
        depot = _on_depot_page(candidate)
        if depot is not None:
            return reverse("servicing:repair_detail", args=[depot.pk])
    return reverse("workorders:detail", args=[_work_order_of(obj).pk])


@login_required
@require_POST
def action_view(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """`/servicing/<kind>/<pk>/do/<action>/`: one lifecycle action. On the depot page a refused
    form comes back with its field errors; on the work-order page as messages; HTMX requests get
    their fragment back."""
    spec = ACTIONS.get((kind, action))
    if spec is None:
        raise Http404
    obj = GETTERS[kind](request.user, pk)
    form = action_form(kind, action, obj, request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            result = spec.run(obj, request.user, form.cleaned_data)
        except (DomainError, ValidationError) as error:
            form_add_errors(form, error)
    if spec.partial and is_partial(request):
        return _partial(request, spec, kind, obj, form if form.errors else None)
    depot = _on_depot_page(obj)
    if form.errors and depot is not None:
        return _depot_page(request, depot.pk, bound=(kind, obj.pk, action, form))
    if form.errors:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    else:
        messages.success(request, str(spec.done))
    return redirect(_success_url(obj, result))


def _partial(
    request: HttpRequest, spec: Action, kind: str, obj: Any, bound: forms.Form | None
) -> HttpResponse:
    """The process record or follow-up list, fresh, with the form (bound when it was refused)."""
    action = "log" if kind == "depot" else "follow_up"
    obj = GETTERS[kind](request.user, obj.pk)
    context = {"form": bound or action_form(kind, action, obj), "user": request.user}
    if kind == "depot":
        context |= {"repair": obj, "can_log": _can_log(request.user, obj)}
    else:
        context |= {"ext": obj, "can_follow_up": _can_follow_up(request.user, obj)}
    return render(request, spec.partial, context)


# --- depot repair page --------------------------------------------------------------------------


def _can_log(user, repair: DepotRepair) -> bool:
    return repair.state in LOG_STATES and DEPOT_MACHINE["recheck"].permits(user, repair.work_order)


def _can_follow_up(user, external: ExternalRepair) -> bool:
    return external.state == ExternalState.SENT and EXTERNAL_MACHINE["complete"].permits(
        user, external.work_order
    )


def _form(kind: str, action: str, obj: Any, bound: tuple | None) -> forms.Form:
    """The refused form when it belongs here (with its errors), else a fresh one."""
    if bound and bound[:3] == (kind, obj.pk, action):
        return bound[3]
    return action_form(kind, action, obj)


def _forms_for(kind: str, obj: Any, machine, user, bound) -> list[tuple[Any, forms.Form]]:
    """(transition, form) for every action the user may run on `obj` now. System transitions
    (vendor_return) have no button."""
    return [
        (transition, _form(kind, transition.name, obj, bound))
        for transition in available(machine, obj, user)
        if (kind, transition.name) in ACTIONS
    ]


def _depot_page(request: HttpRequest, pk: int, *, bound: tuple | None = None) -> HttpResponse:
    user = request.user
    repair = depot_repair_get(user, pk)
    externals = list(repair.external_repairs.all())
    for external in externals:
        external.work_order = repair.work_order  # the same row, already loaded
        external.actions = _forms_for("external", external, EXTERNAL_MACHINE, user, bound)
        external.can_follow_up = _can_follow_up(user, external)
        external.follow_up_form = _form("external", "follow_up", external, bound)
    context = {
        "repair": repair,
        "wo": repair.work_order,
        "warranty": warranty_check(repair.work_order),
        "actions": _forms_for("depot", repair, DEPOT_MACHINE, user, bound),
        "externals": externals,
        "form": _form("depot", "log", repair, bound),
        "can_log": _can_log(user, repair),
    }
    return render(request, "servicing/repair_detail.html", context)


@login_required
@require_GET
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/repairs/<pk>/`: the repair order, its inspection, process record, send-outs."""
    return _depot_page(request, pk)


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
    if not PLAN["send"].permits(user, work_order):
        raise PermissionDenied
    form_class = f.PlanReviseForm if mode == "revise" else f.PlanForm
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS} if plan else {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if mode == "create":
                plan_create(work_order=work_order, actor=user, **data)
            elif mode == "edit":
                plan_update(plan_id=plan.pk, actor=user, **data)
            else:
                plan_revise(plan_id=plan.pk, actor=user, **data)
        except (DomainError, ValidationError) as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Service plan saved."))
            return redirect(reverse("workorders:detail", args=[work_order.pk]) + "#plan")
    titles = {
        "create": _("New service plan"),
        "edit": _("Edit the draft plan"),
        "revise": _("Revise the plan"),
    }
    context = {"form": form, "wo": work_order, "plan": plan, "title": titles[mode], "mode": mode}
    return render(request, "servicing/plan_form.html", context)


# --- lists --------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, spec: ListSpec):
    return spec.filterset(request.GET, queryset=spec.queryset(request.user), request=request)


def list_view(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    """A list page with its filter, sorting and pages, or only its results for HTMX."""
    filterset = _filtered(request, spec)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "spec": spec,
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "list_url": reverse(f"servicing:{spec.key}"),
        "export_url": reverse(f"servicing:{spec.key}_export"),
    }
    return render_page_or_partial(
        request,
        page_template="servicing/list.html",
        partial_template="servicing/_results.html",
        context=context,
    )


def export_view(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    """The filtered, scoped list as a spreadsheet (the export is logged, R41)."""
    filterset = _filtered(request, spec)
    return export_response(
        request=request,
        resource=f"servicing-{spec.key}",
        title=str(spec.title),
        headers=spec.export_headers,
        rows=spec.export_rows(filterset.qs.iterator(chunk_size=2000)),
    )


def _list_views(spec: ListSpec) -> tuple[Callable, Callable]:
    page = login_required(require_GET(lambda request: list_view(request, spec)))
    export = login_required(require_GET(lambda request: export_view(request, spec)))
    return page, export


repair_list, repair_export = _list_views(DEPOT)
external_list, external_export = _list_views(EXTERNAL)
vendor_list, vendor_export = _list_views(VENDORS)
