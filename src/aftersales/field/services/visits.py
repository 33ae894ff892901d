"""Writes for on-site visits (R12): planned for an assigned work order, run through their lifecycle
(`transitions.VISIT`), following the work order to a new engineer, and what the engineer records on
site (findings, self-check, plan change, parts, photos) and afterwards (the internal fault cause and
repair measures, R16). The customer's sign-off is `signoff`, the supervision card `supervision`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.catalog.models import Part, part_number_normalize
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.services import number_next
from aftersales.core.transitions import Permission, transition_run
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import StockTransfer, Warehouse
from aftersales.parts.services.job_parts import job_part_put_back, job_part_take
from aftersales.parts.services.transfers import transfer_create
from aftersales.workorders.events import event_record
from aftersales.workorders.models import Attachment, WorkOrder
from aftersales.workorders.search import workorder_search_refresh
from aftersales.workorders.services import attachment_add
from aftersales.workorders.transitions import WORKORDER

from ..choices import VisitState
from ..events import AGREED, NOT_AGREED
from ..events import VISIT as VISIT_EVENT
from ..models import Appointment, AppointmentState, Visit, VisitPart
from ..policies import (
    ADD_VISIT_PHOTO,
    EDIT_VISIT_INTERNAL,
    EDIT_VISIT_RECORD,
    PLAN_VISIT,
    signed_off,
    visit_internal_open,
    visit_planning_open,
)
from ..selectors import part_sources, self_check_labels
from ..transitions import VISIT

VISIT_NUMBER_PREFIX = "SV"


def visit_event(
    visit: Visit, *, actor, action: str, params: dict[str, Any] | None = None, note: str = ""
) -> None:
    """A visit's event on its work order's timeline (texts in `events.VISIT`)."""
    event_record(
        visit.work_order,
        kind=VISIT_EVENT,
        actor=actor,
        action=action,
        params={"visit": visit.number, **(params or {})},
        note=note,
    )


def visit_check(visit: Visit, actor, permission: Permission, refusal: str) -> None:
    """Refuse (403) an actor the named permission does not let act on this visit."""
    if not VISIT.permits(permission, actor, visit):
        raise NotPermitted(refusal)


def visit_check_record_open(visit: Visit) -> None:
    """What the customer sees and signs is recorded on site and frozen by the signature (R15)."""
    if visit.state != VisitState.ON_SITE:
        raise TransitionNotAllowed(_("Check in first: the visit record is kept while on site."))
    if signed_off(visit):
        raise TransitionNotAllowed(
            _("The customer has already signed off this visit; its record can no longer change.")
        )


def _visit_save(visit: Visit, *fields: str) -> None:
    visit.version += 1
    visit.full_clean()
    visit.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def visit_create(
    *,
    work_order: WorkOrder,
    actor,
    appointment: Appointment | None = None,
    planned_date: date | None = None,
) -> Visit:
    """R12: plan a visit of the engineer assigned to the work order, from a booked appointment
    (its day, window and engineer; one visit per appointment) or for a day (today by default).

    The work order must be assigned and open; dispatch roles, supervisors and the assigned engineer
    may plan it (`policies.PLAN_VISIT`). The self-check list configured at that time is copied onto
    the visit."""
    work_order = WORKORDER.lock(work_order.pk)
    if not visit_planning_open(work_order):
        raise TransitionNotAllowed(
            _("A visit can be planned only for an assigned, open work order."), code="not_assigned"
        )
    if not WORKORDER.permits(PLAN_VISIT, actor, work_order):
        raise NotPermitted(_("Only dispatchers, supervisors and the assigned engineer may plan a visit."))
    visit = Visit(work_order=work_order, engineer=work_order.engineer, created_by=actor)
    if appointment is not None:
        if appointment.work_order_id != work_order.pk:
            raise DomainError(
                _("Only a booked appointment of this work order can become a visit."), field="appointment"
            )
        if Visit.objects.filter(appointment=appointment).exists():
            raise TransitionNotAllowed(_("This appointment already has its visit."), code="duplicate")
        if appointment.state != AppointmentState.BOOKED:
            raise TransitionNotAllowed(
                _("Only a booked appointment of this work order can become a visit."), code="not_booked"
            )
        visit.appointment = appointment
        visit.engineer = appointment.engineer
        visit.planned_date = appointment.date
        visit.window_start, visit.window_end = appointment.window_start, appointment.window_end
    else:
        visit.planned_date = planned_date or timezone.localdate()
    visit.checklist = [{"label": label, "ok": False} for label in self_check_labels(work_order)]
    visit.number = number_next(prefix=VISIT_NUMBER_PREFIX)
    visit.full_clean()
    visit.save()
    window = f" {visit.window_start:%H:%M}–{visit.window_end:%H:%M}" if visit.window_start else ""
    visit_event(
        visit,
        actor=actor,
        action="visit_plan",
        params={"when": f"{visit.planned_date:%Y-%m-%d}{window}", "engineer": str(visit.engineer)},
    )
    return visit


def visit_transition(
    *, visit_id: int, action: str, actor, expected_version: int | None = None, **inputs: Any
) -> Visit:
    """R12: run one step of the visit's lifecycle (`transitions.VISIT`: depart, arrive, leave,
    cancel) with its inputs (`latitude`, `longitude`, `accuracy` on check-in and check-out,
    `reason` to cancel). Refused from other states (409) or for other people (403); checking out
    needs the customer's sign-off or recorded refusal (R15, R17); each step is on the timeline."""
    return transition_run(
        VISIT, pk=visit_id, action=action, actor=actor, expected_version=expected_version, inputs=inputs
    )


@transaction.atomic
def visits_follow_engineer(*, work_order: WorkOrder, actor) -> list[Visit]:
    """R12, R5: after a reassignment, the work order's visits not started yet go to the new
    engineer with their appointment; one whose appointment had to be cancelled is released with
    it (the system's "release" transition). Each change is on the timeline. Returns the visits
    changed."""
    engineer = work_order.engineer
    if engineer is None:
        return []
    pending = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("work_order", "engineer__user", "appointment")
        .filter(work_order=work_order, state=VisitState.BOOKED)
        .exclude(engineer=engineer)
        .order_by("id")
    )
    changed = []
    for visit in pending:
        if visit.appointment is not None and visit.appointment.state == AppointmentState.CANCELLED:
            changed.append(transition_run(VISIT, pk=visit.pk, action="release", actor=None))
            continue
        names = {"before": str(visit.engineer), "after": str(engineer)}
        visit.engineer = engineer
        _visit_save(visit, "engineer")
        visit_event(visit, actor=actor, action="visit_engineer", params=names)
        changed.append(visit)
    return changed


@transaction.atomic
def visit_record(
    *,
    visit_id: int,
    actor,
    findings: str,
    checked: Iterable[int] = (),
    plan_change: str = "",
    plan_change_agreed: bool | None = None,
    expected_version: int | None = None,
) -> Visit:
    """R12, R15: what the engineer found and did, the self-check items done (by position), and new
    findings that change the plan with whether the customer agreed to the change. Kept on site
    only, until the customer signs (`policies.EDIT_VISIT_RECORD`); a changed plan is written to the
    timeline."""
    visit = VISIT.lock(visit_id, expected_version)
    visit_check(visit, actor, EDIT_VISIT_RECORD, _("Only the visit's engineer or a supervisor may do this."))
    visit_check_record_open(visit)
    plan_change = (plan_change or "").strip()
    if plan_change and plan_change_agreed is None:
        raise ValidationError(
            {"plan_change_agreed": [_("Record whether the customer agreed to the change.")]}
        )
    checked = {int(i) for i in checked}
    plan_before = (visit.plan_change, visit.plan_change_agreed)
    visit.findings = (findings or "").strip()
    visit.checklist = [{"label": item["label"], "ok": i in checked} for i, item in enumerate(visit.checklist)]
    visit.plan_change = plan_change
    visit.plan_change_agreed = plan_change_agreed if plan_change else None
    _visit_save(visit, "findings", "checklist", "plan_change", "plan_change_agreed")
    workorder_search_refresh([visit.work_order_id])  # the findings are searched too
    if plan_change and (visit.plan_change, visit.plan_change_agreed) != plan_before:
        visit_event(
            visit,
            actor=actor,
            action="visit_plan_change",
            params={"agreed": AGREED if plan_change_agreed else NOT_AGREED},
            note=plan_change,
        )
    return visit


# `visit_part_add(warehouse_id=VAN)`: take the part from the visit engineer's van when there is one.
VAN = -1


def _source_warehouse(visit: Visit, warehouse_id: int | None) -> Warehouse | None:
    """The van or store a part is issued from: the engineer's van (`VAN`), a warehouse of the
    visit's service point or the engineer's van by id, or none (`None`: not from stock)."""
    if warehouse_id is None:
        return None
    if warehouse_id == VAN:
        return Warehouse.objects.filter(engineer_id=visit.engineer_id, is_active=True).first()
    allowed = Warehouse.objects.filter(
        is_active=True, kind__in=[WarehouseKind.VAN, WarehouseKind.SERVICE_POINT]
    )
    warehouse = allowed.filter(pk=warehouse_id).first()
    if warehouse is None or not (
        warehouse.engineer_id == visit.engineer_id
        or (
            warehouse.kind == WarehouseKind.SERVICE_POINT
            and warehouse.service_point_id == visit.engineer.service_point_id
        )
    ):
        raise DomainError(
            _("Take parts from your van or your service point's store."),
            code="not_your_warehouse",
            field="warehouse",
        )
    return warehouse


@transaction.atomic
def visit_part_add(
    *,
    visit_id: int,
    actor,
    part_number: str,
    name: str = "",
    quantity: int = 1,
    shown_to_customer: bool = True,
    warehouse_id: int | None = VAN,
    old_serial_number: str = "",
) -> VisitPart:
    """R12: a part replaced on site, shown to the customer, recorded on the visit and its timeline
    (`policies.EDIT_VISIT_RECORD`, before the customer signs). A catalog part is issued from the
    engineer's van (or the store named by `warehouse_id`; `None`: not from stock), refused with
    what is on hand when short (R32, 409), and its warranty cover is decided now (R36). A covered
    part tracked by serial number names the serial number of the part taken out (R29)."""
    visit = VISIT.lock(visit_id)
    visit_check(visit, actor, EDIT_VISIT_RECORD, _("Only the visit's engineer or a supervisor may do this."))
    visit_check_record_open(visit)
    taken = job_part_take(
        work_order=visit.work_order,
        part_number=part_number,
        quantity=quantity,
        warehouse=_source_warehouse(visit, warehouse_id),
        actor=actor,
        day=visit.day,
        old_serial_number=old_serial_number,
        note=visit.number,
    )
    part = VisitPart(
        visit=visit,
        shown_to_customer=shown_to_customer,
        **taken.row_fields(name=name, quantity=quantity, old_serial_number=old_serial_number, actor=actor),
    )
    part.full_clean()
    part.save()
    visit_event(visit, actor=actor, action="visit_part_add", params={"part": str(part)})
    return part


@transaction.atomic
def visit_part_remove(*, part_id: int, actor) -> None:
    """R12: remove a part recorded by mistake, while on site and before the customer signs; a part
    issued from stock goes back where it came from (R32)."""
    part = VisitPart.objects.select_related("visit", "part", "warehouse").get(pk=part_id)
    visit = VISIT.lock(part.visit_id)
    visit_check(visit, actor, EDIT_VISIT_RECORD, _("Only the visit's engineer or a supervisor may do this."))
    visit_check_record_open(visit)
    job_part_put_back(
        work_order=visit.work_order,
        part=part.part,
        quantity=part.quantity,
        warehouse=part.warehouse,
        actor=actor,
    )
    part.delete()
    visit_event(visit, actor=actor, action="visit_part_remove", params={"part": str(part)})


@transaction.atomic
def visit_parts_request(*, visit_id: int, actor, part_number: str, quantity: int = 1) -> StockTransfer:
    """R12, R32: the van lacks a part: ask the service point's store for it without leaving the
    visit — a transfer to the engineer's van for this work order, which the store ships."""
    visit = VISIT.lock(visit_id)
    visit_check(visit, actor, EDIT_VISIT_RECORD, _("Only the visit's engineer or a supervisor may do this."))
    part = Part.objects.filter(number=part_number_normalize(part_number), is_active=True).first()
    if part is None:
        raise DomainError(_("There is no such part in the catalog."), code="invalid", field="part_number")
    sources = part_sources(visit)
    van = next((w for w in sources if w.kind == WarehouseKind.VAN), None)
    store = next((w for w in sources if w.kind == WarehouseKind.SERVICE_POINT), None)
    if van is None or store is None:
        raise DomainError(
            _("Parts are asked for from the service point's store into your van; one of them is missing."),
            code="no_van_or_store",
        )
    transfer = transfer_create(
        source=store,
        destination=van,
        lines=[(part, quantity)],
        actor=actor,
        work_order=visit.work_order,
        note=visit.number,
    )
    visit_event(
        visit,
        actor=actor,
        action="visit_parts_request",
        params={"part": f"{part.number} ×{quantity}", "source": store.name, "transfer": transfer.number},
    )
    return transfer


@transaction.atomic
def visit_photo_add(*, visit_id: int, actor, upload: UploadedFile, description: str = "") -> Attachment:
    """R12: a photo taken on site (`policies.ADD_VISIT_PHOTO`), kept as an attachment of the work
    order (catalogued by month, R21) and named after the visit."""
    visit = VISIT.lock(visit_id)
    visit_check(visit, actor, ADD_VISIT_PHOTO, _("Only the visit's engineer or a supervisor may do this."))
    if visit.state != VisitState.ON_SITE:
        raise TransitionNotAllowed(_("Check in first: the visit record is kept while on site."))
    kind = filetype.guess(upload.read(261))
    upload.seek(0)
    if kind is None or not kind.mime.startswith("image/"):
        raise ValidationError({"file": [_("Take or choose a photo (an image file).")]})
    label = (description or "").strip() or _("Photo")
    return attachment_add(
        work_order=visit.work_order, actor=actor, upload=upload, description=f"{visit.number} · {label}"
    )


@transaction.atomic
def visit_internal_update(
    *, visit_id: int, actor, fault_cause: str, repair_measures: str, expected_version: int | None = None
) -> Visit:
    """R16: the internal fault cause and repair measures, never on the customer's copy; they may be
    filled in after leaving the site, until the work order is closed. For the visit's engineer,
    supervisors and clerks (`policies.EDIT_VISIT_INTERNAL`)."""
    visit = VISIT.lock(visit_id, expected_version)
    visit_check(
        visit,
        actor,
        EDIT_VISIT_INTERNAL,
        _("Only the visit's engineer, a clerk or a supervisor may do this."),
    )
    if not visit_internal_open(visit):
        raise TransitionNotAllowed(
            _("The fault cause and measures can no longer change: the work order is closed.")
        )
    visit.fault_cause = (fault_cause or "").strip()
    visit.repair_measures = (repair_measures or "").strip()
    _visit_save(visit, "fault_cause", "repair_measures")
    visit_event(visit, actor=actor, action="visit_internal")
    return visit
