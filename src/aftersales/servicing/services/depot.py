"""Depot repair (R13): the device taken in at the service point (repair order 维修服务单), its intake
inspection with photos and the warranty check, the repair with its process record (产品维修过程
记录), the self re-check and the hand-back the customer confirms. Sending it out is in
`external.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.services import number_next
from aftersales.core.transitions import transition_run
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import Warehouse
from aftersales.parts.services.job_parts import job_part_put_back, job_part_take
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder

from ..choices import DepotState
from ..events import REPAIR
from ..models import DepotRepair, DepotRepairPart, RepairLogEntry
from ..transitions import (
    DEPOT,
    KEEP_PROCESS_RECORD,
    RECORD_STATES,
    TAKE_IN_DEVICE,
    permission_check,
    required_text,
    work_order_open_check,
)


@transaction.atomic
def depot_repair_receive(*, work_order: WorkOrder, actor, accessories: str = "") -> DepotRepair:
    """R13: the device is taken in at the service point with what came with it; a repair order
    (维修服务单) is numbered. One open depot repair per work order."""
    work_order_open_check(work_order)
    permission_check(
        DEPOT, TAKE_IN_DEVICE, actor, work_order, _("You may not take in devices for this work order.")
    )
    if work_order.depot_repairs.exclude(state=DepotState.HANDED_BACK).exists():
        raise DomainError(_("The device of this work order is already in for repair."), code="open_repair")
    repair = DepotRepair(
        work_order=work_order,
        number=number_next(prefix="DR"),
        accessories=(accessories or "").strip(),
        received_by=actor,
        received_at=timezone.now(),
    )
    repair.full_clean()
    repair.save()
    event_record(
        work_order,
        kind=REPAIR,
        actor=actor,
        action="depot_receive",
        params={"record": str(repair)},
        note=repair.accessories,
    )
    return repair


def depot_repair_inspect(
    *,
    repair_id: int,
    actor,
    appearance: str,
    configuration: str,
    fault_found: str = "",
    photos: Sequence[UploadedFile] = (),
) -> DepotRepair:
    """R13: intake inspection of appearance and configuration, with photos kept as the work
    order's attachments; the warranty check is recorded as it stands today."""
    return transition_run(
        DEPOT,
        pk=repair_id,
        action="inspect",
        actor=actor,
        inputs={
            "appearance": appearance,
            "configuration": configuration,
            "fault_found": fault_found,
            "photos": list(photos),
        },
    )


def depot_repair_start(*, repair_id: int, actor) -> DepotRepair:
    """R13, R8: the repair is work, so it starts only on a work order in service (which in turn
    starts only once the customer confirmed the service plan)."""
    return transition_run(DEPOT, pk=repair_id, action="start_repair", actor=actor)


def depot_repair_recheck(*, repair_id: int, actor, result: str) -> DepotRepair:
    """R13: the engineer's own re-check before the device is handed back."""
    return transition_run(DEPOT, pk=repair_id, action="recheck", actor=actor, inputs={"result": result})


def depot_repair_hand_back(
    *, repair_id: int, actor, handed_back_to: str, confirmation_method: str
) -> DepotRepair:
    """R13: the customer takes the device back and confirms it (who, how); this closes the repair."""
    return transition_run(
        DEPOT,
        pk=repair_id,
        action="hand_back",
        actor=actor,
        inputs={"handed_back_to": handed_back_to, "confirmation_method": confirmation_method},
    )


@transaction.atomic
def depot_repair_log(
    *, repair_id: int, actor, work_done: str, measurements: str = "", performed_at: datetime | None = None
) -> RepairLogEntry:
    """R13: one entry of the product repair process record: when, who, what was done and measured
    (between the inspection and the re-check; never in the future)."""
    repair = DEPOT.lock(repair_id)
    permission_check(
        DEPOT, KEEP_PROCESS_RECORD, actor, repair, _("You may not write the process record of this repair.")
    )
    if repair.state not in RECORD_STATES:
        raise TransitionNotAllowed(
            _("The process record takes entries between the inspection and the re-check."),
            code="not_repairing",
        )
    now = timezone.now()
    if performed_at is not None and performed_at > now + timedelta(minutes=5):
        raise ValidationError({"performed_at": [_("The time cannot be in the future.")]})
    entry = RepairLogEntry(
        depot_repair=repair,
        performed_at=performed_at or now,
        performed_by=actor,
        work_done=required_text(work_done, "work_done", _("Describe what was done.")),
        measurements=(measurements or "").strip(),
    )
    entry.full_clean()
    entry.save()
    event_record(
        repair.work_order,
        kind=REPAIR,
        actor=actor,
        action="depot_log",
        params={"record": str(repair)},
        note=" · ".join(part for part in (entry.work_done, entry.measurements) if part),
    )
    return entry


def _record_parts_check(repair: DepotRepair, actor) -> None:
    permission_check(DEPOT, KEEP_PROCESS_RECORD, actor, repair, _("You may not record parts of this repair."))
    if repair.state not in RECORD_STATES:
        raise TransitionNotAllowed(
            _("Parts are recorded between the inspection and the re-check."), code="not_repairing"
        )


@transaction.atomic
def depot_repair_part_add(
    *,
    repair_id: int,
    actor,
    part_number: str,
    name: str = "",
    quantity: int = 1,
    from_store: bool = True,
    old_serial_number: str = "",
) -> DepotRepairPart:
    """R12, R13, R32: a part replaced in the depot, issued from the service point's store (or not
    from stock), refused with what is on hand when short (409); its warranty cover is decided now
    (R36) and a covered part becomes an old part when the device is handed back (R29)."""
    repair = DEPOT.lock(repair_id)
    _record_parts_check(repair, actor)
    store = None
    if from_store:
        store = Warehouse.objects.filter(
            kind=WarehouseKind.SERVICE_POINT,
            service_point_id=repair.work_order.service_point_id,
            is_active=True,
        ).first()
        if store is None:
            raise DomainError(
                _("The service point has no store to take parts from: record it as not from stock."),
                code="no_store",
                field="from_store",
            )
    taken = job_part_take(
        work_order=repair.work_order,
        part_number=part_number,
        quantity=quantity,
        warehouse=store,
        actor=actor,
        day=timezone.localdate(),
        old_serial_number=old_serial_number,
        note=repair.number,
    )
    part = DepotRepairPart(
        depot_repair=repair,
        **taken.row_fields(name=name, quantity=quantity, old_serial_number=old_serial_number, actor=actor),
    )
    part.full_clean(exclude=["depot_repair", "part", "warehouse", "created_by", "old_part"])
    part.save()
    event_record(
        repair.work_order,
        kind=REPAIR,
        actor=actor,
        action="depot_part_add",
        params={"record": str(repair), "part": str(part)},
    )
    return part


@transaction.atomic
def depot_repair_part_remove(*, part_id: int, actor) -> None:
    """A part recorded by mistake, before the re-check: back to the store it came from."""
    part = DepotRepairPart.objects.select_related("part", "warehouse").get(pk=part_id)
    repair = DEPOT.lock(part.depot_repair_id)
    _record_parts_check(repair, actor)
    job_part_put_back(
        work_order=repair.work_order,
        part=part.part,
        quantity=part.quantity,
        warehouse=part.warehouse,
        actor=actor,
    )
    part.delete()
    event_record(
        repair.work_order,
        kind=REPAIR,
        actor=actor,
        action="depot_part_remove",
        params={"record": str(repair), "part": str(part)},
    )
