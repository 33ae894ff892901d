"""Demo data of complaints and difficult cases (`manage.py demo_seed`), through the services at
simulated past times: complaints in every state (one rejected, one still unanswered and overdue)
and three difficult cases (in progress, escalated to level 2, resolved). A complaint about a work
order comes after that work was completed; the hotline's complaint about nobody coming is from a
customer whose work is still waiting for an engineer; every step is in working hours.
Deterministic: the seed's rng and the demo's ordered rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from aftersales.accounts.models import User
from aftersales.core.demo import simulated_clock, working_after, working_moment
from aftersales.workorders.choices import State
from aftersales.workorders.demo import hands_on
from aftersales.workorders.models import WorkOrder

from .choices import ComplaintCategory, ComplaintSource, Severity
from .selectors import case_proposals
from .services import case_open, case_transition, complaint_register, complaint_transition

# (source, category, severity, description, steps run after registration, days ago)
COMPLAINTS = [
    (
        ComplaintSource.HOTLINE,
        ComplaintCategory.TIMELINESS,
        Severity.CRITICAL,
        "客户来电投诉：报修三天仍无人上门，生产线停工，要求立即处理",
        (),
        0.1,
    ),
    (
        ComplaintSource.RETURN_VISIT,
        ComplaintCategory.ATTITUDE,
        Severity.GENERAL,
        "回访时客户反映工程师上门时态度冷淡，未解释故障原因",
        (),
        6,
    ),
    (
        ComplaintSource.HOTLINE,
        ComplaintCategory.CHARGES,
        Severity.SERIOUS,
        "客户认为上门费收取过高，与报价不一致",
        ("accept",),
        4,
    ),
    (
        ComplaintSource.PORTAL,
        ComplaintCategory.QUALITY,
        Severity.SERIOUS,
        "维修后一周内同一故障再次出现",
        ("accept", "analyse"),
        8,
    ),
    (
        ComplaintSource.HOTLINE,
        ComplaintCategory.PARTS,
        Severity.GENERAL,
        "更换的硒鼓不是原装配件，打印有条纹",
        ("accept", "analyse", "handle"),
        12,
    ),
    (
        ComplaintSource.RETURN_VISIT,
        ComplaintCategory.TIMELINESS,
        Severity.GENERAL,
        "预约上门时间一再推迟，客户多次等待",
        ("accept", "analyse", "handle", "feed_back"),
        15,
    ),
    (
        ComplaintSource.HOTLINE,
        ComplaintCategory.QUALITY,
        Severity.CRITICAL,
        "设备返修两次仍无法正常使用，客户要求更换整机",
        ("accept", "analyse", "handle", "feed_back", "close"),
        25,
    ),
    (
        ComplaintSource.OTHER,
        ComplaintCategory.OTHER,
        Severity.GENERAL,
        "客户投诉未收到发票，经核实发票已于次日寄出并签收",
        ("reject",),
        20,
    ),
]
STEP_TEXT = {
    "accept": {"note": "经核实投诉属实、合理，予以受理"},
    "reject": {"note": "经核实快递签收记录，发票已送达，投诉不成立", "is_authentic": False},
    "analyse": {"cause": "网点派工排程不合理，工程师对故障判断不足，未按规范使用原装配件"},
    "handle": {"measures": "免除本次上门费，安排高级工程师复检并更换原装配件；对相关工程师进行服务规范培训"},
    "feed_back": {"feedback": "您好，您的投诉已处理：已免除上门费并安排高级工程师复检，感谢您的监督。"},
    "close": {},
}
STEP_ACTOR = {
    "accept": "quality",
    "reject": "quality",
    "analyse": "quality",
    "handle": "supervisor",
    "feed_back": "agent",
    "close": "clerk",
}


def demo_seed(*, rng: random.Random, now: datetime) -> None:
    users = {
        user.username: user for user in User.objects.filter(username__in=[*STEP_ACTOR.values(), "clerk"])
    }
    if len(users) < len(set(STEP_ACTOR.values())):
        return  # not the demo company
    orders = list(
        WorkOrder.objects.filter(hands_on(), state=State.COMPLETED, engineer__isnull=False)
        .select_related("engineer__user", "customer")
        .order_by("pk")[:40]
    )
    if len(orders) < len(COMPLAINTS):
        return
    shuffled = rng.sample(orders, k=len(orders))
    waiting = (
        WorkOrder.objects.filter(state__in=[State.ACCEPTED, State.ASSIGNED])
        .select_related("customer")
        .order_by("created_at")
        .first()
    )
    for index, (source, category, severity, text, steps, days) in enumerate(COMPLAINTS):
        # The first one comes from the hotline about no particular work order: nobody came yet.
        at = working_moment(now - timedelta(days=days), not_after=now)
        work_order = None
        if index:  # about work completed before the complaint came in
            earliest = min(shuffled, key=lambda wo: wo.completed_at)
            work_order = next((wo for wo in shuffled if wo.completed_at < at), earliest)
            shuffled.remove(work_order)
            if work_order.completed_at >= at:  # (none was: right after this one)
                at = working_after(work_order.completed_at, rng.uniform(2, 20), not_after=now)
        with simulated_clock(at):
            complaint = complaint_register(
                work_order=work_order,
                customer=None if work_order else (waiting or orders[0]).customer,
                source=source,
                category=category,
                severity=severity,
                description=text,
                actor=users["agent"],
                people=[work_order.engineer.user] if work_order else [],
            )
        for step in steps:
            at = working_after(at, rng.uniform(1, 20), not_after=now)
            with simulated_clock(at):
                complaint_transition(
                    complaint_id=complaint.pk, action=step, actor=users[STEP_ACTOR[step]], **STEP_TEXT[step]
                )
    _cases(users, now)


def _cases(users: dict[str, User], now: datetime) -> None:
    """Three proposals become cases: one in progress, one escalated to level 2, one resolved."""
    clerk, supervisor = users["clerk"], users["supervisor"]
    for index, work_order in enumerate(list(case_proposals(supervisor)[:3])):
        at = working_moment(now - timedelta(days=3 - index), not_after=now)
        with simulated_clock(at):
            case = case_open(work_order=work_order, handler=clerk, actor=supervisor)
        with simulated_clock(working_after(at, 1, not_after=now)):
            case_transition(case_id=case.pk, action="start", actor=clerk)
        with simulated_clock(working_after(at, 3, not_after=now)):
            case_transition(
                case_id=case.pk,
                action="record",
                actor=clerk,
                note="已联系客户了解故障详情，安排工程师远程诊断",
            )
        if index >= 1:
            with simulated_clock(working_after(at, 6, not_after=now)):
                case_transition(
                    case_id=case.pk,
                    action="escalate",
                    actor=clerk,
                    handler=supervisor,
                    note="远程诊断后判断需更换主板，超出网点权限，升级至服务中心主管",
                )
        if index == 2:
            with simulated_clock(working_after(at, 30, not_after=now)):
                case_transition(
                    case_id=case.pk,
                    action="resolve",
                    actor=supervisor,
                    result="更换主板并由高级工程师现场调试，设备恢复正常，客户确认",
                )
