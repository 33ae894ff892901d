"""Reads of the servicing records, scoped in SQL through their work order (R37): whoever may see
the work order sees its remote sessions, plans and repairs; nobody else does."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from aftersales.devices.entitlement import contracts_in_force_prefetch
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from .choices import DepotState, ExternalState, PlanState
from .models import (
    DepotRepair,
    DepotRepairPart,
    ExternalRepair,
    ExternalRepairFollowUp,
    MaintenanceOccurrence,
    PurchaseProof,
    RemoteSession,
    RepairLogEntry,
    ServicePlan,
    Vendor,
    WarrantyExclusion,
    WarrantyOverride,
)


def _in_scope(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(work_order__in=workorder_scope(user).values("pk"))


def remote_session_list(user) -> QuerySet[RemoteSession]:
    return _in_scope(user, RemoteSession.objects.select_related("work_order__engineer", "performed_by"))


def service_plan_list(user) -> QuerySet[ServicePlan]:
    return _in_scope(
        user,
        ServicePlan.objects.select_related(
            "work_order__engineer", "created_by", "approved_by", "recorded_by"
        ),
    )


def plan_current(work_order: WorkOrder) -> ServicePlan | None:
    """The plan in force: the latest version (earlier ones are revised)."""
    return work_order.service_plans.order_by("-revision").first()


def plan_holds_work(plan: ServicePlan | None) -> bool:
    """R8: a current plan the customer has not confirmed keeps work from starting."""
    return plan is not None and plan.state != PlanState.CONFIRMED


def plan_blocks_start(work_order: WorkOrder) -> ServicePlan | None:
    """R8: the unconfirmed current plan that keeps work from starting, if any."""
    plan = plan_current(work_order)
    return plan if plan_holds_work(plan) else None


def depot_hand_back_latest(work_order: WorkOrder) -> DepotRepair | None:
    """R13, R17: the work order's latest depot repair handed back with the customer's confirmation
    (who took it, how they confirmed)."""
    return (
        work_order.depot_repairs.filter(state=DepotState.HANDED_BACK, handed_back_at__isnull=False)
        .exclude(handover_method="")
        .order_by("-handed_back_at", "-id")
        .first()
    )


def warranty_records(path: str = "") -> tuple[Prefetch, ...]:
    """The prefetches of a work order's warranty exclusions, overrides and proofs of purchase
    (with who recorded them) that `warranty.work_order_entitlement` reads, and the service
    contracts of its device that may be in force (R35, `devices.entitlement.contract_for`); `path`
    leads to the work order."""
    return (
        contracts_in_force_prefetch(f"{path}device__"),
        Prefetch(
            f"{path}warranty_exclusions", queryset=WarrantyExclusion.objects.select_related("recorded_by")
        ),
        Prefetch(
            f"{path}warranty_overrides", queryset=WarrantyOverride.objects.select_related("recorded_by")
        ),
        Prefetch(
            f"{path}purchase_proofs",
            queryset=PurchaseProof.objects.select_related("recorded_by", "attachment"),
        ),
    )


def depot_repair_list(user) -> QuerySet[DepotRepair]:
    """The list rows: work order, customer and model joined, external send-outs counted, the
    warranty decisions prefetched (the API shows each repair's warranty)."""
    return _in_scope(
        user,
        DepotRepair.objects.select_related(
            "work_order__customer", "work_order__product_model", "work_order__service_point", "received_by"
        )
        .prefetch_related(*warranty_records("work_order__"))
        .annotate(send_outs=Count("external_repairs"))
        .order_by("-received_at", "-id"),  # explicit: a GROUP BY query drops the default ordering
    )


def depot_repair_get(user, pk: int) -> DepotRepair:
    """One depot repair the user may see with its process record and send-outs, or 404."""
    queryset = _in_scope(
        user,
        DepotRepair.objects.select_related(
            "work_order__customer",
            "work_order__device__product_model",
            "work_order__product_model",
            "work_order__service_point",
            "work_order__engineer__user",
            "received_by",
            "inspected_by",
            "repaired_by",
            "rechecked_by",
        ).prefetch_related(
            "photos",
            Prefetch("entries", queryset=RepairLogEntry.objects.select_related("performed_by")),
            Prefetch(
                "external_repairs",
                queryset=ExternalRepair.objects.select_related("vendor", "sent_by").order_by("sent_at", "id"),
            ),
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def external_repair_list(user) -> QuerySet[ExternalRepair]:
    return _in_scope(
        user,
        ExternalRepair.objects.select_related(
            "vendor", "work_order__customer", "work_order__service_point", "depot_repair", "sent_by"
        )
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("-sent_at", "-id"),
    )


def external_repair_get(user, pk: int) -> ExternalRepair:
    queryset = _in_scope(
        user,
        ExternalRepair.objects.select_related(
            "vendor", "work_order__engineer__user", "depot_repair", "previous__vendor", "voucher_photo"
        ).prefetch_related(
            Prefetch("follow_ups", queryset=ExternalRepairFollowUp.objects.select_related("actor"))
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def external_repairs_at_vendor(work_order: WorkOrder) -> QuerySet[ExternalRepair]:
    return work_order.external_repairs.filter(state=ExternalState.SENT)


def vendor_list() -> QuerySet[Vendor]:
    """Vendors are reference data every staff role may read; devices at each counted."""
    return (
        Vendor.objects.prefetch_related("product_lines")
        .annotate(at_vendor=Count("external_repairs", filter=Q(external_repairs__state=ExternalState.SENT)))
        .order_by("name")
    )


def vendors_for(work_order: WorkOrder) -> QuerySet[Vendor]:
    """Active vendors that repair the work order's product line (or every line)."""
    vendors = Vendor.objects.filter(is_active=True)
    line = work_order.product_line
    if line is None:
        return vendors
    return vendors.filter(Q(product_lines=line) | Q(product_lines=None)).distinct()


def servicing_overview(work_order: WorkOrder) -> dict:
    """What the work-order page panels show, in a handful of queries."""
    plans = list(work_order.service_plans.select_related("created_by", "approved_by", "recorded_by"))
    repairs = list(
        work_order.depot_repairs.prefetch_related(
            Prefetch(
                "external_repairs",
                queryset=ExternalRepair.objects.select_related("vendor").order_by("sent_at", "id"),
            )
        )
    )
    return {
        "remote_sessions": list(work_order.remote_sessions.select_related("performed_by")),
        "plans": plans,
        "plan": plans[-1] if plans else None,
        "repairs": repairs,
        "open_repair": next((r for r in repairs if r.state != DepotState.HANDED_BACK), None),
    }


def maintenance_of_contract(contract) -> QuerySet[MaintenanceOccurrence]:
    """R35: the maintenance due dates a contract's plans generated, with their work orders and
    devices, the latest due first."""
    return (
        MaintenanceOccurrence.objects.filter(plan__contract=contract)
        .select_related("work_order", "device")
        .order_by("-due_on", "-id")
    )


def depot_parts_replaced(work_order: WorkOrder) -> dict[int, int]:
    """R13, R9: catalog part id → how many were replaced in the work order's depot repairs."""
    replaced: dict[int, int] = {}
    rows = DepotRepairPart.objects.filter(depot_repair__work_order=work_order, part__isnull=False)
    for part_id, quantity in rows.order_by("id").values_list("part_id", "quantity"):
        replaced[part_id] = replaced.get(part_id, 0) + quantity
    return replaced
