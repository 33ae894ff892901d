"""A return-visit world: a service point with an engineer, the people who call customers, and
helpers that move work orders through the lifecycle at a frozen time (R22-R25)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

import pytest

from aftersales.accounts.choices import Role
from aftersales.workorders.services import workorder_transition

from .. import factories as f
from ..timeutil import SH, frozen

# Wednesday before the 2026 National Day holidays (1-7 October; Saturday 10 October is worked).
BEFORE_NATIONAL_DAY = datetime(2026, 9, 30, 15, 0, tzinfo=SH)


@pytest.fixture
def quality(make_user):
    return make_user(
        Role.QUALITY,
        username="quality",
        last_name="郭",
        first_name="明辉",
        email="quality@aftersales.example.cn",
    )


@pytest.fixture
def point(db):
    return f.ServicePointFactory(name="上海浦东服务网点")


@pytest.fixture
def engineer(point):
    return f.EngineerFactory(
        service_point=point, user__username="engineer", user__last_name="赵", user__first_name="工"
    )


ACTORS = {"accept": "agent", "assign": "dispatcher", "close": "agent", "reopen": "agent"}


@pytest.fixture
def run(agent, dispatcher, engineer):
    """Move a work order through transitions at `when` (default: now), each as the role that does
    it (agent, dispatcher, else its engineer); "assign" picks `engineer` (default: the fixture's).
    Returns the work order as it is afterwards."""
    people = {"agent": agent, "dispatcher": dispatcher}

    def move(work_order, *actions, when: datetime | None = None, actor=None, **kwargs):
        for action in actions:
            extra = dict(kwargs)
            if action == "assign":
                extra.setdefault("engineer", engineer)
            else:
                extra.pop("engineer", None)
            if action == "complete":
                extra.setdefault("resolution", "更换搓纸轮，测试打印正常")
            who = actor or people.get(ACTORS.get(action, "")) or work_order.engineer.user
            with frozen(when) if when else nullcontext():
                work_order = workorder_transition(
                    work_order_id=work_order.pk, action=action, actor=who, **extra
                )
        return work_order

    return move


@pytest.fixture
def completed(point, engineer, run, quality):
    """A repair completed at `when` (default: before National Day 2026) by `by` (default: the
    fixture's engineer), at that engineer's service point."""

    def make(when: datetime = BEFORE_NATIONAL_DAY, by=None, **fields):
        by = by or engineer
        work_order = f.WorkOrderFactory(service_point=by.service_point, **fields)
        return run(work_order, "accept", "assign", "start", "complete", when=when, engineer=by)

    return make
