"""Demo servicing records (`manage.py demo_seed`): four Chinese repair vendors, remote sessions,
service plans in every state (drafts and sent plans that keep work from starting, confirmed ones
before the work started, a rejected one revised), depot repairs at every step, and devices at
vendors (one overdue, followed up by the scheduled reminders) or back from them.

Only work handled on site gets plans with parts and repairs, and a device with a visit booked stays
with its customer; solved remote sessions are on work handled remotely (`workorders.demo`).
Deterministic (the seed's `rng`, work orders taken in number order) and fast (a few dozen
records), through the services under a simulated clock placed in the work orders' own past, in
working hours."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductLine
from aftersales.core.demo import simulated_clock, working_after, working_moment
from aftersales.devices.models import WarrantyPolicy
from aftersales.workorders.choices import State
from aftersales.workorders.demo import handled_remotely, hands_on
from aftersales.workorders.models import WorkOrder

from .choices import ConfirmationMethod, FeeBasis, RemoteMethod, SendOutReason
from .models import Vendor
from .selectors import vendors_for
from .services import (
    depot_repair_hand_back,
    depot_repair_inspect,
    depot_repair_log,
    depot_repair_receive,
    depot_repair_recheck,
    depot_repair_start,
    external_repair_complete,
    external_repair_follow_up_log,
    external_repair_receive,
    external_repair_recheck,
    external_repair_send,
    external_repairs_remind_due,
    plan_confirm,
    plan_create,
    plan_reject,
    plan_revise,
    plan_send,
    remote_session_escalate,
    remote_session_solve,
    remote_session_start,
)
from .warranty import warranty_check

# name, contact, phone, address, product-line codes (empty: every line), lead time in days
VENDORS = [
    ("上海精修电子设备维修中心", "陈建国", "021-64381234", "上海市徐汇区漕溪北路 88 号", ("PRN", "COP"), 5),
    ("深圳华强北电子维修站", "王立新", "0755-83216688", "深圳市福田区华强北路 1002 号", (), 7),
    (
        "北京中关村办公设备维修服务部",
        "刘洋",
        "010-62568899",
        "北京市海淀区中关村大街 27 号",
        ("PRN", "SCN"),
        6,
    ),
    (
        "苏州工业园区原厂授权维修中心",
        "周敏",
        "0512-62881234",
        "苏州工业园区星湖街 328 号",
        ("PRN", "COP", "SCN"),
        10,
    ),
]
REMOTE_STEPS = [
    "电话指导客户关机重启，清除打印队列后重新安装驱动",
    "远程桌面检查打印服务，发现端口配置错误并修正",
    "邮件发送固件升级步骤，客户按步骤升级",
    "电话指导客户取出卡纸并清洁搓纸轮",
]
SOLVED = ["客户确认打印恢复正常", "故障排除，试打印正常", "升级后故障消失"]
ESCALATED = ["需更换定影组件，远程无法处理，转上门服务", "疑似主板故障，需工程师现场检测"]
MEASURES = [
    ("更换定影组件并清洁进纸通道，试打印 50 页", "定影组件 ×1", "万用表、清洁套装", Decimal("2.0")),
    ("清洁激光器，校准打印浓度", "", "清洁套装", Decimal("1.0")),
    ("更换搓纸轮，调整纸盒导板", "搓纸轮 ×2", "螺丝刀套装", Decimal("1.5")),
    ("检测主板供电，必要时更换主板排线", "主板排线 ×1", "万用表、示波器", Decimal("3.0")),
]
APPEARANCE = ["外壳完好，无明显划痕", "左侧面板有轻微划痕，前盖卡扣缺损", "机身有灰尘，出纸托盘断裂"]
CONFIGURATION = ["标准配置，带双面器和网络模块", "标准配置，附电源线、USB 线", "带第二纸盒，无网络模块"]
WORK = [
    ("拆机检查定影组件", "定影温度 150°C（偏低）"),
    ("更换定影组件", "定影温度 185°C"),
    ("清洁进纸通道，连续打印 50 页测试", "无卡纸"),
    ("测量主板供电电压", "5V / 24V 正常"),
]


def _clock(start: datetime, limit: datetime, rng: random.Random) -> Iterator[datetime]:
    """Working moments a few hours apart from `start`, in order, never later than `limit`."""
    moment = working_moment(start, not_after=limit)
    while True:
        moment = working_after(moment, rng.uniform(0.5, 6), not_after=limit)
        yield moment


def _transition_at(work_order: WorkOrder, action: str, fallback: datetime) -> datetime:
    """When the work order last went through `action` (`fallback` when it never did)."""
    event = work_order.events.filter(kind="transition", action=action).order_by("-created_at").first()
    return event.created_at if event else fallback


def _started_at(work_order: WorkOrder, fallback: datetime) -> datetime:
    return _transition_at(work_order, "start", fallback)


def _vendors() -> list[Vendor]:
    lines = {line.code: line for line in ProductLine.objects.all()}
    vendors = []
    for name, contact, phone, address, codes, lead in VENDORS:
        vendor = Vendor(name=name, contact_name=contact, phone=phone, address=address, lead_time_days=lead)
        vendor.full_clean()
        vendor.save()
        vendor.product_lines.set([lines[code] for code in codes if code in lines])
        vendors.append(vendor)
    return vendors


def _warranty_policies() -> None:
    """R36: the whole range has the standard cover; printers cover wear parts for 18 months, and
    one printer model 24 months with travel."""
    WarrantyPolicy.objects.create(name="整机标准保修（不含易损件、耗材、差旅）")
    printers = ProductLine.objects.filter(code="PRN").first()
    if printers is None:
        return
    WarrantyPolicy.objects.create(
        name="打印机保修18个月（含易损件）", product_line=printers, months=18, covers_wear_parts=True
    )
    model = printers.models.order_by("code").first()
    if model is not None:
        WarrantyPolicy.objects.create(
            name=f"{model.code} 保修24个月（含易损件、差旅）",
            product_model=model,
            months=24,
            covers_travel=True,
            covers_wear_parts=True,
        )


def _orders(
    state: str, *, count: int, exclude: set[int], handling: Q | None = None, unbooked: bool = False, **filters
) -> list[WorkOrder]:
    """The first `count` work orders in `state` (number order) not used yet, handled on site
    unless `handling` says otherwise; `unbooked`: with no visit booked (a device that goes to the
    depot cannot be visited)."""
    rows = WorkOrder.objects.filter(hands_on() if handling is None else handling, state=state, **filters)
    if unbooked:
        rows = rows.exclude(appointments__state="booked")
    rows = (
        rows.exclude(pk__in=exclude)
        .select_related("engineer__user", "customer", "device__product_model", "product_model")
        .order_by("number")[:count]
    )
    chosen = list(rows)
    exclude.update(wo.pk for wo in chosen)
    return chosen


def seed(*, rng: random.Random, now: datetime) -> None:
    agent = User.objects.get(username="agent")
    _vendors()
    _warranty_policies()
    used: set[int] = set()
    _repairs(rng, now, agent, used)
    _plans(rng, now, agent, used)
    _remote_sessions(rng, now, User.objects.get(username="supervisor"), used)
    external_repairs_remind_due(now=now)


def _remote_sessions(rng: random.Random, now: datetime, support: User, used: set[int]) -> None:
    """Remote service first (R6), by HQ technical support before an engineer is assigned."""
    methods = list(RemoteMethod.values)
    # Solved and still in progress: work handled remotely; escalated: work that needs a visit.
    remote = _orders(State.ACCEPTED, count=2, exclude=used, handling=handled_remotely())
    on_site = _orders(State.ACCEPTED, count=1, exclude=used)
    for index, work_order in enumerate([*remote[:1], *on_site, *remote[1:]]):
        actor = support
        clock = _clock(work_order.accepted_at or now - timedelta(days=1), now - timedelta(minutes=5), rng)
        with simulated_clock(next(clock)):
            session = remote_session_start(
                work_order=work_order, actor=actor, method=methods[index % 3], steps=rng.choice(REMOTE_STEPS)
            )
        if index == 2:
            continue  # one still in progress
        with simulated_clock(next(clock)):
            if index == 1:
                remote_session_escalate(session_id=session.pk, actor=actor, result=rng.choice(ESCALATED))
            else:
                remote_session_solve(session_id=session.pk, actor=actor, result=rng.choice(SOLVED))


def _content(rng: random.Random, *, fees: bool) -> dict:
    measures, parts, tools, hours = rng.choice(MEASURES)
    content = {
        "measures": measures,
        "parts": parts,
        "tools": tools,
        "estimated_hours": hours,
        "fees_apply": fees,
    }
    if fees:
        content["fee_basis"] = rng.choice([FeeBasis.OUT_OF_WARRANTY, FeeBasis.WEAR_PARTS])
        content["fee_note"] = "按公司收费标准收取人工费及配件费，报价单另行确认"
    return content


def _plans(rng: random.Random, now: datetime, agent: User, used: set[int]) -> None:
    # Waiting for the customer: work cannot start yet (R8).
    assigned = _orders(
        State.ASSIGNED,
        count=4,
        exclude=used,
        engineer__isnull=False,
    )
    # The demo engineer's visits today stay startable: no unconfirmed plan on their work.
    assigned = [wo for wo in assigned if wo.engineer.user.username != "engineer"]
    for index, work_order in enumerate(assigned):
        actor = work_order.engineer.user
        assigned = _transition_at(work_order, "assign", now)
        clock = _clock(
            max(now - timedelta(hours=rng.uniform(6, 30)), assigned), now - timedelta(minutes=5), rng
        )
        with simulated_clock(next(clock)):
            plan = plan_create(work_order=work_order, actor=actor, **_content(rng, fees=index % 2 == 0))
        if index == 0:
            continue  # still a draft
        with simulated_clock(next(clock)):
            plan = plan_send(plan_id=plan.pk, actor=agent)
        if index == 1:  # rejected, revised once (no approval needed), sent again
            with simulated_clock(next(clock)):
                plan_reject(plan_id=plan.pk, actor=agent, reason="客户认为费用偏高，希望先只做清洁保养")
            with simulated_clock(next(clock)):
                revised = plan_revise(
                    plan_id=plan.pk, actor=actor, reason="按客户要求只做清洁保养", **_content(rng, fees=False)
                )
            with simulated_clock(next(clock)):
                plan_send(plan_id=revised.pk, actor=agent, sent_via="wechat")
    # Confirmed before the work started.
    for work_order in _orders(State.IN_SERVICE, count=2, exclude=used, engineer__isnull=False):
        started = _started_at(work_order, now - timedelta(days=1))
        assigned = _transition_at(work_order, "assign", started)
        clock = _clock(max(started - timedelta(hours=8), assigned), started - timedelta(minutes=10), rng)
        with simulated_clock(next(clock)):
            plan = plan_create(
                work_order=work_order, actor=work_order.engineer.user, **_content(rng, fees=True)
            )
        with simulated_clock(next(clock)):
            plan_send(plan_id=plan.pk, actor=agent)
        with simulated_clock(next(clock)):
            plan_confirm(
                plan_id=plan.pk,
                actor=agent,
                confirmed_by_name=work_order.contact_name,
                confirmation_method=rng.choice(ConfirmationMethod.values),
            )


def _repairs(rng: random.Random, now: datetime, agent: User, used: set[int]) -> None:
    """Depot repairs at each step: devices received or inspected while the work order waits (for
    parts), repairing, handed back, and three sent out to vendors (one overdue, one back)."""
    in_service = _orders(
        State.IN_SERVICE, count=5, exclude=used, unbooked=True, engineer__isnull=False, device__isnull=False
    )
    in_service.sort(key=lambda wo: _started_at(wo, now))  # the longest in service is the one overdue
    waiting = _orders(
        State.WAITING, count=2, exclude=used, unbooked=True, engineer__isnull=False, device__isnull=False
    )
    plan = [
        *zip(["overdue", "repairing", "handed_back", "at_vendor", "back"], in_service, strict=False),
        *zip(["received", "inspected"], waiting, strict=False),
    ]
    for step, work_order in plan:
        actor = work_order.engineer.user
        start = now - timedelta(days=14 if step == "overdue" else rng.uniform(1, 4))
        clock = _clock(max(start, _started_at(work_order, start)), now - timedelta(minutes=5), rng)
        with simulated_clock(next(clock)):
            repair = depot_repair_receive(work_order=work_order, actor=agent, accessories="电源线、硒鼓")
        if step == "received":
            continue
        with simulated_clock(next(clock)):
            depot_repair_inspect(
                repair_id=repair.pk,
                actor=actor,
                appearance=rng.choice(APPEARANCE),
                configuration=rng.choice(CONFIGURATION),
                fault_found=work_order.fault_symptom[:200],
            )
        if step == "inspected":
            continue
        with simulated_clock(next(clock)):
            depot_repair_start(repair_id=repair.pk, actor=actor)
        for work_done, measured in rng.sample(WORK, 2):
            with simulated_clock(next(clock)):
                depot_repair_log(repair_id=repair.pk, actor=actor, work_done=work_done, measurements=measured)
        if step == "repairing":
            continue
        if step == "handed_back":
            with simulated_clock(next(clock)):
                depot_repair_recheck(repair_id=repair.pk, actor=actor, result="连续打印 100 页无异常")
            with simulated_clock(next(clock)):
                depot_repair_hand_back(
                    repair_id=repair.pk,
                    actor=agent,
                    handed_back_to=work_order.contact_name,
                    confirmation_method=ConfirmationMethod.SIGNATURE,
                )
            continue
        _send_out(rng, clock, repair, work_order, actor, step)


def _send_out(rng, clock, repair, work_order: WorkOrder, actor: User, step: str) -> None:
    vendors = list(vendors_for(work_order).order_by("name"))
    reason = SendOutReason.IN_WARRANTY if warranty_check(work_order).is_in else SendOutReason.BEYOND_LOCAL
    with simulated_clock(next(clock)):
        external = external_repair_send(
            repair_id=repair.pk,
            actor=actor,
            vendor=rng.choice(vendors),
            reason=reason,
            vendor_contact=rng.choice(["陈工", "王经理", "刘师傅"]),
            voucher_number=f"QJ{timezone.localtime(timezone.now()):%Y%m%d}-{repair.pk:03d}",
        )
    if step == "at_vendor":
        return
    with simulated_clock(next(clock)):
        external_repair_follow_up_log(
            external_repair_id=external.pk, actor=actor, note="供应商称配件在途，预计下周寄回"
        )
    if step == "overdue":
        return
    with simulated_clock(next(clock)):
        external_repair_receive(
            external_repair_id=external.pk,
            actor=actor,
            vendor_report="更换主板，测试正常",
            cost=Decimal("680.00"),
        )
    with simulated_clock(next(clock)):
        external_repair_recheck(external_repair_id=external.pk, actor=actor, result="复检打印正常")
    with simulated_clock(next(clock)):
        external_repair_complete(external_repair_id=external.pk, actor=actor)
