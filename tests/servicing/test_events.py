"""The servicing events on the work order's timeline are typed (R6, R8, R13, R14, R41): what
happened is stored as parameters and said when the timeline is shown, in the reader's language;
the note holds only what the user wrote."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation
from django.utils.translation import gettext

from aftersales.servicing.choices import ConfirmationMethod, SendOutReason
from aftersales.servicing.services import (
    depot_repair_inspect,
    depot_repair_log,
    depot_repair_receive,
    depot_repair_start,
    external_repair_follow_up_log,
    external_repair_remind,
    external_repair_send,
    plan_confirm,
    plan_create,
    plan_send,
    remote_session_solve,
    remote_session_start,
)
from aftersales.workorders.events import event_text, event_title
from tests.timeutil import frozen

pytestmark = pytest.mark.django_db


def timeline(order, kind: str) -> list[tuple[str, str, str]]:
    """(action, text, note) of the work order's events of `kind`, oldest first."""
    return [(e.action, event_text(e), e.note) for e in order.events.filter(kind=kind).order_by("pk")]


def test_r6_remote_service_says_how_and_the_outcome_is_the_note(order, eng):
    session = remote_session_start(work_order=order, actor=eng, method="phone", steps="指导客户重启")
    remote_session_solve(session_id=session.pk, actor=eng, result="重启后打印正常")
    assert timeline(order, "remote") == [
        ("remote_start", "Phone session started", "指导客户重启"),
        ("remote_solve", "Phone session: solved", "重启后打印正常"),
    ]
    solved = order.events.get(action="remote_solve")
    assert event_title(solved) == "Solved"  # the transition's label
    assert solved.params["method"] == {"msgid": "Phone"}  # a label is stored untranslated
    with translation.override("zh-hans"):
        assert gettext("Phone") in event_text(solved)


def test_r8_plan_events_name_the_version_the_channel_and_who_confirmed(order, eng):
    plan = plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1)
    plan_send(plan_id=plan.pk, actor=eng, sent_via="wechat")
    plan_confirm(
        plan_id=plan.pk, actor=eng, confirmed_by_name="李娜", confirmation_method=ConfirmationMethod.SIGNATURE
    )
    assert timeline(order, "plan") == [
        ("plan_create", "Service plan v1 drawn up", ""),
        ("plan_send", "Service plan v1 sent to the customer by WeChat", ""),
        ("plan_confirm", "Service plan v1 confirmed by 李娜 (Signature)", ""),
    ]


def test_r13_r14_repair_events(order, eng, vendor):
    repair = depot_repair_receive(work_order=order, actor=eng, accessories="电源线")
    depot_repair_inspect(
        repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准", fault_found="定影器过热"
    )
    depot_repair_start(repair_id=repair.pk, actor=eng)
    depot_repair_log(repair_id=repair.pk, actor=eng, work_done="更换定影组件", measurements="185°C")
    external = external_repair_send(
        repair_id=repair.pk,
        actor=eng,
        vendor=vendor,
        reason=SendOutReason.IN_WARRANTY,
        vendor_contact="陈工",
        voucher_number="QJ-7",
    )
    external_repair_follow_up_log(external_repair_id=external.pk, actor=eng, note="下周寄回")
    rows = timeline(order, "repair")
    number, due = repair.number, f"{external.expected_back_on:%Y-%m-%d}"
    assert rows == [
        ("depot_receive", f"Device taken in for depot repair, repair order {number}", "电源线"),
        ("depot_inspect", f"{number} inspected; warranty: In warranty", "定影器过热"),
        ("depot_start_repair", f"{number} · Inspected → Repairing", ""),
        ("depot_log", f"{number}: a line added to the repair process record", "更换定影组件 · 185°C"),
        ("depot_send_out", f"{number} · Repairing → At external vendor", ""),
        (
            "external_send",
            f"Sent to {vendor} (In warranty: repaired by the maker), voucher QJ-7, expected back on {due}",
            "",
        ),
        ("external_follow_up", f"{vendor} contacted about the device", "下周寄回"),
    ]
    later = external.sent_at + timedelta(days=9)
    with frozen(later):
        external_repair_remind(external_repair_id=external.pk, now=later)
    reminder = order.events.get(action="external_reminder")
    assert event_text(reminder).startswith(
        f"Follow-up 4: ask {vendor} (陈工, 021-64381234) about voucher QJ-7"
    )
    assert event_text(reminder).endswith("Overdue.") and reminder.note == "" and reminder.actor is None
