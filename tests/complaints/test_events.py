"""Complaint and case steps on the work order's timeline are typed (R26, R27, R41): their
parameters are stored and said when shown, in the reader's language; the note holds only what the
user wrote. The complaint's and the case's own histories keep every step too."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from aftersales.complaints.choices import Severity
from aftersales.complaints.services import (
    case_open,
    case_transition,
    complaint_response_check,
    complaint_transition,
)
from aftersales.workorders.events import event_text, event_title
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db


def timeline(work_order, kind: str) -> list[tuple[str, str, str]]:
    return [(e.action, event_text(e), e.note) for e in work_order.events.filter(kind=kind).order_by("pk")]


def test_r26_complaint_steps_on_the_timeline(register, work_order, quality):
    complaint = register(work_order, severity=Severity.SERIOUS)
    complaint_transition(complaint_id=complaint.pk, action="accept", actor=quality, note="经核实属实")
    complaint_transition(complaint_id=complaint.pk, action="analyse", actor=quality, cause="派工延误")
    number = complaint.number
    assert timeline(work_order, "complaint") == [
        ("register", f"{number} · Service attitude · Serious · response due 2026-03-02 18:00", ""),
        ("accept", f"{number} · Registered → Accepted", "经核实属实"),
        ("analyse", f"{number} · Accepted → Cause analysed", "派工延误"),
    ]
    accepted = work_order.events.get(kind="complaint", action="accept")
    assert event_title(accepted) == "Accept"
    registered = work_order.events.get(kind="complaint", action="register")
    assert registered.params["severity"] == {"msgid": "Serious"}
    with translation.override("zh-hans"):
        assert gettext("Serious") in event_text(registered)


def test_r26_response_alerts_on_the_timeline_are_the_systems(register, work_order, quality, hq_supervisor):
    complaint = register(work_order, severity=Severity.CRITICAL)
    with frozen(at(2026, 3, 2, 12, 30)):
        complaint_response_check()
    with frozen(at(2026, 3, 2, 14, 5)):
        complaint_response_check()
    alerts = work_order.events.filter(kind="complaint", action__in=["warn", "escalate"]).order_by("pk")
    assert [(e.action, e.actor, e.note) for e in alerts] == [("warn", None, ""), ("escalate", None, "")]
    assert [event_text(e) for e in alerts] == [
        f"{complaint.number}: the response is due 2026-03-02 14:00; the assessors were warned",
        f"{complaint.number}: no response by 2026-03-02 14:00; escalated to the supervisors",
    ]


def test_r27_case_steps_name_the_level_and_the_handler(register, work_order, clerk, supervisor):
    register(work_order)
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="重点客户")
    case_transition(case_id=case.pk, action="start", actor=clerk)
    case_transition(case_id=case.pk, action="escalate", actor=clerk, handler=supervisor, note="需更换主板")
    clerk_name, supervisor_name = clerk.display_name, supervisor.display_name
    assert timeline(work_order, "case") == [
        (
            "open",
            f"{case.number} opened at level 1, handled by {clerk_name}; criteria met: Complaint linked",
            "重点客户",
        ),
        ("start", f"{case.number} · level 1 · {clerk_name}", ""),
        ("escalate", f"{case.number} · level 2 · {supervisor_name}", "需更换主板"),
    ]
    assert event_title(work_order.events.get(kind="case", action="escalate")) == "Escalate to the next level"
