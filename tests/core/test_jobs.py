"""Background jobs from web processes (core/jobs.py): Celery is loaded only to hand one over
(issue 9: a web worker stays under 120 MB), and then the project's app takes the job."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

import aftersales
from aftersales.notifications.models import Message
from aftersales.notifications.services import message_queue


def run(script: str) -> str:
    source = str(Path(aftersales.__file__).parents[1])  # this checkout's code, not an installed one
    environment = {**os.environ, "PYTHONPATH": source, "DJANGO_SETTINGS_MODULE": "aftersales.config.settings"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_web_process_starts_and_routes_without_importing_celery():
    script = (
        "import django, sys; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "from aftersales.config.wsgi import application;"
        "print('celery' in sys.modules, 'kombu' in sys.modules)"
    )
    assert run(script) == "False False"


def test_the_beat_schedule_makes_crontabs_of_the_settings_times_of_day():
    script = (
        "from aftersales.config.celery import app;"
        "entry = app.conf.beat_schedule['parts-monthly-claims'];"
        "print(type(entry['schedule']).__name__, entry['schedule'].hour, "
        "app.conf.beat_schedule['sla-check-clocks']['schedule'])"
    )
    assert run(script) == "crontab {2} 300.0"


@pytest.mark.django_db(transaction=True)
def test_a_job_is_handed_over_after_the_commit_and_never_on_rollback(settings):
    """In the embedded mode (no broker) the project's app runs it at once: the message is sent."""
    settings.OUTBOX_SEND_ON_COMMIT = True
    with transaction.atomic():
        kept = message_queue(channel="email", recipient="a@example.cn", subject="s", body="b", key="kept")
        assert Message.objects.get(pk=kept.pk).status == "pending"  # not before the commit
    assert Message.objects.get(pk=kept.pk).status == "sent"
    with pytest.raises(RuntimeError), transaction.atomic():
        message_queue(channel="email", recipient="b@example.cn", subject="s", body="b", key="dropped")
        raise RuntimeError
    assert not Message.objects.filter(idempotency_key="dropped").exists()


def test_every_job_handed_over_names_a_task_of_the_app():
    """The tasks are named by their dotted paths (importing one imports Celery): each one exists."""
    from django.utils.module_loading import import_string

    from aftersales.config.celery import app

    source = Path(aftersales.__file__).parent
    named = set(
        re.findall(r'job_after_commit\(\s*"([\w.]+)"', "".join(p.read_text() for p in source.rglob("*.py")))
    )
    assert len(named) >= 4
    for path in named:
        assert import_string(path).name in app.tasks, path
