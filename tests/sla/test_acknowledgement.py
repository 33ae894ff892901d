"""R3: the acknowledgement promises the next feedback by the first-response due time of the work
order's SLA clock (policy and working calendar), not a flat 24 hours; without a clock, or when
that time has passed, it promises the default 24 hours from now."""

from __future__ import annotations

import re

import pytest

from aftersales.notifications.models import Message
from aftersales.sla.models import SlaPolicy
from aftersales.workorders.events import event_text
from tests.timeutil import at

from .helpers import FIRST, clock, create, move

pytestmark = pytest.mark.django_db


def acknowledgement(work_order) -> str:
    """The SMS body; the timeline says the same number and promised time (in the reader's language)."""
    (sms,) = Message.objects.filter(idempotency_key=f"ack:{work_order.number}:sms")
    event = work_order.events.get(kind="notification", action="acknowledgement")
    promised = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", sms.body).group()
    assert work_order.number in event_text(event) and promised in event_text(event)
    return sms.body


def test_r3_the_acknowledgement_promises_the_first_response_due_time(people):
    # Friday 30 October 2026, 16:00: 2 h that day, Monday and Tuesday 8 h each, 6 h on Wednesday.
    work_order = create(people, at(2026, 10, 30, 16))
    assert clock(work_order, FIRST).due_at == at(2026, 11, 4, 16)

    move(people, work_order, "accept", at(2026, 11, 2, 10))

    body = acknowledgement(work_order)
    assert work_order.number in body
    assert "2026-11-04 16:00" in body
    assert "2026-11-03 10:00" not in body  # not a flat 24 hours from acceptance


def test_r3_without_a_clock_the_default_24_hours_are_promised(people):
    SlaPolicy.objects.update(is_active=False)
    work_order = create(people, at(2026, 10, 30, 16))
    assert not work_order.sla_clocks.exists()

    move(people, work_order, "accept", at(2026, 11, 2, 10))

    assert "2026-11-03 10:00" in acknowledgement(work_order)


def test_r3_a_first_response_already_overdue_promises_the_default(people):
    work_order = create(people, at(2026, 10, 30, 16))

    move(people, work_order, "accept", at(2026, 11, 5, 9))  # due was Wednesday 16:00

    assert "2026-11-06 09:00" in acknowledgement(work_order)
