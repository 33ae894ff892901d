"""Demo returns and exchanges (`manage.py demo_seed`, R33): requests in every state, drawn up by
customer service from work orders with a device (their customer, model, serial number), made
through the services under a clock placed in the past, so their steps, the customer's messages,
the returned part in a defective location and an overdue follow-up look as in real use. One was
allowed outside the time limit by a supervisor's exception; one draft breaks the rules. The work
orders are those asking for a return or exchange first, then others that went ahead (never a
cancelled one); every step is in working hours.

Deterministic: the seed's `rng`, work orders in number order."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Case, IntegerField, Q, Value, When

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.catalog.models import Part
from aftersales.core.demo import simulated_clock, working_after, working_moment
from aftersales.workorders.choices import State, WorkOrderType
from aftersales.workorders.models import WorkOrder

from .choices import InspectionResult, ItemCondition, RefundMethod, ReturnKind, ReturnReason
from .services import return_create, return_transition

# (kind, the last step, days ago it started, reason, what the customer says, condition)
SCENARIOS = (
    (
        ReturnKind.RETURN,
        "draft",
        1,
        ReturnReason.CHANGED_MIND,
        "客户购买后发现型号不适合办公室使用",
        ItemCondition.UNOPENED,
    ),
    (
        ReturnKind.EXCHANGE,
        "draft_outside",
        2,
        ReturnReason.QUALITY,
        "使用一个月后频繁卡纸",
        ItemCondition.USED,
    ),
    (
        ReturnKind.RETURN,
        "submit",
        2,
        ReturnReason.DEAD_ON_ARRIVAL,
        "开箱后无法开机，电源指示灯不亮",
        ItemCondition.LIKE_NEW,
    ),
    (
        ReturnKind.EXCHANGE,
        "approve",
        3,
        ReturnReason.QUALITY,
        "打印有横纹，更换硒鼓后仍存在",
        ItemCondition.LIKE_NEW,
    ),
    (
        ReturnKind.RETURN,
        "refuse",
        4,
        ReturnReason.QUALITY,
        "外壳开裂，客户称运输所致",
        ItemCondition.UNOPENED,
    ),
    (
        ReturnKind.EXCHANGE,
        "pickup",
        4,
        ReturnReason.WRONG_ITEM,
        "发来的是黑白机型，订购的是彩色机型",
        ItemCondition.UNOPENED,
    ),
    (
        ReturnKind.RETURN,
        "receive",
        5,
        ReturnReason.DEAD_ON_ARRIVAL,
        "通电后定影器报错 E-302",
        ItemCondition.LIKE_NEW,
    ),
    (
        ReturnKind.RETURN,
        "refund",
        12,
        ReturnReason.NOT_AS_DESCRIBED,
        "不支持双面打印，与宣传不符",
        ItemCondition.LIKE_NEW,
    ),
    (
        ReturnKind.EXCHANGE,
        "ship_replacement",
        6,
        ReturnReason.QUALITY,
        "扫描仪无法识别原稿",
        ItemCondition.USED,
    ),
    (
        ReturnKind.EXCHANGE,
        "deliver",
        7,
        ReturnReason.REPEATED_FAILURE,
        "三次维修后仍然卡纸",
        ItemCondition.USED,
    ),
    (
        ReturnKind.RETURN,
        "follow_up",
        9,
        ReturnReason.CHANGED_MIND,
        "公司采购计划取消",
        ItemCondition.UNOPENED,
    ),
    (
        ReturnKind.EXCHANGE,
        "close_exception",
        30,
        ReturnReason.REPEATED_FAILURE,
        "保修期内多次维修，客户要求换新",
        ItemCondition.USED,
    ),
    (
        ReturnKind.RETURN,
        "close",
        20,
        ReturnReason.DEAD_ON_ARRIVAL,
        "到货即损坏，无法进纸",
        ItemCondition.LIKE_NEW,
    ),
    (ReturnKind.RETURN, "cancel", 3, ReturnReason.OTHER, "客户已自行解决", ItemCondition.UNOPENED),
)
# The steps in order; a scenario runs them up to its own.
RETURN_STEPS = ("submit", "approve", "pickup", "receive", "refund", "follow_up", "close")
EXCHANGE_STEPS = (
    "submit",
    "approve",
    "pickup",
    "receive",
    "ship_replacement",
    "deliver",
    "follow_up",
    "close",
)
CARRIERS = (("顺丰速运", "SF"), ("京东物流", "JD"), ("中通快递", "ZT"))


def _user(username: str, role: str) -> User:
    found = User.objects.filter(username=username).first()
    return found or User.objects.filter(role=role, is_active=True, dealer__isnull=True).order_by("pk").first()


def seed(*, rng: random.Random, now: datetime) -> None:
    agent = _user("agent", Role.AGENT)
    people = {
        "requester": agent,
        "reviewer": _user("clerk", Role.CLERK),
        "supervisor": _user("supervisor", Role.SUPERVISOR),
        "logistics": _user("parts", Role.PARTS_CLERK),
        "finance": _user("finance", Role.FINANCE),
        "service": agent,
    }
    if any(user is None for user in people.values()):
        return
    asked_for_it = When(type=WorkOrderType.RETURN_EXCHANGE, then=Value(0))
    work_orders = list(
        WorkOrder.objects.filter(device__isnull=False)
        .exclude(state=State.CANCELLED)
        .annotate(asked_first=Case(asked_for_it, default=Value(1), output_field=IntegerField()))
        .order_by("asked_first", "number")
        .select_related("customer", "device__product_model", "service_point", "engineer__user")[
            : 3
            * len(
                SCENARIOS
            )  # room to find work raised before each request
        ]
    )
    part = Part.objects.filter(Q(is_active=True)).order_by("number").first()
    for kind, last, days, reason, text, condition in SCENARIOS:
        if not work_orders:
            return
        start = working_moment(now - timedelta(days=days), not_after=now)
        # A work order raised before the request, else the next one (a small demo may have none).
        work_order = next((wo for wo in work_orders if wo.created_at <= start), work_orders[0])
        work_orders.remove(work_order)
        _scenario(
            kind=kind,
            last=last,
            start=start,
            now=now,
            reason=reason,
            text=text,
            condition=condition,
            work_order=work_order,
            part=part,
            people=people,
            rng=rng,
        )


def _scenario(*, kind, last, start, now, reason, text, condition, work_order, part, people, rng) -> None:
    outside = last in ("draft_outside", "close_exception")
    bought = (start - timedelta(days=40 if outside else 3)).date()
    with simulated_clock(start):
        request = return_create(
            actor=people["requester"],
            kind=kind,
            reason=reason,
            reason_text=text,
            condition=condition,
            condition_note="包装完好，配件齐全" if condition != ItemCondition.USED else "有正常使用痕迹",
            work_order=work_order,
            purchase_date=bought,
            proof_of_purchase=f"FP{bought:%Y%m%d}{rng.randrange(1000, 9999)}",
        )
    if last in ("draft", "draft_outside"):
        return
    moment = start
    if last == "close_exception":
        moment = working_after(moment, 1, not_after=now)
        with simulated_clock(moment):
            return_transition(
                request_id=request.pk,
                action="grant_exception",
                actor=people["supervisor"],
                reason="老客户，保修期内三次维修未解决，特批换新",
            )
    if last == "cancel":
        moment = working_after(moment, 2, not_after=now)
        with simulated_clock(moment):
            return_transition(
                request_id=request.pk, action="cancel", actor=people["requester"], reason="客户来电撤回申请"
            )
        return
    steps = EXCHANGE_STEPS if kind == ReturnKind.EXCHANGE else RETURN_STEPS
    target = {"refuse": "approve", "close_exception": "close"}.get(last, last)
    carrier, prefix = CARRIERS[rng.randrange(len(CARRIERS))]
    for step in steps:
        moment = working_after(moment, rng.randrange(4, 20), not_after=now)
        if step == "approve" and last == "refuse":
            with simulated_clock(moment):
                return_transition(
                    request_id=request.pk,
                    action="refuse",
                    actor=people["reviewer"],
                    reason="经核实外壳损坏为人为造成，不符合退货条件",
                )
            return
        actor, inputs = _step(step, request, carrier, prefix, part, people, rng)
        with simulated_clock(moment):
            return_transition(request_id=request.pk, action=step, actor=actor, **inputs)
        if step == target:
            return


def _step(step: str, request, carrier: str, prefix: str, part, people, rng) -> tuple[User, dict]:
    tracking = f"{prefix}{rng.randrange(10**11, 10**12)}"
    if step == "submit":
        return people["requester"], {}
    if step == "approve":
        return people["reviewer"], {"note": "符合退换货规则，同意"}
    if step == "pickup":
        return people["logistics"], {"carrier": carrier, "tracking_number": tracking}
    if step == "receive":
        inputs = {
            "inspection_result": InspectionResult.AS_DESCRIBED,
            "inspection_note": "故障属实，外观与描述一致",
        }
        if part is not None and request.kind == ReturnKind.RETURN:
            inputs.update(part=part, quantity=1)
        return people["logistics"], inputs
    if step == "refund":
        amount = f"{rng.choice((1280, 1599, 2380, 899))}.00"
        return people["finance"], {
            "refund_amount": amount,
            "refund_method": RefundMethod.ORIGINAL,
            "refund_reference": f"TK{rng.randrange(10**9, 10**10)}",
        }
    if step == "ship_replacement":
        return people["logistics"], {
            "carrier": carrier,
            "tracking_number": tracking,
            "replacement_serial_number": f"CN{rng.randrange(10**8, 10**9)}",
        }
    if step == "deliver":
        return people["logistics"], {"note": "客户已签收"}
    if step == "follow_up":
        return people["service"], {"note": "电话回访：客户对处理结果满意"}
    return people["service"], {"note": "处理完毕"}
