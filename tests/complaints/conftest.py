"""A small complaints world: one user per role involved, a work order with a device and an
engineer, and helpers that freeze the clock and register complaints through the service."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import ComplaintCategory, ComplaintSource, Severity
from aftersales.complaints.services import complaint_register, complaint_transition

from .. import factories as f
from ..timeutil import SH, frozen

# Monday 2 March 2026, 09:00 in Shanghai: a plain working day (no holiday around it).
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _default_configuration(db):
    """The response times and escalation levels of the data migration, also after a
    transactional test (a browser test) has flushed the tables in this worker."""
    from django.apps import apps

    migration = importlib.import_module("aftersales.complaints.migrations.0003_default_configuration")
    migration.create(apps, None)


@pytest.fixture
def quality(make_user):
    return make_user(Role.QUALITY, username="quality", email="quality@example.cn")


@pytest.fixture
def hq_supervisor(make_user):
    return make_user(Role.SUPERVISOR, username="hq_supervisor", email="boss@example.cn")


@pytest.fixture
def engineer(db):
    return f.EngineerFactory(user__username="eng", user__email="eng@example.cn")


@pytest.fixture
def work_order(engineer):
    device = f.DeviceFactory()
    return f.WorkOrderFactory(
        customer=device.customer,
        device=device,
        service_point=engineer.service_point,
        engineer=engineer,
        state="completed",
    )


@pytest.fixture
def register(agent):
    """Register a complaint through the service (on the work order unless told otherwise)."""

    def make(work_order=None, *, moment: datetime = MONDAY_9, actor=None, **kwargs):
        data = dict(
            source=ComplaintSource.HOTLINE,
            category=ComplaintCategory.ATTITUDE,
            severity=Severity.GENERAL,
            description="工程师态度恶劣",
        )
        data.update(kwargs)
        with frozen(moment):
            return complaint_register(work_order=work_order, actor=actor or agent, **data)

    return make


@pytest.fixture
def advance(quality, supervisor, agent, clerk):
    """Run the named steps on a complaint with an actor allowed to run each."""
    actors = {"accept": quality, "reject": quality, "analyse": quality, "handle": supervisor}
    actors |= {"feed_back": agent, "close": clerk}
    inputs = {
        "reject": {"note": "不属实"},
        "analyse": {"cause": "工程师未按规范沟通"},
        "handle": {"measures": "批评教育并培训"},
        "feed_back": {"feedback": "已处理，感谢您的反馈"},
    }

    def run(complaint, *steps: str):
        for step in steps:
            complaint = complaint_transition(
                complaint_id=complaint.pk, action=step, actor=actors[step], **inputs.get(step, {})
            )
        return complaint

    return run
