"""R14: external repair only for in-warranty devices or faults beyond local ability; the vendor is
contacted first and the pickup voucher kept; follow-ups scheduled and logged until the device is
back; the returned device re-checked; an unrepairable one goes to another vendor. While it is
away the work order waits for the vendor (SLA paused)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from aftersales.config.celery import app as celery_app
from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.models import ChangeRecord
from aftersales.notifications.models import Message
from aftersales.servicing.choices import DepotState, ExternalState, FollowUpKind, SendOutReason, WarrantyState
from aftersales.servicing.models import ExternalRepairFollowUp
from aftersales.servicing.services import (
    depot_repair_hand_back,
    depot_repair_inspect,
    depot_repair_receive,
    depot_repair_recheck,
    external_repair_complete,
    external_repair_follow_up_log,
    external_repair_receive,
    external_repair_recheck,
    external_repair_resend,
    external_repair_send,
    external_repair_unrepairable,
)
from aftersales.servicing.tasks import external_repair_follow_ups
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.events import event_text

from .. import factories as f
from .factories import VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def depot(order, eng):
    repair = depot_repair_receive(work_order=order, actor=eng)
    return depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")


def send(depot, actor, vendor, reason=SendOutReason.IN_WARRANTY, **changes):
    fields = {"vendor_contact": "陈工", "voucher_number": "QJ-20261122-01", **changes}
    return external_repair_send(repair_id=depot.pk, actor=actor, vendor=vendor, reason=reason, **fields)


def test_r14_sending_out_keeps_the_voucher_and_puts_the_work_order_on_hold(depot, eng, vendor, photo):
    external = send(depot, eng, vendor, voucher_photo=photo("voucher.png"))
    assert external.state == ExternalState.SENT and external.warranty == WarrantyState.IN
    assert external.expected_back_on == timezone.localdate() + timedelta(days=5)
    assert external.voucher_photo.original_name == "voucher.png"
    assert external.voucher_photo.work_order_id == depot.work_order_id
    depot.refresh_from_db()
    assert depot.state == DepotState.EXTERNAL
    order = depot.work_order
    order.refresh_from_db()
    assert order.state == State.WAITING and order.waiting_reason == WaitingReason.VENDOR
    sent = order.events.get(kind="repair", action="external_send")
    assert "QJ-20261122-01" in event_text(sent) and sent.params["voucher"] == "QJ-20261122-01"
    assert order.events.filter(action="wait").exists()


def test_r14_in_warranty_reason_only_for_devices_in_warranty(depot, eng, vendor, device):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    with pytest.raises(ValidationError) as refused:
        send(depot, eng, vendor)
    assert (
        "reason" in refused.value.message_dict
        and "Out of warranty" in refused.value.message_dict["reason"][0]
    )
    device.purchase_date = None
    device.save()
    with pytest.raises(ValidationError) as unknown:
        send(depot, eng, vendor)
    assert "Warranty unknown" in unknown.value.message_dict["reason"][0]
    external = send(depot, eng, vendor, reason=SendOutReason.BEYOND_LOCAL)
    assert external.reason == SendOutReason.BEYOND_LOCAL and external.warranty == WarrantyState.UNKNOWN


def test_r14_vendor_contacted_voucher_kept_and_vendor_able_to_repair(depot, eng, vendor, model):
    with pytest.raises(ValidationError) as missing:
        send(depot, eng, vendor, vendor_contact=" ", voucher_number="")
    assert set(missing.value.message_dict) == {"vendor_contact", "voucher_number"}
    other_line = VendorFactory(product_lines=[f.ProductLineFactory()])
    with pytest.raises(ValidationError) as wrong:
        send(depot, eng, other_line)
    assert "does not repair" in wrong.value.message_dict["vendor"][0]
    closed = VendorFactory(is_active=False)
    with pytest.raises(ValidationError):
        send(depot, eng, closed)
    assert send(depot, eng, VendorFactory()).vendor.product_lines.count() == 0  # repairs every line


def test_r14_back_from_the_vendor_resumes_work_records_cost_and_returns_to_the_depot(depot, eng, vendor):
    external = send(depot, eng, vendor)
    external = external_repair_receive(
        external_repair_id=external.pk, actor=eng, vendor_report="更换主板", cost="350.5"
    )
    assert external.state == ExternalState.RETURNED and external.cost == Decimal("350.50")
    record = ChangeRecord.objects.get(object_id=external.pk, field="cost")
    assert record.old_value == "" and record.new_value == "350.50" and record.actor == eng
    order = depot.work_order
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE and order.waiting_reason == ""
    external_repair_recheck(external_repair_id=external.pk, actor=eng, result="复检正常")
    external = external_repair_complete(external_repair_id=external.pk, actor=eng)
    assert external.state == ExternalState.DONE
    depot.refresh_from_db()
    assert depot.state == DepotState.REPAIRING
    entry = depot.entries.get()
    assert (
        vendor.name in entry.work_done and "更换主板" in entry.work_done and entry.measurements == "复检正常"
    )
    depot_repair_recheck(repair_id=depot.pk, actor=eng, result="交付前自检正常")
    assert (
        depot_repair_hand_back(
            repair_id=depot.pk, actor=eng, handed_back_to="李娜", confirmation_method="in_person"
        ).state
        == DepotState.HANDED_BACK
    )


def test_r14_unrepairable_goes_to_another_vendor(depot, eng, vendor):
    first = send(depot, eng, vendor)
    first = external_repair_unrepairable(external_repair_id=first.pk, actor=eng, reason="缺少备件", cost=0)
    order = depot.work_order
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE  # the device is back meanwhile
    with pytest.raises(ValidationError) as same:
        external_repair_resend(
            external_repair_id=first.pk,
            actor=eng,
            vendor=vendor,
            reason=SendOutReason.BEYOND_LOCAL,
            vendor_contact="陈工",
            voucher_number="QJ-2",
        )
    assert "already at this vendor" in same.value.message_dict["vendor"][0]
    second_vendor = VendorFactory(name="深圳华强维修站")
    second = external_repair_resend(
        external_repair_id=first.pk,
        actor=eng,
        vendor=second_vendor,
        reason=SendOutReason.BEYOND_LOCAL,
        vendor_contact="王经理",
        voucher_number="HQ-778",
    )
    first.refresh_from_db()
    assert first.state == ExternalState.RESENT and second.previous == first and second.depot_repair == depot
    order.refresh_from_db()
    assert order.state == State.WAITING and order.waiting_reason == WaitingReason.VENDOR


def test_r14_unrepairable_can_come_back_unrepaired(depot, eng, vendor):
    external = send(depot, eng, vendor)
    external_repair_unrepairable(external_repair_id=external.pk, actor=eng, reason="停产无配件")
    external_repair_complete(external_repair_id=external.pk, actor=eng)
    depot.refresh_from_db()
    assert depot.state == DepotState.REPAIRING and "not repaired" in depot.entries.get().work_done


def test_r14_follow_up_reminders_on_schedule_until_back_each_once(depot, eng, vendor):
    sent_at = timezone.now() - timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=sent_at):
        external = send(depot, eng, vendor)
    reminders = ExternalRepairFollowUp.objects.filter(external_repair=external, kind=FollowUpKind.REMINDER)

    def run_at(moment):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return external_repair_follow_ups.delay().get()

    assert run_at(sent_at + timedelta(days=1)) == 0
    assert run_at(sent_at + timedelta(days=2, hours=1)) == 1
    assert run_at(sent_at + timedelta(days=3)) == 0  # the same reminder is not written twice
    assert run_at(sent_at + timedelta(days=6, minutes=1)) == 1  # catching up writes the latest only
    assert list(reminders.values_list("sequence", flat=True)) == [1, 3]
    latest = reminders.last()
    with translation.override(settings.LANGUAGE_CODE):  # the job writes in the company's language
        overdue = gettext("Overdue.")
    assert latest.key == f"ext:{external.pk}:reminder:3" and overdue in latest.note
    assert depot.work_order.events.filter(action="external_reminder").count() == 2
    assert Message.objects.filter(idempotency_key=latest.key, recipient="13911112222").exists()
    external_repair_receive(external_repair_id=external.pk, actor=eng)
    assert run_at(sent_at + timedelta(days=9)) == 0  # back: no more reminders


def test_r14_follow_up_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["servicing-external-repair-follow-ups"]
    assert entry["task"] == external_repair_follow_ups.name
    assert entry["task"] in celery_app.tasks


def test_r14_staff_log_follow_ups_while_the_device_is_away(depot, eng, clerk, finance, vendor):
    external = send(depot, eng, vendor)
    logged = external_repair_follow_up_log(
        external_repair_id=external.pk, actor=clerk, note="供应商称周五修好"
    )
    assert logged.kind == FollowUpKind.CONTACT and logged.key == f"ext:{external.pk}:contact:1"
    with pytest.raises(NotPermitted):
        external_repair_follow_up_log(external_repair_id=external.pk, actor=finance, note="x")
    external_repair_receive(external_repair_id=external.pk, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        external_repair_follow_up_log(external_repair_id=external.pk, actor=clerk, note="已经回来了")


def test_r14_cost_is_a_non_negative_amount(depot, eng, vendor):
    external = send(depot, eng, vendor)
    for wrong in ("-1", "abc"):
        with pytest.raises(ValidationError) as refused:
            external_repair_receive(external_repair_id=external.pk, actor=eng, cost=wrong)
        assert "cost" in refused.value.message_dict
    external.refresh_from_db()
    assert external.state == ExternalState.SENT and external.cost is None


def test_r14_send_out_from_an_uninspected_repair_is_refused(order, eng, vendor):
    repair = depot_repair_receive(work_order=order, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        send(repair, eng, vendor)
