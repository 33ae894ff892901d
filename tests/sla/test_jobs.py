"""The periodic SLA job (R34): breaches warn before they happen and escalate when they do.

Frozen clock: the default policy 标准服务时效 gives first response 24 business hours on the
standard calendar (Monday-Friday 09:00-12:00, 13:00-18:00). A request on Monday 2 November 2026
at 09:00 is at risk (75 %, 18 h) on Wednesday at 11:00 and due on Wednesday at 18:00.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from unittest import mock

import pytest
from celery import beat
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.accounts.selectors import staff_routing
from aftersales.config.celery import app as celery_app
from aftersales.notifications.models import Message, Notification
from aftersales.sla import services
from aftersales.sla.choices import AlertKind
from aftersales.sla.models import SlaClock
from aftersales.sla.services import SlaCheckResult, sla_clocks_check
from aftersales.sla.tasks import sla_check_clocks
from aftersales.workorders.choices import WaitingReason
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrderEvent
from tests import factories as f
from tests.conftest import uses_postgres
from tests.timeutil import at, frozen

from .helpers import FIRST, REPAIR, clock, create, move

REDIS_URL = os.environ.get("REDIS_URL", "")
MONDAY = at(2026, 11, 2, 9)
AT_RISK = at(2026, 11, 4, 11)
DUE = at(2026, 11, 4, 18)


@pytest.fixture
def staff(people):
    """Who the job tells: a dispatcher of the work order's point, a company dispatcher, and a
    second supervisor beside the one of `people`; all read English (each gets their language)."""
    staff = type(
        "Staff",
        (),
        dict(
            point_dispatcher=f.UserFactory(
                role=Role.DISPATCHER, service_point=people.point, email="disp@example.cn", language="en"
            ),
            company_dispatcher=f.UserFactory(role=Role.DISPATCHER, username="hq_dispatcher"),
            supervisor2=f.UserFactory(role=Role.SUPERVISOR, email="boss@example.cn"),
        ),
    )
    User.objects.update(language="en")
    return staff


def in_service(people):
    """A work order of Monday 09:00, in service from 10:00: its repair clock (48 h) runs."""
    work_order = create(people, MONDAY)
    for action, moment in [
        ("accept", at(2026, 11, 2, 9, 30)),
        ("assign", at(2026, 11, 2, 9, 45)),
        ("start", at(2026, 11, 2, 10)),
    ]:
        move(people, work_order, action, moment)
    return work_order


def check(moment) -> SlaCheckResult:
    with frozen(moment):
        return sla_clocks_check()


def notices(user=None, key_prefix: str = "sla-"):
    rows = Notification.objects.filter(key__startswith=key_prefix)
    return rows.filter(recipient=user) if user is not None else rows


def sla_events(work_order) -> list[tuple[str, str]]:
    """(action, text) of the work order's SLA events, the text as the reader sees it."""
    events = WorkOrderEvent.objects.filter(work_order=work_order, kind="sla").order_by("pk")
    return [(event.action, event_text(event)) for event in events]


@pytest.mark.django_db
def test_r34_a_started_clock_knows_when_it_becomes_at_risk(people):
    work_order = create(people, MONDAY)

    first = clock(work_order, FIRST)
    assert (first.warn_at, first.due_at) == (AT_RISK, DUE)
    assert (first.warned_at, first.escalated_at) == (None, None)


@pytest.mark.django_db
def test_r34_nothing_is_sent_before_75_percent(people, staff):
    work_order = create(people, MONDAY)

    assert check(at(2026, 11, 4, 10, 59)) == SlaCheckResult(0, 0)
    assert not notices().exists() and sla_events(work_order) == []


@pytest.mark.django_db
def test_r34_at_75_percent_the_owner_is_warned_once(people, staff, django_capture_on_commit_callbacks):
    """No engineer yet: the service point's dispatcher owns the work order."""
    work_order = create(people, MONDAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert check(AT_RISK) == SlaCheckResult(warned=1, escalated=0)
    assert check(at(2026, 11, 4, 11, 5)) == SlaCheckResult(0, 0)  # the next run: nothing new

    (notice,) = notices()
    assert notice.recipient == staff.point_dispatcher
    assert notice.title == f"{work_order.number}: First response at risk"
    assert notice.body == "75% of the time allowed is used; due by 2026-11-04 18:00."
    assert notice.url == f"/workorders/{work_order.pk}/?tab=service#sla-panel"  # at the clocks
    first = clock(work_order, FIRST)
    assert first.warned_at == AT_RISK and first.escalated_at is None and first.breached_at is None
    ((action, note),) = sla_events(work_order)
    assert action == "warning"
    assert work_order.number not in note and staff.point_dispatcher.display_name in note
    (email,) = Message.objects.filter(idempotency_key__startswith="sla-warning:")
    assert email.recipient == "disp@example.cn" and email.subject == notice.title
    assert [m.to for m in mail.outbox] == [["disp@example.cn"]]  # sent after the commit


@pytest.mark.django_db
def test_r34_the_assigned_engineer_is_the_owner(people, staff):
    work_order = create(people, MONDAY)
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))  # diagnosis: 48 h from Mon 09:30

    check(at(2026, 11, 6, 14, 29))  # 36 business hours (75 %) are used on Friday at 14:30
    assert not notices().exists()
    check(at(2026, 11, 6, 14, 30))

    (notice,) = notices()
    assert notice.recipient == people.engineer.user
    assert notice.title.endswith("Diagnosis and quote at risk")


@pytest.mark.django_db
def test_r34_with_no_staff_at_the_point_the_company_dispatchers_are_warned(people):
    company_dispatcher = f.UserFactory(role=Role.DISPATCHER)
    create(people, MONDAY)

    check(AT_RISK)

    assert [n.recipient for n in notices()] == [company_dispatcher]


@pytest.mark.django_db
def test_r34_dealer_staff_own_unassigned_work_of_their_dealers_points(people):
    dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=people.point.dealer)
    f.UserFactory(role=Role.DISPATCHER)  # company dispatcher: not needed here
    create(people, MONDAY)

    check(AT_RISK)

    assert [n.recipient for n in notices()] == [dealer_staff]


@pytest.mark.django_db
def test_r34_on_breach_the_supervisors_and_the_owner_hear_it_once_and_the_clock_is_breached(people, staff):
    work_order = create(people, MONDAY)
    check(AT_RISK)

    assert check(DUE) == SlaCheckResult(warned=0, escalated=1)
    assert check(at(2026, 11, 5, 9)) == SlaCheckResult(0, 0)

    breach = notices(key_prefix="sla-breach:")
    assert sorted(n.recipient.username for n in breach) == sorted(
        [people.supervisor.username, staff.supervisor2.username, staff.point_dispatcher.username]
    )
    assert {n.title for n in breach} == {f"{work_order.number}: First response overdue"}
    first = clock(work_order, FIRST)
    assert first.escalated_at == DUE and first.breached_at == DUE and first.stopped_at is None
    assert [action for action, _note in sla_events(work_order)] == ["warning", "breach"]
    assert Message.objects.filter(idempotency_key__startswith="sla-breach:").count() == 2  # with e-mail


@pytest.mark.django_db
def test_r34_each_recipient_reads_the_notice_in_their_language(people, staff):
    User.objects.filter(pk=people.supervisor.pk).update(language="zh-hans")
    work_order = create(people, MONDAY)

    check(DUE)

    chinese = notices(people.supervisor).get()
    english = notices(staff.supervisor2).get()
    assert "首次响应" in chinese.title and english.title == f"{work_order.number}: First response overdue"


@pytest.mark.django_db
def test_r34_the_timeline_tells_the_warning_in_the_readers_language(people, staff, client):
    """Given a warning recorded by the job, the work order's timeline says it in English to an
    English reader and with the Chinese milestone name to a Chinese one (the event keeps its
    parameters, not text written in one language)."""
    work_order = create(people, MONDAY)
    check(AT_RISK)
    client.force_login(people.supervisor)
    page = reverse("workorders:detail", args=[work_order.pk]) + "?tab=timeline"

    english = client.get(page).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(page).content.decode()

    name = staff.point_dispatcher.display_name
    text = (
        f"First response at risk: 75% of the time allowed is used; due by 2026-11-04 18:00. Notified: {name}."
    )
    assert text in english
    assert "首次响应" in chinese and name in chinese and "First response" not in chinese


@pytest.mark.django_db
def test_r34_the_escalation_notice_reads_in_the_language_of_its_reader(people, staff, client):
    """One breach, two readers of the same notice: the supervisor reads it in English, then in
    Chinese once they switch; e-mails are written in each recipient's language."""
    User.objects.filter(pk=staff.supervisor2.pk).update(language="zh-hans")
    work_order = create(people, MONDAY)
    check(DUE)
    client.force_login(staff.supervisor2)

    english = client.get(reverse("notifications:list")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(reverse("notifications:list")).content.decode()

    assert f"{work_order.number}: First response overdue" in english
    assert "It was due by 2026-11-04 18:00; escalated to the supervisors." in english
    assert f"{work_order.number}：首次响应已超时" in chinese
    assert "应于 2026-11-04 18:00 前完成，已升级至主管。" in chinese
    email = Message.objects.get(recipient="boss@example.cn")
    assert email.subject == f"{work_order.number}：首次响应已超时"


@pytest.mark.django_db
def test_r34_a_clock_first_seen_past_due_is_escalated_not_warned(people, staff):
    work_order = create(people, MONDAY)

    assert check(at(2026, 11, 6, 9)) == SlaCheckResult(warned=0, escalated=1)
    assert check(at(2026, 11, 6, 10)) == SlaCheckResult(0, 0)

    assert [action for action, _note in sla_events(work_order)] == ["breach"]
    assert not notices(key_prefix="sla-warning:").exists()


@pytest.mark.django_db
def test_r34_stopped_and_paused_clocks_are_left_alone(people, staff):
    met = create(people, MONDAY)
    move(people, met, "accept", at(2026, 11, 2, 10))  # first response stopped, met
    paused = in_service(people)
    move(people, paused, "wait", at(2026, 11, 2, 11), waiting_reason=WaitingReason.PARTS)
    SlaClock.objects.filter(kind=FIRST, work_order=met).update(warn_at=MONDAY)  # would be due

    assert check(at(2026, 11, 30, 9)) == SlaCheckResult(warned=0, escalated=1)  # met's diagnosis only

    assert not SlaClock.objects.filter(work_order=paused).exclude(warned_at=None).exists()


@pytest.mark.django_db
def test_r34_resume_moves_the_warning_time_by_the_pause(people, staff):
    work_order = in_service(people)
    assert clock(work_order, REPAIR).warn_at == at(2026, 11, 6, 15)  # 36 h of 48 h
    move(people, work_order, "wait", at(2026, 11, 2, 11), waiting_reason=WaitingReason.CUSTOMER)
    move(people, work_order, "resume", at(2026, 11, 3, 11))  # paused 8 business hours

    assert clock(work_order, REPAIR).warn_at == at(2026, 11, 9, 15)
    check(at(2026, 11, 6, 15))
    assert not notices().exists()
    check(at(2026, 11, 9, 15))
    assert notices().count() == 1


@pytest.mark.django_db
def test_r34_a_restarted_clock_warns_again(people, staff):
    work_order = in_service(people)
    check(at(2026, 11, 6, 15))
    move(people, work_order, "complete", at(2026, 11, 6, 16))
    move(people, work_order, "reopen", at(2026, 11, 9, 9))  # the repair clock restarts
    repair = clock(work_order, REPAIR)
    assert repair.warned_at is None and repair.warn_at == at(2026, 11, 13, 14)

    check(at(2026, 11, 13, 14))

    assert notices(people.engineer.user, "sla-warning:").count() == 2


@pytest.mark.django_db
def test_r34_a_claim_is_won_once_even_from_a_stale_read(people, staff):
    """Two workers that read the same due clock: the conditional UPDATE lets only one announce."""
    create(people, MONDAY)
    stale = SlaClock.objects.select_related("work_order").get(kind=FIRST)
    both = staff_routing()

    with frozen(AT_RISK):
        first = services._handle([stale], kind=AlertKind.WARNING, at=AT_RISK, routing=both)
        second = services._handle([stale], kind=AlertKind.WARNING, at=AT_RISK, routing=both)

    assert (first, second) == (1, 0)
    assert notices().count() == 1 and WorkOrderEvent.objects.filter(kind="sla").count() == 1


@pytest.mark.django_db
def test_r34_a_failing_clock_does_not_stop_the_others_and_is_retried(people, staff, caplog):
    """Its batch fails as a whole, then goes clock by clock: only the broken clock waits."""
    broken, fine = create(people, MONDAY), create(people, MONDAY)
    real = services._announce

    def announce(clocks, **kwargs):
        if any(clock.work_order_id == broken.pk for clock in clocks):
            raise RuntimeError("gateway down")
        return real(clocks, **kwargs)

    with mock.patch.object(services, "_announce", side_effect=announce):
        assert check(AT_RISK) == SlaCheckResult(warned=1, escalated=0)

    assert clock(broken, FIRST).warned_at is None  # rolled back with its notices
    assert clock(fine, FIRST).warned_at == AT_RISK
    assert notices().count() == 1
    assert "gateway down" in caplog.text
    assert check(at(2026, 11, 4, 11, 5)) == SlaCheckResult(warned=1, escalated=0)  # the retry


@pytest.mark.django_db
def test_r34_a_batch_in_conflict_is_redone_clock_by_clock(people, staff):
    """Where rows cannot be locked (SQLite), a batch whose UPDATE finds fewer due rows than it read
    gives up (another worker got some); clock by clock, each is then claimed exactly once."""
    for _ in range(2):
        create(people, MONDAY)
    real = services._claim

    def conflicting(clocks, **kwargs):
        if len(clocks) > 1:
            raise services.ClaimConflict
        return real(clocks, **kwargs)

    with mock.patch.object(services, "_claim", side_effect=conflicting) as claim:
        assert check(AT_RISK) == SlaCheckResult(warned=2, escalated=0)

    assert [len(call.args[0]) for call in claim.call_args_list] == [2, 1, 1]
    assert notices().count() == 2 and WorkOrderEvent.objects.filter(kind="sla").count() == 2


@pytest.mark.django_db
def test_r34_many_due_clocks_are_handled_in_batches_with_few_queries(
    people, staff, django_assert_max_num_queries, monkeypatch
):
    """Notices and e-mails are written in bulk per batch: the queries do not grow per recipient."""
    monkeypatch.setattr(services, "BATCH_SIZE", 4)
    for _ in range(6):
        create(people, MONDAY)

    # The two candidate reads, the staff, 12 per batch (its savepoint, the claim's read and UPDATE,
    # notices, e-mails), 1 per clock (the timeline event).
    with django_assert_max_num_queries(2 + 1 + 2 * 12 + 6 * 1):
        assert check(AT_RISK) == SlaCheckResult(warned=6, escalated=0)

    assert notices().count() == 6
    assert Message.objects.filter(idempotency_key__startswith="sla-warning:").count() == 6


@pytest.mark.django_db
def test_r34_the_job_reads_only_due_clocks(people, staff, django_assert_max_num_queries):
    for _ in range(3):
        create(people, MONDAY)

    with django_assert_max_num_queries(2):  # the two indexed candidate reads, nothing else
        assert check(at(2026, 11, 2, 12)) == SlaCheckResult(0, 0)


def test_r34_the_job_is_on_the_beat_schedule():
    celery_app.loader.import_default_modules()

    entry = celery_app.conf.beat_schedule["sla-check-clocks"]
    assert entry["task"] == sla_check_clocks.name and entry["task"] in celery_app.tasks
    assert entry["schedule"] <= 300


@pytest.mark.django_db
def test_r34_embedded_beat_runs_the_job_in_its_own_process(people, staff):
    """`make demo`: beat applies the due entry and, tasks being eager, runs it right there."""
    create(people, MONDAY)
    scheduler = beat.Scheduler(app=celery_app)

    with frozen(AT_RISK):
        scheduler.apply_entry(scheduler.schedule["sla-check-clocks"])

    assert notices().count() == 1


@pytest.mark.skipif(not uses_postgres(), reason="row-level concurrency needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_r34_two_workers_running_the_job_at_once_warn_each_clock_once(sla_defaults, people, staff):
    work_orders = [create(people, MONDAY) for _ in range(12)]
    barrier = threading.Barrier(2)
    results: list[SlaCheckResult] = []

    def worker():
        try:
            barrier.wait()
            results.append(sla_clocks_check(at=AT_RISK))
        finally:
            connection.close()

    with frozen(AT_RISK):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert sum(result.warned for result in results) == len(work_orders)
    assert notices().count() == len(work_orders)
    assert WorkOrderEvent.objects.filter(kind="sla").count() == len(work_orders)


@pytest.mark.skipif(
    not (REDIS_URL and uses_postgres()),
    reason="needs a Redis broker and PostgreSQL: set REDIS_URL and DATABASE_URL (.ci/run does)",
)
@pytest.mark.django_db(transaction=True)
def test_r34_a_real_worker_runs_the_job_through_redis_and_warns_once(sla_defaults, people, staff):
    """The task is published to Redis and consumed by a Celery worker (in a thread, on the test
    database); sent twice, as a retry would, every at-risk clock is still warned once."""
    from celery.contrib.testing.worker import start_worker

    work_orders = [create(people, MONDAY) for _ in range(3)]
    celery_app.conf.task_always_eager = False  # restored by the autouse fixture in tests/conftest.py
    queue = f"aftersales-sla-test-{uuid.uuid4().hex[:12]}"

    with (
        frozen(AT_RISK),
        start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            queues=[queue],
            loglevel="WARNING",
            shutdown_timeout=20,
        ),
    ):
        for _ in range(2):
            sla_check_clocks.apply_async(queue=queue)
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and SlaClock.objects.filter(kind=FIRST, warned_at__isnull=True).exists()
        ):
            time.sleep(0.1)
        time.sleep(0.5)  # let the second delivery finish too

    assert notices().count() == len(work_orders)
    assert all(n.recipient == staff.point_dispatcher for n in notices())
    assert WorkOrderEvent.objects.filter(kind="sla", action="warning").count() == len(work_orders)
