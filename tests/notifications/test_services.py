"""The outbox (R3): queued inside the caller's transaction, delivered once after the commit,
failed deliveries retried by the periodic job."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import transaction

from aftersales.notifications import channels
from aftersales.notifications.choices import Channel, MessageStatus
from aftersales.notifications.models import Message
from aftersales.notifications.services import (
    MAX_ATTEMPTS,
    customer_message_queue,
    message_queue,
    message_send,
)
from aftersales.notifications.tasks import flush_outbox, send_message

pytestmark = pytest.mark.django_db


def queue(key: str = "ack:WO202611220001:email", channel: str = Channel.EMAIL, **overrides) -> Message:
    data = dict(
        channel=channel,
        recipient="it@xingchen.example.cn" if channel == Channel.EMAIL else "13800138000",
        subject="您的服务请求 WO202611220001 已受理",
        body="我们将在 2026-11-23 10:00 前回复您。",
        key=key,
    )
    data.update(overrides)
    return message_queue(**data)


class FlakyBackend:
    """A gateway that fails the first `failures` calls."""

    def __init__(self, failures: int):
        self.failures = failures
        self.sent: list[str] = []

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("SMS gateway timed out")
        self.sent.append(recipient)


@pytest.fixture
def flaky_sms(monkeypatch):
    def install(failures: int) -> FlakyBackend:
        backend = FlakyBackend(failures)
        monkeypatch.setitem(channels.BACKENDS, Channel.SMS, backend)
        return backend

    return install


def test_r3_message_is_sent_only_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue()

    assert message.status == MessageStatus.PENDING
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.sent_at is not None
    [email] = mail.outbox
    assert (email.to, email.subject) == (["it@xingchen.example.cn"], "您的服务请求 WO202611220001 已受理")


def test_r3_nothing_is_stored_or_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_r3_queueing_the_same_key_twice_stores_and_sends_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue()
        second = queue(body="changed")

    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_r3_sending_is_idempotent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()

    again = message_send(message_id=message.pk)
    send_message.delay(message.pk)  # a retried task

    assert (again.status, again.attempts) == (MessageStatus.SENT, 1)
    assert len(mail.outbox) == 1


def test_r41_sms_and_wechat_go_through_the_logging_backend_without_personal_data(
    caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.INFO, logger="aftersales.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sms = queue(key="k-sms", channel=Channel.SMS)
        wechat = queue(key="k-wechat", channel=Channel.WECHAT, recipient="wx_openid_123")

    assert {Message.objects.get(pk=m.pk).status for m in (sms, wechat)} == {MessageStatus.SENT}
    # the log says a message left, never to whom in full nor what it says
    assert "[sms] to …8000" in caplog.text and "[wechat] to …_123" in caplog.text
    assert "13800138000" not in caplog.text and "wx_openid_123" not in caplog.text
    assert sms.body not in caplog.text


def test_failed_delivery_is_recorded_and_retried_by_the_periodic_job(
    flaky_sms, django_capture_on_commit_callbacks
):
    backend = flaky_sms(failures=1)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(key="k-sms", channel=Channel.SMS)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert "timed out" in message.last_error

    assert flush_outbox.delay().get() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")
    assert backend.sent == ["13800138000"]
    assert flush_outbox.delay().get() == 0  # nothing left to do


def test_pending_message_whose_worker_died_is_picked_up_by_the_retry_job(flaky_sms):
    backend = flaky_sms(failures=0)
    message = Message.objects.create(
        channel=Channel.SMS, recipient="13800138000", subject="s", body="b", idempotency_key="orphan"
    )

    flush_outbox()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert backend.sent == ["13800138000"]


def test_delivery_gives_up_after_the_maximum_attempts(flaky_sms, django_capture_on_commit_callbacks):
    backend = flaky_sms(failures=100)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(key="k-sms", channel=Channel.SMS)
    for _ in range(MAX_ATTEMPTS + 2):
        flush_outbox()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS)
    assert backend.failures == 100 - MAX_ATTEMPTS


def test_r3_a_failed_hand_over_after_commit_leaves_the_message_for_the_retry_job(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The broker is down when the transaction commits: the caller's work stands, no error reaches
    the user, and the periodic job sends the message later."""

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_message, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue()

    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert mail.outbox == []

    flush_outbox()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1


# -- one helper for messages to a customer (D50) ---------------------------------------------------


def customer_message(**overrides) -> list[Message]:
    data = dict(
        phone="+8613800138000",
        email="it@xingchen.example.cn",
        subject="您的服务请求 WO202611220001 已受理",
        body="我们将在 2026-11-23 10:00 前回复您。",
        key_prefix="ack:WO202611220001",
    )
    data.update(overrides)
    return customer_message_queue(**data)


def test_r3_a_customer_message_goes_by_sms_and_by_email_when_there_is_an_address():
    customer_message()

    rows = Message.objects.order_by("idempotency_key").values_list("idempotency_key", "channel", "recipient")
    assert list(rows) == [
        ("ack:WO202611220001:email", Channel.EMAIL, "it@xingchen.example.cn"),
        ("ack:WO202611220001:sms", Channel.SMS, "13800138000"),  # the number as it is dialled
    ]
    assert set(Message.objects.values_list("subject", flat=True)) == {"您的服务请求 WO202611220001 已受理"}


def test_r3_a_customer_message_without_address_or_phone_skips_that_channel():
    assert [m.channel for m in customer_message(email="")] == [Channel.SMS]
    assert [m.channel for m in customer_message(phone="", key_prefix="other")] == [Channel.EMAIL]
    assert customer_message(phone="", email="", key_prefix="none") == []


def test_r3_a_customer_message_keeps_its_callers_keys_and_is_queued_once():
    suffixes = {Channel.SMS: "customer-sms", Channel.EMAIL: "customer-email"}
    first = customer_message(key_prefix="complaint:7:feedback", key_suffixes=suffixes)
    again = customer_message(key_prefix="complaint:7:feedback", key_suffixes=suffixes, body="changed")

    assert [m.idempotency_key for m in first] == [
        "complaint:7:feedback:customer-sms",
        "complaint:7:feedback:customer-email",
    ]
    assert [m.pk for m in again] == [m.pk for m in first]
    assert Message.objects.count() == 2


def test_r8_a_customer_message_may_reach_the_phone_by_wechat():
    [message] = customer_message(email="", phone_channel=Channel.WECHAT, key_prefix="plan:3")
    assert (message.channel, message.recipient, message.idempotency_key) == (
        Channel.WECHAT,
        "13800138000",
        "plan:3:wechat",
    )
    with pytest.raises(ValueError):
        customer_message(phone_channel=Channel.EMAIL)
