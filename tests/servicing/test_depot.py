"""R13: depot repair: intake inspection of appearance and configuration with photos, repair order,
repair process record, warranty check, self re-check before hand-back, customer confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.servicing.choices import ConfirmationMethod, DepotState, WarrantyState
from aftersales.servicing.services import (
    depot_repair_hand_back,
    depot_repair_inspect,
    depot_repair_log,
    depot_repair_receive,
    depot_repair_recheck,
    depot_repair_start,
)
from aftersales.workorders.choices import State
from aftersales.workorders.models import Attachment

pytestmark = pytest.mark.django_db


def inspected(order, actor, photos=()):
    repair = depot_repair_receive(work_order=order, actor=actor, accessories="电源线、硒鼓")
    return depot_repair_inspect(
        repair_id=repair.pk,
        actor=actor,
        appearance="外壳左侧有划痕",
        configuration="标准配置，带双面器",
        fault_found="定影器温度异常",
        photos=photos,
    )


def test_r13_depot_repair_from_intake_to_hand_back(order, eng, agent, photo):
    repair = inspected(order, eng, photos=[photo("front.png"), photo("label.png")])
    assert repair.number.startswith("DR") and repair.state == DepotState.INSPECTED
    assert repair.warranty == WarrantyState.IN and repair.warranty_until is not None
    photos = list(repair.photos.all())
    assert [p.original_name for p in photos] == ["front.png", "label.png"]
    assert all(p.work_order_id == order.pk for p in photos)  # kept as the work order's attachments
    repair = depot_repair_start(repair_id=repair.pk, actor=eng)
    assert repair.state == DepotState.REPAIRING and repair.repaired_by == eng
    depot_repair_log(repair_id=repair.pk, actor=eng, work_done="更换定影组件", measurements="定影温度 180°C")
    depot_repair_log(repair_id=repair.pk, actor=eng, work_done="连续打印 50 页测试")
    repair = depot_repair_recheck(repair_id=repair.pk, actor=eng, result="打印正常，无卡纸")
    assert repair.state == DepotState.RECHECKED
    repair = depot_repair_hand_back(
        repair_id=repair.pk,
        actor=agent,
        handed_back_to="李娜",
        confirmation_method=ConfirmationMethod.SIGNATURE,
    )
    assert repair.state == DepotState.HANDED_BACK and repair.handed_back_at is not None
    assert [e.work_done for e in repair.entries.all()] == ["更换定影组件", "连续打印 50 页测试"]
    assert list(order.events.filter(kind="repair").values_list("action", flat=True)) == [
        "depot_receive",
        "depot_inspect",
        "depot_start_repair",
        "depot_log",
        "depot_log",
        "depot_recheck",
        "depot_hand_back",
    ]
    assert order.events.filter(kind="attachment").count() == 2


def test_r13_r8_the_repair_starts_only_on_a_work_order_in_service(make_order, eng):
    repair = inspected(make_order(State.ASSIGNED), eng)
    with pytest.raises(TransitionNotAllowed) as refused:
        depot_repair_start(repair_id=repair.pk, actor=eng)
    assert refused.value.code == "work_order_not_in_service"


def test_r13_inspection_needs_appearance_configuration_and_images(order, eng, not_an_image):
    repair = depot_repair_receive(work_order=order, actor=eng)
    with pytest.raises(ValidationError) as missing:
        depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="", configuration=" ")
    assert set(missing.value.message_dict) == {"appearance", "configuration"}
    with pytest.raises(ValidationError) as wrong:
        depot_repair_inspect(
            repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准", photos=[not_an_image]
        )
    assert "photos" in wrong.value.message_dict
    repair.refresh_from_db()
    assert repair.state == DepotState.RECEIVED and not Attachment.objects.exists()


def test_r13_one_open_depot_repair_per_work_order(order, eng):
    depot_repair_receive(work_order=order, actor=eng)
    with pytest.raises(DomainError) as refused:
        depot_repair_receive(work_order=order, actor=eng)
    assert refused.value.code == "open_repair"


def test_r13_the_process_record_runs_from_inspection_to_re_check(order, eng):
    repair = depot_repair_receive(work_order=order, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        depot_repair_log(repair_id=repair.pk, actor=eng, work_done="太早")
    repair = inspected_again(repair, eng)
    with pytest.raises(ValidationError) as future:
        depot_repair_log(
            repair_id=repair.pk,
            actor=eng,
            work_done="明天的事",
            performed_at=timezone.now() + timedelta(hours=2),
        )
    assert "performed_at" in future.value.message_dict
    earlier = timezone.now() - timedelta(hours=3)
    entry = depot_repair_log(repair_id=repair.pk, actor=eng, work_done="拆机检查", performed_at=earlier)
    assert entry.performed_at == earlier and entry.performed_by == eng
    with pytest.raises(ValidationError):
        depot_repair_log(repair_id=repair.pk, actor=eng, work_done=" ")


def inspected_again(repair, actor):
    return depot_repair_inspect(repair_id=repair.pk, actor=actor, appearance="完好", configuration="标准")


def test_r13_process_record_entries_are_never_changed(order, eng):
    repair = inspected_again(depot_repair_receive(work_order=order, actor=eng), eng)
    entry = depot_repair_log(repair_id=repair.pk, actor=eng, work_done="测量电压")
    entry.work_done = "改写"
    with pytest.raises(ValueError):
        entry.save()


def test_r13_hand_back_needs_the_customers_confirmation_and_skipping_steps_is_refused(order, eng):
    repair = inspected_again(depot_repair_receive(work_order=order, actor=eng), eng)
    with pytest.raises(TransitionNotAllowed):
        depot_repair_hand_back(
            repair_id=repair.pk, actor=eng, handed_back_to="李娜", confirmation_method="in_person"
        )
    with pytest.raises(TransitionNotAllowed):
        depot_repair_recheck(repair_id=repair.pk, actor=eng, result="未维修就复检")
    depot_repair_start(repair_id=repair.pk, actor=eng)
    depot_repair_recheck(repair_id=repair.pk, actor=eng, result="正常")
    with pytest.raises(ValidationError) as missing:
        depot_repair_hand_back(repair_id=repair.pk, actor=eng, handed_back_to="", confirmation_method="")
    assert "handed_back_to" in missing.value.message_dict


def test_r13_finance_may_not_receive_devices(order, finance):
    with pytest.raises(NotPermitted):
        depot_repair_receive(work_order=order, actor=finance)
