"""Background jobs: the Celery app, the periodic schedule, embedded mode, and a real worker."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from celery import beat

from aftersales.config.celery import app as celery_app
from aftersales.notifications.choices import Channel, MessageStatus
from aftersales.notifications.models import Message
from aftersales.notifications.tasks import send_message

REDIS_URL = os.environ.get("REDIS_URL", "")


def pending_sms(key: str) -> Message:
    return Message.objects.create(
        channel=Channel.SMS,
        recipient="13800138000",
        subject="您的服务请求 WO202611220001 已受理",
        body="我们将在 24 小时内回复您。",
        idempotency_key=key,
    )


def test_every_periodic_job_names_a_registered_task():
    celery_app.loader.import_default_modules()
    schedule = celery_app.conf.beat_schedule

    assert "notifications-flush-outbox" in schedule
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks


def test_broker_follows_redis_url(settings):
    if REDIS_URL:
        assert settings.CELERY_BROKER_URL == REDIS_URL
        assert settings.CELERY_TASK_ALWAYS_EAGER is False
    else:
        assert settings.CELERY_BROKER_URL == "memory://"
        assert settings.CELERY_TASK_ALWAYS_EAGER is True  # embedded mode: tasks run in-process


@pytest.mark.django_db
def test_r3_embedded_beat_runs_a_due_periodic_job_in_its_own_process(tmp_path):
    """What `celery beat` does in embedded mode (make demo): the due entry is applied, and with
    eager tasks the job runs right there in the beat process, no worker or broker needed."""
    message = pending_sms("beat-orphan")
    scheduler = beat.Scheduler(app=celery_app)
    entry = scheduler.schedule["notifications-flush-outbox"]

    result = scheduler.apply_entry(entry)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert result is None or getattr(result, "result", 1) == 1


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis broker: set REDIS_URL (.ci/run does)")
@pytest.mark.django_db(transaction=True)
def test_r3_send_message_runs_through_the_redis_broker_on_a_worker():
    """With REDIS_URL the task is published to Redis and a worker (here in a thread) delivers it."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False  # restored by the autouse fixture in tests/conftest.py
    queue = f"aftersales-test-{uuid.uuid4().hex[:12]}"  # parallel runs never steal each other's tasks
    message = pending_sms(f"worker-{queue}")

    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=[queue],
        loglevel="WARNING",
        shutdown_timeout=20,
    ):
        send_message.apply_async(args=[message.pk], queue=queue)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status == MessageStatus.SENT:
                break
            time.sleep(0.1)

    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
