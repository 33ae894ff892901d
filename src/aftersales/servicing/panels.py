"""The servicing panels of the work-order page (service tab): the service plan, remote service and
repairs, each with what the user may do now. Their data is read once per page through the
selectors; what the user may do comes from the machines and the named permissions of
`transitions.py`, so the templates hold no rule."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone

from aftersales.workorders.models import WorkOrder

from .forms import (
    DepotReceiveForm,
    PurchaseProofForm,
    RemoteStartForm,
    WarrantyExclusionForm,
    WarrantyOverrideForm,
    action_form,
)
from .selectors import maintenance_of_contract, plan_holds_work, servicing_overview, warranty_records
from .transitions import (
    PLAN,
    REMOTE,
    may_attach_purchase_proof,
    may_edit_plan,
    may_exclude_from_warranty,
    may_override_warranty,
    may_plan,
    may_start_remote,
    may_take_in,
)
from .warranty import work_order_entitlement


def _overview(work_order: WorkOrder) -> dict[str, Any]:
    """Shared by the three panels of one page (kept on the work order being shown)."""
    if not hasattr(work_order, "_servicing_overview"):
        work_order._servicing_overview = servicing_overview(work_order)
    return work_order._servicing_overview


def plan_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    """R8: the current plan, its earlier versions, and the next step with the customer. A revision
    awaiting approval is approved, not sent; revising has its own page."""
    user = request.user
    overview = _overview(work_order)
    plan = overview["plan"]
    plan_allowed = may_plan(user, work_order)
    if plan is None and not plan_allowed:
        return None
    actions, may_revise = [], False
    if plan is not None:
        runnable = PLAN.available(plan, user)
        may_revise = work_order.is_open and any(t.name == "revise" for t in runnable)
        hidden = {"revise", "send" if plan.awaits_approval else "approve"}
        actions = [(t, action_form("plan", PLAN, plan, t, user)) for t in runnable if t.name not in hidden]
    return {
        "plan": plan,
        "earlier": overview["plans"][:-1],
        "actions": actions,
        "may_create": plan is None and plan_allowed,
        "may_edit": plan is not None and may_edit_plan(user, plan),
        "may_revise": may_revise,
        "blocks_start": work_order.is_open and plan_holds_work(plan),
    }


def remote_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    """R6: remote sessions with their steps and outcome; open ones can be closed."""
    user = request.user
    sessions = _overview(work_order)["remote_sessions"]
    start_form = None
    if may_start_remote(user, work_order):
        start_form = RemoteStartForm(auto_id=f"id_workorder_{work_order.pk}_remote_start_%s")
    if not sessions and start_form is None:
        return None
    for session in sessions:
        session.actions = [
            (t, action_form("remote", REMOTE, session, t, user)) for t in REMOTE.available(session, user)
        ]
    return {"sessions": sessions, "start_form": start_form}


def repair_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    """R13, R14: the device's depot repairs and send-outs; a device can be taken in (one open
    depot repair at a time)."""
    overview = _overview(work_order)
    receive_form = None
    if overview["open_repair"] is None and may_take_in(request.user, work_order):
        receive_form = DepotReceiveForm(auto_id=f"id_workorder_{work_order.pk}_depot_receive_%s")
    if not overview["repairs"] and receive_form is None:
        return None
    return {"repairs": overview["repairs"], "receive_form": receive_form}


def warranty_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    """R36: the work order's warranty today, line by line what it covers and who pays, the
    exclusions, overrides and proofs of purchase recorded, and the forms for them when the user
    may."""
    user = request.user
    may_exclude = may_exclude_from_warranty(user, work_order)
    may_override = may_override_warranty(user, work_order)
    may_attach = may_attach_purchase_proof(user, work_order)
    prefix = f"workorder_{work_order.pk}_warranty"
    prefetch_related_objects([work_order], *warranty_records())
    return {
        "entitlement": work_order_entitlement(work_order, day=timezone.localdate()),
        "exclusions": work_order.warranty_exclusions.all(),
        "overrides": work_order.warranty_overrides.all(),
        "proofs": work_order.purchase_proofs.all(),
        "proof_form": PurchaseProofForm(auto_id=f"id_{prefix}_proof_%s") if may_attach else None,
        "exclusion_form": WarrantyExclusionForm(auto_id=f"id_{prefix}_exclusion_%s") if may_exclude else None,
        "override_form": WarrantyOverrideForm(auto_id=f"id_{prefix}_override_%s") if may_override else None,
    }


def contract_maintenance_panel(request: HttpRequest, contract) -> dict[str, Any]:
    """R35, on the service contract's page: the maintenance work orders its plans generated."""
    return {"occurrences": list(maintenance_of_contract(contract))}
