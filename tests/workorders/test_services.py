"""Work-order services: intake (R1, R2), numbering, optimistic locking, history (R41), the
acknowledgement job (R3), notes and attachments, and row locks under concurrency (PostgreSQL)."""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.core.errors import ConcurrentUpdate, NotPermitted, TransitionNotAllowed
from aftersales.core.models import ChangeRecord, NumberSequence
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.choices import MessageStatus
from aftersales.notifications.models import Message
from aftersales.workorders import hooks
from aftersales.workorders.choices import Channel, Priority, State, WorkOrderType
from aftersales.workorders.models import WorkOrder, WorkOrderEvent
from aftersales.workorders.notices import FIRST_FEEDBACK_HOURS
from aftersales.workorders.services import (
    attachment_add,
    note_add,
    workorder_create,
    workorder_transition,
    workorder_update,
)
from tests import factories as f

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)
NEEDS_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite locks the whole database",
)


def intake(customer, **overrides):
    """What an agent types during a phone call about a faulty printer."""
    data = dict(
        channel=Channel.PHONE,
        type=WorkOrderType.REPAIR,
        customer=customer,
        contact_name="张伟",
        contact_phone="138 0013 8000",
        device_model_text="HP LaserJet Pro M404",
        fault_symptom="打印时卡纸，面板提示 E3 错误",
        error_messages="E3",
        recent_operations="昨天更换了硒鼓",
    )
    data.update(overrides)
    return data


@pytest.fixture
def customer(db):
    return f.CustomerFactory(email="")


# ---------------------------------------------------------------- intake (R1, R2)


@pytest.mark.django_db
def test_r2_intake_saves_a_numbered_work_order_with_a_created_event(agent, customer):
    work_order = workorder_create(actor=agent, **intake(customer))

    assert re.fullmatch(r"WO\d{8}\d{4}", work_order.number)
    assert work_order.number[2:10] == timezone.localdate().strftime("%Y%m%d")
    assert (work_order.state, work_order.version, work_order.created_by) == (State.NEW, 1, agent)
    assert work_order.contact_phone == "+8613800138000"  # normalised (R2)
    assert (work_order.error_messages, work_order.recent_operations) == ("E3", "昨天更换了硒鼓")
    [event] = work_order.events.all()
    assert (event.kind, event.actor, event.to_state) == ("created", agent, State.NEW)


@pytest.mark.django_db
@pytest.mark.parametrize("channel", Channel.values)
def test_r1_channel_is_recorded(channel, agent, customer):
    assert workorder_create(actor=agent, **intake(customer, channel=channel)).channel == channel


@pytest.mark.django_db
def test_r1_numbers_are_unique_and_sequential_per_day(agent, customer):
    numbers = [workorder_create(actor=agent, **intake(customer)).number for _ in range(3)]

    assert len(set(numbers)) == 3
    assert [int(n[-4:]) for n in numbers] == [1, 2, 3]
    assert {n[:10] for n in numbers} == {f"WO{timezone.localdate():%Y%m%d}"}


@pytest.mark.django_db
def test_r2_intake_takes_contact_and_device_details_from_the_records(agent, customer):
    contact = f.ContactFactory(customer=customer, name="李娜", phone="+8613912345678")
    device = f.DeviceFactory(customer=customer, serial_number="CN12AB3456", purchase_date=date(2025, 5, 1))

    work_order = workorder_create(
        actor=agent,
        **intake(customer, contact=contact, contact_name="", contact_phone="", device=device),
    )

    assert (work_order.contact_name, work_order.contact_phone) == ("李娜", "+8613912345678")
    assert work_order.product_model == device.product_model
    assert (work_order.serial_number, work_order.purchase_date) == ("CN12AB3456", date(2025, 5, 1))


def _bad_intakes():
    """(case, overrides, field in error): each must be refused with nothing saved (R2)."""
    return [
        ("missing contact phone", {"contact_phone": ""}, "contact_phone"),
        ("invalid contact phone", {"contact_phone": "12345"}, "contact_phone"),
        ("missing contact name", {"contact_name": ""}, "contact_name"),
        ("missing symptom", {"fault_symptom": ""}, "fault_symptom"),
        ("blank symptom", {"fault_symptom": "   "}, "fault_symptom"),
        ("repair without device model", {"device_model_text": ""}, "product_model"),
        ("missing channel", {"channel": ""}, "channel"),
        ("unknown type", {"type": "magic"}, "type"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "overrides", "field"), _bad_intakes(), ids=[c[0] for c in _bad_intakes()])
def test_r2_incomplete_intake_is_refused_and_nothing_is_saved(case, overrides, field, agent, customer):
    with pytest.raises(ValidationError) as error:
        workorder_create(actor=agent, **intake(customer, **overrides))

    assert field in error.value.message_dict
    assert not WorkOrder.objects.exists()
    assert not WorkOrderEvent.objects.exists()
    assert not NumberSequence.objects.exists()  # no number consumed


@pytest.mark.django_db
def test_r2_device_of_another_customer_is_refused(agent, customer):
    foreign_device = f.DeviceFactory()

    with pytest.raises(ValidationError) as error:
        workorder_create(actor=agent, **intake(customer, device=foreign_device))

    assert "device" in error.value.message_dict
    assert not WorkOrder.objects.exists()
    assert not NumberSequence.objects.exists()


@pytest.mark.django_db
def test_r2_contact_of_another_customer_is_refused(agent, customer):
    with pytest.raises(ValidationError) as error:
        workorder_create(actor=agent, **intake(customer, contact=f.ContactFactory()))

    assert "contact" in error.value.message_dict
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_r1_automatic_intake_without_a_user_is_saved_and_editable(agent, customer):
    """Email and portal requests arrive with no staff user behind them (R1)."""
    work_order = workorder_create(actor=None, **intake(customer, channel=Channel.EMAIL))

    updated = workorder_update(work_order_id=work_order.pk, actor=agent, expected_version=1, priority="high")

    assert (updated.created_by, updated.channel, updated.version) == (None, Channel.EMAIL, 2)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["engineer", "waiting_reason"])
def test_assignment_and_waiting_are_set_only_by_transitions(field, agent, customer):
    with pytest.raises(ValueError, match="Not editable"):
        workorder_create(actor=agent, **intake(customer, **{field: None}))


@pytest.mark.django_db
def test_r4_consultation_needs_no_device(agent, customer):
    work_order = workorder_create(
        actor=agent,
        **intake(
            customer, type=WorkOrderType.CONSULTATION, device_model_text="", fault_symptom="如何加墨粉？"
        ),
    )

    assert work_order.type == WorkOrderType.CONSULTATION


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["state", "number", "version"])
def test_lifecycle_fields_cannot_be_set_at_intake(field, agent, customer):
    with pytest.raises(ValueError, match="Not editable"):
        workorder_create(actor=agent, **intake(customer, **{field: "x"}))


# ---------------------------------------------------------------- edits: optimistic locking, history


def _history(work_order):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(WorkOrder), object_id=work_order.pk
    )


@pytest.mark.django_db
def test_r41_update_records_who_changed_which_field_from_what_to_what(agent, customer):
    work_order = workorder_create(actor=agent, **intake(customer))

    updated = workorder_update(
        work_order_id=work_order.pk,
        actor=agent,
        expected_version=1,
        priority=Priority.URGENT,
        fault_symptom="完全无法开机",
    )

    assert updated.version == 2
    rows = {row.field: row for row in _history(updated)}
    assert set(rows) == {"priority", "fault_symptom"}
    assert (rows["priority"].old_value, rows["priority"].new_value) == (
        str(Priority.NORMAL.label),
        str(Priority.URGENT.label),
    )
    assert rows["fault_symptom"].old_value == "打印时卡纸，面板提示 E3 错误"
    assert rows["fault_symptom"].new_value == "完全无法开机"
    assert {row.actor for row in rows.values()} == {agent}


@pytest.mark.django_db
def test_optimistic_locking_second_save_is_refused_and_nothing_overwritten(agent, dispatcher, customer):
    """Two people open version 1; the first save wins, the second gets ConcurrentUpdate (409)."""
    work_order = workorder_create(actor=agent, **intake(customer))

    workorder_update(work_order_id=work_order.pk, actor=agent, expected_version=1, priority=Priority.HIGH)
    with pytest.raises(ConcurrentUpdate) as error:
        workorder_update(
            work_order_id=work_order.pk, actor=dispatcher, expected_version=1, priority=Priority.LOW
        )

    assert error.value.status == 409
    assert error.value.field == "version"
    assert work_order.number in error.value.message
    work_order.refresh_from_db()
    assert (work_order.priority, work_order.version) == (Priority.HIGH, 2)
    assert not _history(work_order).filter(actor=dispatcher).exists()


@pytest.mark.django_db
def test_r2_invalid_edit_saves_nothing(agent, customer):
    work_order = workorder_create(actor=agent, **intake(customer))

    with pytest.raises(ValidationError) as error:
        workorder_update(
            work_order_id=work_order.pk, actor=agent, expected_version=1, contact_phone="000", priority="high"
        )

    assert "contact_phone" in error.value.message_dict
    work_order.refresh_from_db()
    assert (work_order.version, work_order.priority, work_order.contact_phone) == (
        1,
        Priority.NORMAL,
        "+8613800138000",
    )
    assert not _history(work_order).exists()


@pytest.mark.django_db
def test_state_cannot_be_edited_directly(agent, customer):
    work_order = workorder_create(actor=agent, **intake(customer))

    with pytest.raises(ValueError, match="Not editable"):
        workorder_update(work_order_id=work_order.pk, actor=agent, expected_version=1, state=State.CLOSED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.AGENT, False), (Role.DISPATCHER, False), (Role.CLERK, True), (Role.SUPERVISOR, True)],
)
def test_finished_work_order_edited_only_by_clerk_or_supervisor(role, allowed, make_user):
    work_order = f.WorkOrderFactory(state=State.CLOSED)
    actor = make_user(role)

    if allowed:
        updated = workorder_update(
            work_order_id=work_order.pk, actor=actor, expected_version=1, fault_category="卡纸"
        )
        assert updated.fault_category == "卡纸"
    else:
        with pytest.raises(NotPermitted):
            workorder_update(
                work_order_id=work_order.pk, actor=actor, expected_version=1, fault_category="卡纸"
            )


@pytest.mark.django_db
def test_r7_preliminary_assessment_is_recorded(agent, customer):
    work_order = workorder_create(actor=agent, **intake(customer))

    updated = workorder_update(
        work_order_id=work_order.pk,
        actor=agent,
        expected_version=1,
        fault_category="进纸系统",
        probable_cause="搓纸轮磨损",
        proposed_handling="on_site",
        estimated_hours="2.5",
    )

    assert (updated.fault_category, updated.probable_cause, updated.proposed_handling) == (
        "进纸系统",
        "搓纸轮磨损",
        "on_site",
    )
    assert {"fault_category", "probable_cause", "proposed_handling", "estimated_hours"} <= set(
        _history(updated).values_list("field", flat=True)
    )


# ---------------------------------------------------------------- acknowledgement (R3)


@pytest.fixture
def default_promise(monkeypatch):
    """No app tells the promised feedback time: the acknowledgement promises the default (R3; the
    SLA app's first-response due time is tested in tests/sla/test_acknowledgement.py)."""
    monkeypatch.setattr(hooks, "feedback_promise_providers", [])


def _promised_candidates() -> set[str]:
    now = timezone.now() + timedelta(hours=FIRST_FEEDBACK_HOURS)
    return {timezone.localtime(now + timedelta(minutes=delta)).strftime("%Y-%m-%d %H:%M") for delta in (0, 1)}


@pytest.mark.django_db
def test_r3_accepting_queues_one_sms_with_number_and_promised_time_sent_on_commit(
    agent, customer, django_capture_on_commit_callbacks, caplog, default_promise
):
    work_order = workorder_create(actor=agent, **intake(customer))
    promised = _promised_candidates()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workorder_transition(work_order_id=work_order.pk, action="accept", actor=agent)
    [message] = Message.objects.all()
    assert message.status == MessageStatus.PENDING  # queued, not sent before the commit
    assert len(callbacks) == 1

    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        callbacks[0]()

    message.refresh_from_db()
    assert (message.channel, message.recipient) == (MessageChannel.SMS, "13800138000")
    assert work_order.number in message.subject and work_order.number in message.body
    assert any(p in message.body for p in promised)
    assert message.status == MessageStatus.SENT
    assert "[sms] to …8000" in caplog.text  # the SMS logging backend delivered it
    assert mail.outbox == []  # no email address on file
    assert work_order.events.filter(kind="notification", action="acknowledgement").count() == 1


@pytest.mark.django_db
def test_r3_customer_with_email_also_gets_an_email(
    agent, django_capture_on_commit_callbacks, default_promise
):
    customer = f.CustomerFactory(email="it@xingchen.example.cn")
    work_order = workorder_create(actor=agent, **intake(customer))

    with django_capture_on_commit_callbacks(execute=True):
        workorder_transition(work_order_id=work_order.pk, action="accept", actor=agent)

    assert sorted(Message.objects.values_list("channel", "status")) == [
        (MessageChannel.EMAIL, MessageStatus.SENT),
        (MessageChannel.SMS, MessageStatus.SENT),
    ]
    [email] = mail.outbox
    assert email.to == ["it@xingchen.example.cn"]
    assert work_order.number in email.subject
    assert any(p in email.body for p in _promised_candidates())


@pytest.mark.django_db
def test_r3_no_acknowledgement_when_the_acceptance_rolls_back(agent, django_capture_on_commit_callbacks):
    customer = f.CustomerFactory(email="it@xingchen.example.cn")
    work_order = workorder_create(actor=agent, **intake(customer))

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workorder_transition(work_order_id=work_order.pk, action="accept", actor=agent)
        raise RuntimeError("the caller failed after accepting")

    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []
    work_order.refresh_from_db()
    assert work_order.state == State.NEW


@pytest.mark.django_db
def test_r3_no_acknowledgement_when_a_transition_hook_fails(
    agent, monkeypatch, django_capture_on_commit_callbacks
):
    """A hook of another app (SLA, dispatch) failing rolls back the acceptance and its message."""
    customer = f.CustomerFactory(email="it@xingchen.example.cn")
    work_order = workorder_create(actor=agent, **intake(customer))

    def failing_hook(**kwargs):
        raise RuntimeError("sla clock failed")

    monkeypatch.setattr(hooks, "transition_hooks", [failing_hook])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        workorder_transition(work_order_id=work_order.pk, action="accept", actor=agent)

    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_r3_only_acceptance_sends_an_acknowledgement(agent, dispatcher, django_capture_on_commit_callbacks):
    work_order = f.WorkOrderFactory(state=State.ACCEPTED)
    engineer = f.EngineerFactory(service_point=work_order.service_point)

    with django_capture_on_commit_callbacks(execute=True):
        workorder_transition(
            work_order_id=work_order.pk, action="assign", actor=dispatcher, engineer=engineer
        )
        workorder_transition(work_order_id=work_order.pk, action="cancel", actor=agent, note="客户撤回")

    assert not Message.objects.exists()


# ---------------------------------------------------------------- notes and attachments


@pytest.mark.django_db
def test_note_is_added_to_the_timeline(agent):
    work_order = f.WorkOrderFactory()

    note = note_add(
        work_order=work_order, actor=agent, body="  客户下午两点后在公司  ", visibility="customer"
    )

    assert note.body == "客户下午两点后在公司"
    [event] = work_order.events.filter(kind="note")
    assert (event.actor, event.action, event.note) == (agent, "customer", note.body)


@pytest.mark.django_db
def test_empty_note_is_refused(agent):
    work_order = f.WorkOrderFactory()

    with pytest.raises(ValidationError):
        note_add(work_order=work_order, actor=agent, body="   ")

    assert not work_order.notes.exists()


@pytest.mark.django_db
def test_attachment_is_checked_by_content_and_stored_under_a_generated_name(agent):
    work_order = f.WorkOrderFactory()

    attachment = attachment_add(
        work_order=work_order, actor=agent, upload=SimpleUploadedFile("故障照片.png", PNG)
    )

    assert (attachment.original_name, attachment.content_type) == ("故障照片.png", "image/png")
    assert "故障照片" not in attachment.file.name and attachment.file.name.endswith(".png")
    assert work_order.events.filter(kind="attachment").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("fake.png", b"#!/bin/sh\nrm -rf /\n"), ("report.pdf", b"hello"), ("page.html", b"<html></html>")],
)
def test_attachment_of_another_type_is_refused_whatever_its_name(name, content, agent):
    work_order = f.WorkOrderFactory()

    with pytest.raises(ValidationError):
        attachment_add(work_order=work_order, actor=agent, upload=SimpleUploadedFile(name, content))

    assert not work_order.attachments.exists()


@pytest.mark.django_db
def test_attachment_over_the_size_limit_is_refused(agent, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    work_order = f.WorkOrderFactory()

    with pytest.raises(ValidationError):
        attachment_add(
            work_order=work_order, actor=agent, upload=SimpleUploadedFile("big.png", PNG + b"0" * 64)
        )

    assert not work_order.attachments.exists()


# ---------------------------------------------------------------- concurrency (PostgreSQL row locks)


def _race(call, actors) -> list[str]:
    """Run `call(actor)` in one thread per actor, started together; 'ok' or the error's class."""
    barrier = threading.Barrier(len(actors))
    results: list[str] = []

    def worker(actor):
        try:
            barrier.wait(timeout=10)
            call(actor)
            results.append("ok")
        except Exception as error:  # noqa: BLE001 - recorded for the assertion
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


@NEEDS_POSTGRES
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r41_concurrent_transitions_row_lock_lets_exactly_one_win(monkeypatch):
    """Two agents accept the same work order at the same moment: the row lock serialises them,
    the second sees it already accepted and is refused; one event, one acknowledgement."""
    work_order = f.WorkOrderFactory(state=State.NEW)
    agents = [f.UserFactory(role=Role.AGENT), f.UserFactory(role=Role.AGENT)]

    def slow_hook(**kwargs):
        time.sleep(0.3)  # hold the lock so that the other thread really waits for it

    monkeypatch.setattr(hooks, "transition_hooks", [slow_hook])
    results = _race(
        lambda actor: workorder_transition(work_order_id=work_order.pk, action="accept", actor=actor), agents
    )

    assert results == ["TransitionNotAllowed", "ok"]
    work_order.refresh_from_db()
    assert (work_order.state, work_order.version) == (State.ACCEPTED, 2)
    assert work_order.events.filter(kind="transition").count() == 1
    assert Message.objects.filter(channel=MessageChannel.SMS).count() == 1


@NEEDS_POSTGRES
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r41_concurrent_edits_of_the_same_version_one_is_refused(monkeypatch):
    work_order = f.WorkOrderFactory(state=State.NEW)
    users = [f.UserFactory(role=Role.AGENT), f.UserFactory(role=Role.DISPATCHER)]

    results = _race(
        lambda actor: workorder_update(
            work_order_id=work_order.pk, actor=actor, expected_version=1, fault_category=actor.username
        ),
        users,
    )

    assert results == ["ConcurrentUpdate", "ok"]
    work_order.refresh_from_db()
    assert work_order.version == 2


@NEEDS_POSTGRES
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r1_concurrent_intakes_get_distinct_sequential_numbers():
    customer = f.CustomerFactory()
    agents = [f.UserFactory(role=Role.AGENT) for _ in range(4)]

    results = _race(lambda actor: workorder_create(actor=actor, **intake(customer)), agents)

    assert results == ["ok"] * 4
    numbers = sorted(WorkOrder.objects.values_list("number", flat=True))
    assert [int(n[-4:]) for n in numbers] == [1, 2, 3, 4]


def test_refused_transition_is_a_409_domain_error():
    assert TransitionNotAllowed("x").status == 409


def test_r5_a_service_address_must_hold_together_and_is_kept_in_the_history(agent):
    """Issue 12: the work order's service address (when not the customer's) names a province, city
    and district that belong together; a wrong one is a field error and nothing is saved."""
    from django.core.exceptions import ValidationError

    from aftersales.workorders.services import workorder_create, workorder_update

    customer = f.CustomerFactory(province="上海市", city="上海市", district="徐汇区")
    base = dict(
        channel="phone",
        type="repair",
        customer=customer,
        contact_name="张伟",
        contact_phone="13812345678",
        device_model_text="HP M1005",
        fault_symptom="卡纸",
    )
    with pytest.raises(ValidationError) as refused:
        workorder_create(actor=agent, **base, service_province="浙江省", service_city="苏州市")
    assert "service_city" in refused.value.message_dict
    assert not WorkOrder.objects.exists()
    work_order = workorder_create(
        actor=agent, **base, service_province="浙江省", service_city="杭州市", service_district="西湖区"
    )
    work_order = workorder_update(
        work_order_id=work_order.pk,
        actor=agent,
        expected_version=work_order.version,
        service_address="文三路 90 号",
    )
    assert work_order.service_address == "文三路 90 号"


def test_r5_the_api_takes_and_checks_the_service_address(agent, api_client):
    customer = f.CustomerFactory(province="上海市", city="上海市", district="徐汇区")
    payload = {
        "customer": customer.pk,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "type": "repair",
        "device_model_text": "HP M1005",
        "fault_symptom": "卡纸",
        "service_province": "浙江省",
        "service_city": "杭州市",
        "service_district": "徐汇区",
    }
    client = api_client(agent)
    response = client.post("/api/workorders/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "service_district"
    response = client.post("/api/workorders/", {**payload, "service_district": "西湖区"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["service_city"] == "杭州市"
