"""R26: complaints have their own response time by severity, on the working calendar; the
periodic job warns before it is due and escalates overdue complaints to supervisors, once."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from aftersales.complaints.choices import ResponseRisk, Severity
from aftersales.complaints.models import ComplaintEvent, ComplaintResponsePolicy
from aftersales.complaints.services import complaint_response_check, complaint_transition
from aftersales.complaints.tasks import check_complaint_responses
from aftersales.config.celery import app as celery_app
from aftersales.notifications.models import Notification
from aftersales.sla.services import working_calendar_create
from tests.timeutil import at, frozen

from .conftest import MONDAY_9

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "severity, due, warn",
    [
        # 4 business hours from Monday 09:00: 09-12 and 13-14; at risk after 3 hours, at 12:00.
        (Severity.CRITICAL, at(2026, 3, 2, 14, 0), at(2026, 3, 2, 12, 0)),
        # 8 business hours: the whole Monday.
        (Severity.SERIOUS, at(2026, 3, 2, 18, 0), at(2026, 3, 2, 16, 0)),
        # 24 business hours: three working days; at risk after 18 (Wednesday 11:00).
        (Severity.GENERAL, at(2026, 3, 4, 18, 0), at(2026, 3, 4, 11, 0)),
    ],
)
def test_r26_response_due_by_severity_on_the_working_calendar(severity, due, warn, register, work_order):
    complaint = register(work_order, severity=severity)
    assert complaint.response_due_at == due
    assert complaint.response_warn_at == warn


def test_r26_response_counts_working_time_only(register, work_order):
    """Registered on Friday 17:00: the critical response is due Monday 12:00 (1 h + 3 h)."""
    complaint = register(work_order, severity=Severity.CRITICAL, moment=at(2026, 3, 6, 17, 0))
    assert complaint.response_due_at == at(2026, 3, 9, 12, 0)


def test_r26_response_times_are_configurable(register, work_order):
    ComplaintResponsePolicy.objects.filter(severity=Severity.CRITICAL).update(
        response_hours=Decimal("2"), business_time=False
    )
    complaint = register(
        work_order, severity=Severity.CRITICAL, moment=at(2026, 3, 7, 22, 0)
    )  # Saturday night
    assert complaint.response_due_at == at(2026, 3, 8, 0, 0)


def test_r26_defaults_apply_without_a_policy_row(register, work_order):
    ComplaintResponsePolicy.objects.all().delete()
    complaint = register(work_order, severity=Severity.SERIOUS)
    assert complaint.response_due_at == at(2026, 3, 2, 18, 0)


def test_r26_the_service_points_calendar_is_used(register, work_order):
    working_calendar_create(
        name="全天候网点",
        service_point=work_order.service_point,
        use_public_holidays=False,
        weekly_hours={day: [(time(0), time(0))] for day in range(7)},
    )
    complaint = register(work_order, severity=Severity.CRITICAL, moment=at(2026, 3, 7, 22, 0))
    assert complaint.response_due_at == at(2026, 3, 8, 2, 0)


def test_r26_risk_colour_follows_the_due_time(register, work_order, quality):
    complaint = register(work_order, severity=Severity.CRITICAL)
    assert complaint.response_risk(at(2026, 3, 2, 10, 0)) == ResponseRisk.OK
    assert complaint.response_risk(at(2026, 3, 2, 12, 30)) == ResponseRisk.WARNING
    assert complaint.response_risk(at(2026, 3, 2, 14, 0)) == ResponseRisk.OVERDUE
    with frozen(at(2026, 3, 2, 15, 0)):
        complaint = complaint_transition(complaint_id=complaint.pk, action="accept", actor=quality)
    assert complaint.response_risk(at(2026, 3, 9)) == ResponseRisk.LATE
    on_time = register(work_order, severity=Severity.CRITICAL)
    with frozen(at(2026, 3, 2, 11, 0)):
        on_time = complaint_transition(complaint_id=on_time.pk, action="accept", actor=quality)
    assert on_time.response_risk(at(2026, 3, 9)) == ResponseRisk.MET


def test_r26_job_warns_then_escalates_once(register, work_order, quality, hq_supervisor):
    complaint = register(work_order, severity=Severity.CRITICAL)

    with frozen(at(2026, 3, 2, 11, 0)):
        assert complaint_response_check() == {"warning": 0, "overdue": 0}
    with frozen(at(2026, 3, 2, 12, 30)):
        assert complaint_response_check() == {"warning": 1, "overdue": 0}
        assert complaint_response_check() == {"warning": 0, "overdue": 0}  # sent once
    warning = Notification.objects.get(key=f"complaint:{complaint.pk}:warning")
    assert warning.recipient == quality

    with frozen(at(2026, 3, 2, 14, 5)):
        assert complaint_response_check() == {"warning": 0, "overdue": 1}
    with frozen(at(2026, 3, 2, 16, 0)):
        assert complaint_response_check() == {"warning": 0, "overdue": 0}
    escalations = Notification.objects.filter(key=f"complaint:{complaint.pk}:overdue")
    assert list(escalations.values_list("recipient__username", flat=True)) == ["hq_supervisor"]
    complaint.refresh_from_db()
    assert complaint.escalated_at == at(2026, 3, 2, 14, 5)
    actions = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("action", flat=True))
    assert actions == ["register", "warn", "escalate"]
    assert work_order.events.filter(kind="complaint", action="escalate").count() == 1


def test_r26_answered_complaints_are_not_escalated(register, work_order, quality, hq_supervisor):
    complaint = register(work_order, severity=Severity.CRITICAL)
    with frozen(at(2026, 3, 2, 10, 0)):
        complaint_transition(complaint_id=complaint.pk, action="accept", actor=quality)
    with frozen(at(2026, 3, 3, 10, 0)):
        assert complaint_response_check() == {"warning": 0, "overdue": 0}
    assert not Notification.objects.filter(key__startswith=f"complaint:{complaint.pk}:overdue").exists()


def test_r26_periodic_task_is_scheduled_and_calls_the_job(register, work_order, hq_supervisor):
    register(work_order, severity=Severity.CRITICAL)
    entry = celery_app.conf.beat_schedule["complaints-response-check"]
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks
    with frozen(at(2026, 3, 2, 15, 0)):
        assert check_complaint_responses.delay().get() == {"warning": 0, "overdue": 1}


def test_r26_monday_morning_fixture_is_a_working_day():
    assert MONDAY_9.weekday() == 0
