"""Old parts (旧件, R29): registered into the service point's defective location at no value,
reported to HQ by a deadline, sent in a batch, received and inspected at HQ; a dealer that does not
report in time is charged the out-of-warranty price once, which HQ may reverse."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.notifications.models import Notification
from aftersales.parts.choices import EntryKind, InspectionResult, MoveKind, OldPartState, WarehouseKind
from aftersales.parts.models import AccountEntry, OldPart, StockBalance, StockMove, Warehouse
from aftersales.parts.selectors_old_parts import old_part_history, old_parts_due
from aftersales.parts.services.accounts import account_of
from aftersales.parts.services.old_parts import (
    defective_location,
    old_part_penalty_reverse,
    old_part_photo_set,
    old_part_transition,
    shipment_create,
    shipment_old_part_remove,
    shipment_old_parts_add,
    shipment_transition,
)
from aftersales.parts.tasks import charge_unreported_old_parts

from .. import factories as f
from ..conftest import uses_postgres
from ..timeutil import at, frozen
from .old_parts_world import REPLACED, ledger_holds, old_parts_world

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def w():
    return old_parts_world()


def _balance(warehouse, part) -> StockBalance:
    return StockBalance.objects.get(warehouse=warehouse, part=part)


# --- registering ------------------------------------------------------------------------------------


def test_r29_an_old_part_is_numbered_costed_due_and_kept_in_the_points_defective_location(w):
    old_part = w.register(quantity=2, condition="定影膜破损")

    assert old_part.number.startswith("JP20261110")
    assert old_part.service_point == w.point and old_part.dealer == w.dealer
    assert old_part.unit_cost == Decimal("100.00")  # the cost price list of the day (R30)
    assert old_part.report_due == date(2026, 11, 17)  # replaced + 7 days
    assert old_part.state == OldPartState.REGISTERED
    location = Warehouse.objects.get(service_point=w.point, kind=WarehouseKind.DEFECTIVE)
    move = StockMove.objects.get(warehouse=location, part=w.part)
    assert (move.kind, move.quantity, move.value, move.reference) == (
        MoveKind.OLD_PART_IN,
        2,
        Decimal("0.00"),
        old_part.number,
    )
    assert _balance(location, w.part).on_hand == 2 and _balance(location, w.part).value == 0
    assert ledger_holds()
    assert [e.action for e in old_part_history(old_part)] == ["register"]


def test_r29_the_deadline_is_configurable(w, settings):
    settings.PARTS_OLD_PART_REPORT_DAYS = 3
    assert w.register().report_due == date(2026, 11, 13)


def test_r29_an_unpriced_part_is_recorded_at_cost_zero_and_the_location_is_made_once(w):
    unpriced = f.PartFactory(number="PR-110", name="搓纸轮")
    first = w.register(part=unpriced)
    w.register(part=unpriced)
    assert first.unit_cost == Decimal("0.00")
    assert Warehouse.objects.filter(service_point=w.point, kind=WarehouseKind.DEFECTIVE).count() == 1


def test_r29_registering_is_for_the_work_orders_engineer_and_checks_its_input(w):
    from aftersales.parts.services.old_parts import old_part_register

    stranger = f.EngineerFactory(service_point=w.other_point).user  # another point's engineer
    with pytest.raises(NotPermitted):
        old_part_register(work_order=w.work_order, part=w.part, quantity=1, serial_number="", actor=stranger)
    with pytest.raises(NotPermitted):
        old_part_register(work_order=w.work_order, part=w.part, quantity=1, serial_number="", actor=w.finance)
    with pytest.raises(DomainError) as bad_quantity:
        w.register(quantity=0)
    assert bad_quantity.value.field == "quantity"
    w.part.serialised = True
    w.part.save()
    with pytest.raises(DomainError) as no_serial:
        w.register(serial_number=" ")
    assert no_serial.value.code == "serial_number_required"
    orphan = f.WorkOrderFactory(service_point=None, engineer=w.engineer)
    with pytest.raises(DomainError) as no_point:
        w.register(work_order=orphan)
    assert no_point.value.code == "no_service_point"
    assert not OldPart.objects.exists() and not StockMove.objects.exists()  # nothing half-saved
    colleague = f.EngineerFactory(service_point=w.point).user  # on a colleague's visit: allowed
    w.part.serialised = False
    w.part.save()
    old_part_register(work_order=w.work_order, part=w.part, quantity=1, serial_number="", actor=colleague)


def test_r29_a_photo_is_an_image_and_changes_only_at_the_point(w):
    old_part = w.register()
    with pytest.raises(DomainError) as not_image:
        old_part_photo_set(
            old_part_id=old_part.pk, actor=w.staff, upload=SimpleUploadedFile("a.png", b"MZ not an image")
        )
    assert not_image.value.code == "invalid_photo"
    old_part = old_part_photo_set(
        old_part_id=old_part.pk, actor=w.staff, upload=SimpleUploadedFile("x.png", PNG), condition="外壳裂纹"
    )
    assert old_part.photo.name.endswith(".png") and old_part.condition == "外壳裂纹"
    with pytest.raises(NotPermitted):
        old_part_photo_set(old_part_id=old_part.pk, actor=w.quality, upload=SimpleUploadedFile("x.png", PNG))


# --- reporting, shipping, receiving, inspecting ----------------------------------------------------------


def test_r29_reporting_is_the_points_staffs_and_happens_once(w):
    old_part = w.register()
    with pytest.raises(NotPermitted):
        old_part_transition(old_part_id=old_part.pk, action="report", actor=w.engineer.user)
    reported = old_part_transition(old_part_id=old_part.pk, action="report", actor=w.staff, note="已拍照")
    assert reported.state == OldPartState.REPORTED and reported.reported_at is not None
    with pytest.raises(TransitionNotAllowed) as again:
        old_part_transition(old_part_id=old_part.pk, action="report", actor=w.staff)
    assert again.value.status == 409
    step = old_part_history(reported)[-1]
    assert (step.action, step.from_state, step.to_state, step.actor, step.note) == (
        "report",
        "registered",
        "reported",
        w.staff,
        "已拍照",
    )


def test_r29_a_shipment_takes_only_reported_old_parts_of_its_point(w):
    reported = w.reported()
    registered = w.register()
    other = w.reported(work_order=w.other_work_order)
    with pytest.raises(DomainError) as not_reported:
        shipment_create(service_point=w.point, old_part_ids=[reported.pk, registered.pk], actor=w.staff)
    assert not_reported.value.code == "old_part_not_shippable"
    with pytest.raises(DomainError):
        shipment_create(service_point=w.point, old_part_ids=[other.pk], actor=w.staff)
    with pytest.raises(NotPermitted):  # another dealer's point
        shipment_create(service_point=w.other_point, old_part_ids=[other.pk], actor=w.staff)
    shipment = shipment_create(service_point=w.point, old_part_ids=[reported.pk], actor=w.staff)
    with pytest.raises(DomainError):  # already packed
        shipment_create(service_point=w.point, old_part_ids=[reported.pk], actor=w.staff)
    second = w.reported()
    shipment_old_parts_add(shipment_id=shipment.pk, old_part_ids=[second.pk], actor=w.staff)
    shipment_old_part_remove(shipment_id=shipment.pk, old_part_id=reported.pk, actor=w.staff)
    assert list(shipment.old_parts.values_list("pk", flat=True)) == [second.pk]


def test_r29_shipping_needs_the_carrier_and_moves_the_parts_towards_hq(w):
    first, second = w.reported(quantity=2), w.reported()
    shipment = shipment_create(service_point=w.point, old_part_ids=[first.pk, second.pk], actor=w.staff)
    with pytest.raises(DomainError) as missing:
        shipment_transition(shipment_id=shipment.pk, action="ship", actor=w.staff, carrier="顺丰速运")
    assert (missing.value.code, missing.value.field) == ("required", "tracking_number")

    shipment = shipment_transition(
        shipment_id=shipment.pk, action="ship", actor=w.staff, carrier="顺丰速运", tracking_number="SF1"
    )

    point_location, hq_location = defective_location(w.point), defective_location(None)
    assert _balance(point_location, w.part).on_hand == 0
    assert _balance(hq_location, w.part).in_transit == 3
    assert set(OldPart.objects.values_list("state", flat=True)) == {OldPartState.SHIPPED}
    assert StockMove.objects.filter(kind=MoveKind.OLD_PART_OUT, reference=shipment.number).count() == 2
    with pytest.raises(DomainError) as packed:
        shipment_old_part_remove(shipment_id=shipment.pk, old_part_id=first.pk, actor=w.staff)
    assert packed.value.code == "shipment_not_draft"
    with pytest.raises(NotPermitted):  # the dealer does not receive at HQ
        shipment_transition(shipment_id=shipment.pk, action="receive", actor=w.staff)

    shipment_transition(shipment_id=shipment.pk, action="receive", actor=w.parts_clerk)

    balance = _balance(hq_location, w.part)
    assert (balance.on_hand, balance.in_transit, balance.value) == (3, 0, Decimal("0.00"))
    assert set(OldPart.objects.values_list("state", flat=True)) == {OldPartState.RECEIVED}
    assert ledger_holds()
    steps = old_part_history(first)
    assert [e.action for e in steps] == ["register", "report", "ship", "receive"]
    assert (steps[2].actor, steps[3].actor) == (w.staff, w.parts_clerk)  # who shipped, who received
    assert shipment.number in steps[2].note and "SF1" in steps[2].note


def test_r29_an_empty_shipment_is_not_shipped(w):
    old_part = w.reported()
    shipment = shipment_create(service_point=w.point, old_part_ids=[old_part.pk], actor=w.staff)
    shipment_old_part_remove(shipment_id=shipment.pk, old_part_id=old_part.pk, actor=w.staff)
    with pytest.raises(DomainError) as empty:
        shipment_transition(
            shipment_id=shipment.pk, action="ship", actor=w.staff, carrier="顺丰速运", tracking_number="SF1"
        )
    assert empty.value.code == "shipment_empty"
    shipment.refresh_from_db()
    assert shipment.state == "draft"


def test_r29_hq_inspects_with_a_result(w):
    old_part = w.reported()
    w.received([old_part])
    with pytest.raises(DomainError) as no_result:
        old_part_transition(old_part_id=old_part.pk, action="inspect", actor=w.quality)
    assert no_result.value.field == "inspection_result"
    with pytest.raises(DomainError):
        old_part_transition(
            old_part_id=old_part.pk, action="inspect", actor=w.quality, inspection_result="broken"
        )
    with pytest.raises(NotPermitted):
        old_part_transition(
            old_part_id=old_part.pk, action="inspect", actor=w.staff, inspection_result="faulty"
        )
    inspected = old_part_transition(
        old_part_id=old_part.pk,
        action="inspect",
        actor=w.quality,
        inspection_result=InspectionResult.NOT_FAULTY,
        note="通电正常",
    )
    assert inspected.state == OldPartState.INSPECTED
    assert (inspected.inspection_result, inspected.inspection_note) == ("not_faulty", "通电正常")
    assert old_part_history(inspected)[-1].note == "Not faulty: 通电正常"


# --- the deadline (frozen time) ----------------------------------------------------------------------------


def test_r29_not_charged_on_the_deadline_day_charged_the_day_after_and_only_once(w):
    old_part = w.register(quantity=2)  # due by 2026-11-17
    with frozen(at(2026, 11, 17, 23, 59)):
        assert charge_unreported_old_parts.delay().get() == 0
    assert not AccountEntry.objects.exists()

    with frozen(at(2026, 11, 18, 1, 15)):
        assert charge_unreported_old_parts() == 1
        assert charge_unreported_old_parts() == 0  # running twice charges once

    entry = AccountEntry.objects.get()
    assert (entry.kind, entry.old_part, entry.amount) == (
        EntryKind.OLD_PART_PENALTY,
        old_part,
        Decimal("300.00"),
    )
    assert old_part.number in entry.reason and "FU-3600" in entry.reason and "2026-11-17" in entry.reason
    assert account_of(w.dealer).balance == Decimal("300.00")
    assert Notification.objects.filter(recipient=w.staff, key=f"old-part-penalty-{old_part.pk}").exists()
    assert old_part_history(old_part)[-1].action == "penalty"
    with frozen(at(2026, 11, 25, 1, 15)):  # and never again, even a week later
        assert charge_unreported_old_parts() == 0
    assert AccountEntry.objects.count() == 1


def test_r29_reported_in_time_is_never_charged(w):
    old_part = w.register()
    with frozen(at(2026, 11, 17, 18, 0)):
        old_part_transition(old_part_id=old_part.pk, action="report", actor=w.staff)
    with frozen(at(2026, 12, 20, 1, 15)):
        assert charge_unreported_old_parts() == 0
    assert not AccountEntry.objects.exists()


def test_r29_reported_after_the_deadline_stays_charged(w):
    old_part = w.register()
    with frozen(at(2026, 11, 18, 1, 15)):
        charge_unreported_old_parts()
    with frozen(at(2026, 11, 19, 9, 0)):  # "before or after the deadline"
        old_part_transition(old_part_id=old_part.pk, action="report", actor=w.staff)
    assert AccountEntry.objects.filter(old_part=old_part).count() == 1


def test_r29_a_point_hq_runs_is_not_charged_but_listed_overdue(w):
    old_part = w.register(work_order=w.hq_work_order)
    with frozen(at(2026, 11, 20, 1, 15)):
        assert charge_unreported_old_parts() == 0
        due = old_parts_due(w.parts_clerk)
        assert old_part in due
        from aftersales.parts.filtersets_old_parts import OldPartFilterSet

        overdue = OldPartFilterSet({"overdue": "true"}, queryset=due).qs
        assert list(overdue) == [old_part]
    assert not AccountEntry.objects.exists()


def test_r29_hq_reverses_a_penalty_with_a_reason_once_and_it_is_not_charged_again(w):
    old_part = w.register()
    with frozen(at(2026, 11, 18, 1, 15)):
        charge_unreported_old_parts()
    with pytest.raises(NotPermitted):  # the appeal is decided by HQ
        old_part_penalty_reverse(old_part_id=old_part.pk, actor=w.staff, reason="已按时上报")
    with pytest.raises(DomainError) as no_reason:
        old_part_penalty_reverse(old_part_id=old_part.pk, actor=w.finance, reason=" ")
    assert no_reason.value.code == "reason_required"

    reversal = old_part_penalty_reverse(
        old_part_id=old_part.pk, actor=w.finance, reason="系统故障，经核实已上报"
    )

    assert reversal.amount == Decimal("-150.00") and account_of(w.dealer).balance == Decimal("0.00")
    with pytest.raises(DomainError) as twice:
        old_part_penalty_reverse(old_part_id=old_part.pk, actor=w.finance, reason="again")
    assert twice.value.code == "already_reversed"
    with frozen(at(2026, 11, 30, 1, 15)):
        assert charge_unreported_old_parts() == 0
    assert account_of(w.dealer).balance == Decimal("0.00")
    assert old_part_history(old_part)[-1].action == "penalty_reverse"


def test_r29_nothing_to_reverse_when_not_charged(w):
    old_part = w.register()
    with pytest.raises(TransitionNotAllowed) as refused:
        old_part_penalty_reverse(old_part_id=old_part.pk, actor=w.finance, reason="x")
    assert refused.value.code == "no_penalty"


def test_r29_the_penalty_is_the_retail_price_of_the_replaced_day(w):
    """A new list from December does not change what a November replacement costs the dealer."""
    later = f.PriceListFactory(version=2, effective_from=date(2026, 12, 1))
    f.PriceListItemFactory(price_list=later, part=w.part, cost_price="120.00", retail_price="199.00")
    w.register()
    with frozen(at(2026, 12, 2, 1, 15)):
        charge_unreported_old_parts()
    assert AccountEntry.objects.get().amount == Decimal("150.00")
    assert REPLACED.date() == date(2026, 11, 10)


# --- two workers at once (PostgreSQL: row locks between connections) ------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not uses_postgres(), reason="row locks between connections need PostgreSQL")
def test_r29_two_penalty_jobs_running_at_once_charge_each_old_part_once():
    w = old_parts_world()
    old_parts = [w.register(), w.register(quantity=2), w.register(work_order=w.other_work_order)]
    barrier = threading.Barrier(4)

    def job():
        try:
            barrier.wait()
            charge_unreported_old_parts()
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(4)]
    with frozen(at(2026, 11, 18, 1, 15)):  # one clock for every thread (a patch is process-wide)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY).count() == len(old_parts)
    assert account_of(w.dealer).balance == Decimal("450.00")
    assert account_of(w.other_dealer).balance == Decimal("150.00")
