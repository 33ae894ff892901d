"""Old parts (旧件, R29): a part replaced under warranty is recovered, numbered (JP…) and labelled,
kept in its service point's defective location apart from good stock, and reported to HQ within
`settings.PARTS_OLD_PART_REPORT_DAYS` days; reported parts travel to HQ in a shipment (JH…),
are received into HQ's defective location and inspected there.

Old parts carry no value in the ledger (they come in, move and leave at 0), so the defective
locations never mix their worth with good stock's and the balance of value stays exact.

A dealer whose service point did not report an old part by its deadline is charged the part's
out-of-warranty (retail) price once, by the daily job (`old_part_penalties_charge`); HQ may reverse
the charge with a reason (the appeal). Points HQ runs are not charged; their late parts are only
listed as overdue.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint, User
from aftersales.catalog.models import Part
from aftersales.catalog.pricing import part_price
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import ZERO, line_amount, yuan
from aftersales.core.services import number_next
from aftersales.core.transitions import transition_run
from aftersales.notifications.services import notify
from aftersales.workorders.models import WorkOrder

from ..choices import EntryKind, MoveKind, OldPartState, ShipmentState, WarehouseKind
from ..models import AccountEntry, OldPart, OldPartShipment, Warehouse
from ..transitions import (
    OLD_PART,
    OLD_PART_SHIPMENT,
    PACK_SHIPMENT,
    REVERSE_PENALTY,
    may_edit_old_part,
    may_register_old_part,
    old_part_step,
    shipment_step,
)
from . import stock
from .accounts import entry_post, entry_reverse

logger = logging.getLogger(__name__)

OLD_PART_PREFIX = "JP"  # 旧品
SHIPMENT_PREFIX = "JH"  # 旧件回运
HQ_DEFECTIVE_CODE = "HQ-DEF"
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def report_days() -> int:
    return int(getattr(settings, "PARTS_OLD_PART_REPORT_DAYS", 7))


# --- defective locations ------------------------------------------------------------------------------


def defective_location(service_point: ServicePoint | None) -> Warehouse:
    """The defective (old parts) location of `service_point`, or HQ's for None; made on first use.
    Names are written in the company's language (they are data)."""
    if service_point is None:
        found = (
            Warehouse.objects.filter(kind=WarehouseKind.DEFECTIVE, service_point__isnull=True)
            .order_by("code")
            .first()
        )
        if found is not None:
            return found
        with translation.override(settings.LANGUAGE_CODE):
            name = _("HQ old parts")
        warehouse, _created = Warehouse.objects.get_or_create(
            code=HQ_DEFECTIVE_CODE, defaults={"name": name, "kind": WarehouseKind.DEFECTIVE}
        )
        return warehouse
    found = Warehouse.objects.filter(kind=WarehouseKind.DEFECTIVE, service_point=service_point).first()
    if found is not None:
        return found
    with translation.override(settings.LANGUAGE_CODE):
        name = _("%(point)s old parts") % {"point": service_point.name}
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                code=f"{service_point.code[:27]}-DEF",
                name=name[:128],
                kind=WarehouseKind.DEFECTIVE,
                service_point=service_point,
            )
    except IntegrityError:  # made at the same moment by another registration
        return Warehouse.objects.get(kind=WarehouseKind.DEFECTIVE, service_point=service_point)


# --- registering ----------------------------------------------------------------------------------------


def _photo_checked(upload: UploadedFile) -> UploadedFile:
    """An image within the attachment size limit, recognised by its content, under a new name."""
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("The photo is larger than %(limit)d MB.")
            % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code="invalid_photo",
            field="photo",
        )
    kind = filetype.guess(upload.read(261))
    upload.seek(0)
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise DomainError(
            _("Take or choose a photo (JPEG, PNG, GIF or WebP)."), code="invalid_photo", field="photo"
        )
    upload.name = f"{uuid.uuid4().hex}.{PHOTO_TYPES[kind.mime]}"
    return upload


@transaction.atomic
def old_part_register(
    *,
    work_order: WorkOrder,
    part: Part,
    quantity: int,
    serial_number: str,
    actor,
    replaced_at: datetime | None = None,
    condition: str = "",
    photo: UploadedFile | None = None,
) -> OldPart:
    """R29: record a part replaced under warranty on `work_order` as an old part (numbered JP…),
    kept at the work order's service point: into its defective location (an OLD_PART_IN move of
    no value), at the part's cost price on the day (0 if no price list prices it, R30), to be
    reported to HQ within PARTS_OLD_PART_REPORT_DAYS days. A serialised part names its serial
    number. For the work order's engineer, the point's staff and HQ (403 otherwise)."""
    if not may_register_old_part(actor, work_order):
        raise NotPermitted(_("You may not record old parts of this work order."))
    point = work_order.service_point
    if point is None:
        raise DomainError(
            _("The work order has no service point to keep the old part."),
            code="no_service_point",
            field="work_order",
        )
    quantity = stock.quantity_checked(quantity)
    serial_number = (serial_number or "").strip()
    if part.serialised and not serial_number:
        raise DomainError(
            _("%(part)s is tracked by serial number: enter the old part's serial number.") % {"part": part},
            code="serial_number_required",
            field="serial_number",
        )
    moment = replaced_at or timezone.now()
    day = timezone.localdate(moment)
    price = part_price(part.pk, day=day, province=point.province)
    old_part = OldPart(
        number=number_next(prefix=OLD_PART_PREFIX),
        work_order=work_order,
        part=part,
        quantity=quantity,
        serial_number=serial_number[:64],
        service_point=point,
        dealer_id=point.dealer_id,
        unit_cost=price.cost if price is not None else ZERO,
        replaced_at=moment,
        report_due=day + timedelta(days=report_days()),
        condition=(condition or "").strip()[:255],
        created_by=actor,
    )
    if photo is not None:
        old_part.photo = _photo_checked(photo)
    old_part.full_clean(exclude=["work_order", "part", "service_point", "dealer", "created_by", "photo"])
    old_part.save()
    location = defective_location(point)
    stock.post(
        [stock.Change(location.pk, part.pk, quantity, MoveKind.OLD_PART_IN, value=ZERO)],
        actor=actor,
        reference=old_part.number,
        work_order=work_order,
    )
    old_part_step(
        old_part,
        action="register",
        actor=actor,
        note=_("%(part)s ×%(quantity)s from %(work_order)s, to report by %(due)s")
        % {"part": part, "quantity": quantity, "work_order": work_order.number, "due": old_part.report_due},
    )
    return old_part


@transaction.atomic
def old_part_photo_set(
    *, old_part_id: int, actor, upload: UploadedFile, condition: str | None = None
) -> OldPart:
    """R29: the old part's photo (and condition) while it is still at the service point."""
    old_part = OLD_PART.lock(old_part_id)
    if old_part.state not in (OldPartState.REGISTERED, OldPartState.REPORTED):
        raise TransitionNotAllowed(_("The old part has left the service point: its record is final."))
    if not may_edit_old_part(actor, old_part):
        raise NotPermitted(_("You may not change this old part."))
    old_part.photo = _photo_checked(upload)
    fields = ["photo", "updated_at"]
    if condition is not None:
        old_part.condition = condition.strip()[:255]
        fields.append("condition")
    old_part.save(update_fields=fields)
    old_part_step(old_part, action="photo", actor=actor, note=old_part.condition)
    return old_part


def old_part_transition(*, old_part_id: int, action: str, actor, **inputs) -> OldPart:
    """R29: report to HQ (the point's staff) or record HQ's inspection (`result`, `note`); row
    locked, refused steps change nothing (409 from another state, 403 for another role)."""
    return transition_run(OLD_PART, pk=old_part_id, action=action, actor=actor, inputs=inputs)


# --- shipments to HQ ------------------------------------------------------------------------------------


def _pack_check(actor, service_point: ServicePoint) -> None:
    if not OLD_PART_SHIPMENT.permits(PACK_SHIPMENT, actor, None):
        raise NotPermitted(_("You may not send old parts to HQ."))
    if (
        actor is not None
        and actor.role == Role.DEALER_STAFF
        and not actor.is_superuser
        and service_point.dealer_id != actor.dealer_id
    ):
        raise NotPermitted(_("You may not send old parts of this service point."))


def _packable(service_point: ServicePoint, old_part_ids: Iterable[int]) -> list[OldPart]:
    """The old parts named, locked: reported, of `service_point`, in no shipment yet; any other
    is refused, naming it."""
    ids = sorted({int(pk) for pk in old_part_ids})
    if not ids:
        raise DomainError(_("Pick the old parts to send."), code="shipment_empty", field="old_parts")
    found = {
        old_part.pk: old_part
        for old_part in OldPart.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    }
    for pk in ids:
        old_part = found.get(pk)
        if old_part is None:
            raise DomainError(_("No such old part."), code="invalid", field="old_parts")
        if (
            old_part.state != OldPartState.REPORTED
            or old_part.service_point_id != service_point.pk
            or old_part.shipment_id is not None
        ):
            raise DomainError(
                _(
                    "%(number)s cannot go in this shipment: only reported old parts of %(point)s "
                    "not yet packed."
                )
                % {"number": old_part.number, "point": service_point.name},
                code="old_part_not_shippable",
                field="old_parts",
            )
    return [found[pk] for pk in ids]


@transaction.atomic
def shipment_create(
    *,
    service_point: ServicePoint,
    old_part_ids: Iterable[int],
    actor,
    carrier: str = "",
    tracking_number: str = "",
) -> OldPartShipment:
    """R29: a batch (JH…) of reported old parts of one service point being packed for HQ; its
    carrier and tracking number may wait until it is shipped."""
    _pack_check(actor, service_point)
    old_parts = _packable(service_point, old_part_ids)
    shipment = OldPartShipment.objects.create(
        number=number_next(prefix=SHIPMENT_PREFIX),
        service_point=service_point,
        carrier=(carrier or "").strip()[:64],
        tracking_number=(tracking_number or "").strip()[:64],
        created_by=actor,
    )
    OldPart.objects.filter(pk__in=[old_part.pk for old_part in old_parts]).update(
        shipment=shipment, updated_at=timezone.now()
    )
    shipment_step(
        shipment, action="create", actor=actor, note=", ".join(old_part.number for old_part in old_parts)
    )
    return shipment


def _draft_locked(shipment_id: int, actor) -> OldPartShipment:
    shipment = OLD_PART_SHIPMENT.lock(shipment_id)
    if shipment.state != ShipmentState.DRAFT:
        raise TransitionNotAllowed(
            _("The shipment has left: its old parts no longer change."), code="shipment_not_draft"
        )
    _pack_check(actor, shipment.service_point)
    return shipment


@transaction.atomic
def shipment_old_parts_add(*, shipment_id: int, old_part_ids: Iterable[int], actor) -> OldPartShipment:
    """R29: more reported old parts of the point into a shipment being packed."""
    shipment = _draft_locked(shipment_id, actor)
    old_parts = _packable(shipment.service_point, old_part_ids)
    OldPart.objects.filter(pk__in=[old_part.pk for old_part in old_parts]).update(
        shipment=shipment, updated_at=timezone.now()
    )
    shipment_step(shipment, action="add", actor=actor, note=", ".join(o.number for o in old_parts))
    return shipment


@transaction.atomic
def shipment_old_part_remove(*, shipment_id: int, old_part_id: int, actor) -> OldPartShipment:
    """R29: an old part taken off a shipment being packed (it stays reported at the point)."""
    shipment = _draft_locked(shipment_id, actor)
    old_part = (
        OldPart.objects.select_for_update(of=("self",)).filter(pk=old_part_id, shipment=shipment).first()
    )
    if old_part is None:
        raise DomainError(_("That old part is not in this shipment."), code="invalid", field="old_part")
    old_part.shipment = None
    old_part.save(update_fields=["shipment", "updated_at"])
    shipment_step(shipment, action="remove", actor=actor, note=old_part.number)
    return shipment


def shipment_transition(*, shipment_id: int, action: str, actor, **inputs) -> OldPartShipment:
    """R29: ship (carrier and tracking number; the parts leave the point's defective location)
    or receive at HQ (into HQ's defective location)."""
    return transition_run(OLD_PART_SHIPMENT, pk=shipment_id, action=action, actor=actor, inputs=inputs)


def _shipped_parts(shipment: OldPartShipment) -> list[OldPart]:
    return list(shipment.old_parts.select_related("part").order_by("pk"))


def shipment_old_parts_ship(shipment: OldPartShipment, *, actor) -> None:
    """The shipment's effect when shipped (transitions.OLD_PART_SHIPMENT): every old part out of
    the point's defective location (OLD_PART_OUT, of no value) and in transit towards HQ's, in one
    posting; each old part "shipped"."""
    old_parts = _shipped_parts(shipment)
    if not old_parts:
        raise DomainError(_("Add at least one old part before shipping."), code="shipment_empty")
    source = defective_location(shipment.service_point)
    destination = defective_location(None)
    changes: list[stock.Change] = []
    for old_part in old_parts:
        changes.append(stock.Change(source.pk, old_part.part_id, -old_part.quantity, MoveKind.OLD_PART_OUT))
        changes.append(stock.Change(destination.pk, old_part.part_id, in_transit=old_part.quantity))
    stock.post(changes, actor=actor, reference=shipment.number)
    note = f"{shipment.number} · {shipment.carrier} {shipment.tracking_number}"
    for old_part in old_parts:
        transition_run(
            OLD_PART, pk=old_part.pk, action="ship", actor=None, inputs={"by": actor, "note": note}
        )


def shipment_old_parts_receive(shipment: OldPartShipment, *, actor) -> None:
    """The shipment's effect when received at HQ: every old part into HQ's defective location
    (OLD_PART_IN, of no value, out of transit); each old part "received"."""
    old_parts = _shipped_parts(shipment)
    destination = defective_location(None)
    changes = [
        stock.Change(
            destination.pk,
            old_part.part_id,
            old_part.quantity,
            MoveKind.OLD_PART_IN,
            value=ZERO,
            in_transit=-old_part.quantity,
        )
        for old_part in old_parts
    ]
    stock.post(changes, actor=actor, reference=shipment.number)
    for old_part in old_parts:
        transition_run(
            OLD_PART,
            pk=old_part.pk,
            action="receive",
            actor=None,
            inputs={"by": actor, "note": shipment.number},
        )


# --- the deadline: penalties and their appeal -------------------------------------------------------------


def overdue_filter(queryset: QuerySet[OldPart], today: date | None = None) -> QuerySet[OldPart]:
    """Not reported by the deadline (the day after `report_due` and later)."""
    return queryset.filter(state=OldPartState.REGISTERED, report_due__lt=today or timezone.localdate())


def penalty_amount(old_part: OldPart) -> Decimal:
    """R29: the part's out-of-warranty (retail) price on the day it was replaced × quantity; the
    cost price it was recorded at when no price list prices it."""
    day = timezone.localdate(old_part.replaced_at)
    price = part_price(old_part.part_id, day=day, province=old_part.service_point.province)
    unit = price.retail if price is not None else old_part.unit_cost
    return line_amount(old_part.quantity, unit)


def _dealer_staff(dealer_id: int) -> list[User]:
    return list(
        User.objects.filter(role=Role.DEALER_STAFF, dealer_id=dealer_id, is_active=True).order_by("pk")
    )


def old_part_penalty_charge(*, old_part_id: int, today: date | None = None) -> AccountEntry | None:
    """R29: charge the dealer of an old part still not reported after its deadline its
    out-of-warranty price, once; the account line names the old part, the part and the deadline.
    None when there is nothing (more) to charge: reported meanwhile, not overdue, a point HQ runs,
    already charged, or no price to charge."""
    today = today or timezone.localdate()
    with transaction.atomic():
        old_part = OLD_PART.lock(old_part_id)
        if (
            old_part.state != OldPartState.REGISTERED
            or old_part.report_due >= today
            or old_part.dealer_id is None
        ):
            return None
        if AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY, old_part=old_part).exists():
            return None
        amount = penalty_amount(old_part)
        if amount <= 0:
            logger.warning("old part %s is overdue but has no price to charge", old_part.number)
            return None
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Old part %(number)s (%(part)s ×%(quantity)s) not reported to HQ by %(due)s") % {
                "number": old_part.number,
                "part": old_part.part,
                "quantity": old_part.quantity,
                "due": f"{old_part.report_due:%Y-%m-%d}",
            }
        entry = entry_post(
            dealer=old_part.dealer,
            kind=EntryKind.OLD_PART_PENALTY,
            amount=amount,
            reason=reason[:255],
            reference=old_part.number,
            old_part=old_part,
        )
        old_part_step(old_part, action="penalty", actor=None, note=f"{reason}: {yuan(amount)}")
        notify(
            recipients=_dealer_staff(old_part.dealer_id),
            title=gettext_lazy("Old part %(number)s was not reported in time: %(amount)s charged"),
            params={"number": old_part.number, "amount": yuan(amount)},
            url=reverse("parts:old_part_detail", args=[old_part.pk]),
            key=f"old-part-penalty-{old_part.pk}",
        )
        return entry


def old_part_penalties_charge(*, today: date | None = None) -> list[AccountEntry]:
    """R29, the daily job: every dealer's old part still registered (not reported) after its
    deadline is charged once (each in its own transaction; running again charges nothing twice)."""
    today = today or timezone.localdate()
    charged = AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY, old_part__isnull=False)
    due = (
        overdue_filter(OldPart.objects.filter(dealer__isnull=False), today)
        .exclude(pk__in=charged.values("old_part_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = []
    for old_part_id in list(due):
        entry = old_part_penalty_charge(old_part_id=old_part_id, today=today)
        if entry is not None:
            entries.append(entry)
    return entries


def penalty_of(old_part: OldPart) -> AccountEntry | None:
    return AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY, old_part=old_part).first()


@transaction.atomic
def old_part_penalty_reverse(*, old_part_id: int, actor, reason: str) -> AccountEntry:
    """R29, the appeal: HQ (finance, department heads) cancels an old part's penalty by a
    reversing entry, with the reason; a penalty is reversed once."""
    old_part = OLD_PART.lock(old_part_id)
    if not OLD_PART.permits(REVERSE_PENALTY, actor, old_part):
        raise NotPermitted(_("Only HQ's finance or a department head may reverse a penalty."))
    entry = penalty_of(old_part)
    if entry is None:
        raise TransitionNotAllowed(_("This old part was not charged."), code="no_penalty")
    reversal = entry_reverse(entry=entry, actor=actor, reason=(reason or "").strip())
    old_part_step(
        old_part, action="penalty_reverse", actor=actor, note=f"{reversal.reason}: {yuan(-entry.amount)}"
    )
    return reversal
