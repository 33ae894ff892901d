"""The outbox in batches (R34: the SLA job's e-mails): queued with a few queries, idempotent per
key, handed over after the commit as one delivery job, each message delivered once."""

from __future__ import annotations

import pytest
from django.core import mail

from aftersales.notifications.choices import Channel, MessageStatus
from aftersales.notifications.models import Message
from aftersales.notifications.services import OutgoingMessage, messages_queue, messages_send

pytestmark = pytest.mark.django_db


def emails(*keys: str) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            channel=Channel.EMAIL,
            recipient=f"{key}@example.cn",
            subject="工单 WO1 即将超时",
            body="时限已用去 75%",
            key=key,
        )
        for key in keys
    ]


def test_r34_a_batch_is_queued_once_and_sent_after_the_commit_as_one_job(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # Three queries: the keys already known, the insert, the read back.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, django_assert_max_num_queries(3):
        created = messages_queue(emails("a", "b", "c"))

    assert len(created) == 3 and len(callbacks) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.cn", "b@example.cn", "c@example.cn"]


def test_r34_a_retried_batch_queues_and_sends_only_what_is_new(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        messages_queue(emails("a", "b"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = messages_queue(emails("a", "b", "c"))

    assert [m.idempotency_key for m in again] == ["c"] and len(callbacks) == 1
    assert Message.objects.count() == 3 and len(mail.outbox) == 3
    assert messages_queue(emails("a")) == []


def test_r34_sending_a_batch_twice_delivers_each_message_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        created = messages_queue(emails("a", "b"))
    ids = [m.pk for m in created]

    assert messages_send(message_ids=ids) == 2
    assert messages_send(message_ids=ids) == 0
    assert len(mail.outbox) == 2
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
