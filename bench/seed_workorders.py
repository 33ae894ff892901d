"""The seeded work orders: each one's path through the lifecycle, as far as its age allows, and
the rows the services write on that path (bench/seed.py)."""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import TYPE_CHECKING, Any

from seed_copy import SHANGHAI, Copier, next_id, raw_cursor, reset_sequence
from seed_reference import World

if TYPE_CHECKING:
    from seed import Plan

FAULTS = [
    "打印时卡纸，面板提示错误代码 13.B2",
    "开机后无法联网，网络指示灯不亮",
    "复印件出现黑色竖线",
    "设备通电无反应",
    "扫描时提示进纸错误",
    "投影画面偏色并伴有闪烁",
    "运行时异响，疑似齿轮磨损",
    "需要上门安装调试新设备",
    "定期保养：清洁、更换易损件",
    "咨询耗材型号及更换方法",
]
RESOLUTIONS = [
    "更换定影组件，测试打印正常。",
    "清洁搓纸轮并更换分页器，连续打印 100 页无卡纸。",
    "重新配置网络参数并升级固件，联网正常。",
    "更换主板排线，功能测试通过。",
    "已远程指导客户完成设置。",
    "完成安装调试，已培训客户使用。",
]
NOTES = [
    "客户要求下午上门，已电话确认。",
    "配件已从中心仓调拨，预计两天到货。",
    "客户反映问题复现频率较低，需带测试纸上门。",
    "已提醒客户备份设备内数据。",
    "客户希望更换为新机，已告知保修政策。",
]
WAIT_NOTES = {"customer": "客户出差，需下周再安排", "parts": "等待配件到货", "vendor": "送厂家检测"}
CANCEL_NOTES = ["客户自行解决", "重复报修", "客户取消服务需求"]

TYPE_WEIGHTS = {
    "repair": 55,
    "maintenance": 12,
    "installation": 10,
    "consultation": 12,
    "return_exchange": 4,
    "complaint": 2,
    "other": 5,
}
CHANNEL_WEIGHTS = {"phone": 45, "wechat": 20, "portal": 15, "email": 8, "walk_in": 7, "api": 5}
PRIORITY_WEIGHTS = {"normal": 70, "high": 18, "low": 7, "urgent": 5}
ONSITE_TYPES = {"repair", "maintenance", "installation"}
# SLA milestones as the migrations create them: kind, hours, started by, stopped by
MILESTONES = ["first_response", "diagnosis", "repair", "record_complete"]


def open_share(age_days: float) -> float:
    """Share of work orders still open at an age: the open backlog is the last weeks' work
    plus a thin tail of long-stuck ones (waiting for parts or a vendor), whatever the history."""
    if age_days < 3:
        return 0.95
    if age_days < 14:
        return 0.7
    if age_days < 35:
        return 0.45
    if age_days < 70:
        return 0.25
    return 0.012


BATCH = 10_000  # work orders per COPY round

# The columns written, by field name (Copier reads their columns from _meta).
WORK_ORDER_FIELDS = """
    number state waiting_reason version channel type priority customer contact contact_name
    contact_phone device product_model device_model_text serial_number part_model purchase_date
    service_province service_city service_district service_address
    fault_symptom error_messages recent_operations service_point engineer fault_category
    probable_cause proposed_handling estimated_hours resolution created_by accepted_at
    completed_at closed_at created_at updated_at received_at
"""
CLOCK_FIELDS = """
    work_order policy kind state target business_time started_at due_at paused_at paused_reason
    paused_total stopped_at met breached_at warn_at warned_at escalated_at created_at updated_at
"""
APPOINTMENT_FIELDS = """
    work_order engineer date window_start window_end state reason created_by version created_at
    updated_at
"""
VISIT_FIELDS = """
    number work_order engineer appointment state planned_date window_start window_end
    departed_at arrived_at left_at findings checklist created_at updated_at
"""


def creation_times(plan: Plan, rng: random.Random) -> list[float]:
    """Sorted UNIX times over the years before `now`: the company grows (new work orders per day
    rise from 0.6x to 1.4x the average), fewer on weekends, mostly in office hours (local)."""
    start, end = plan.start.timestamp(), plan.end.timestamp()
    span_days = (end - start) / 86400
    times = []
    while len(times) < plan.work_orders:
        u = rng.random()
        t = (-0.6 + math.sqrt(0.36 + 1.6 * u)) / 0.8  # inverse CDF of density 0.6 + 0.8 t
        day = int(t * span_days)
        midnight = plan.start + timedelta(days=day)
        if midnight.weekday() >= 5 and rng.random() < 0.6:
            continue
        hour = rng.uniform(8, 20) if rng.random() < 0.95 else rng.uniform(0, 24)
        moment = midnight.timestamp() + hour * 3600
        if moment < end - 600:
            times.append(moment)
    times.sort()
    return times


class Lifecycle:
    """Turns one work order's intake into its rows: the path of transitions it went through
    (as far as its age allows), with the events, history, clocks, notes, appointments and visits
    the services write on that path."""

    def __init__(
        self, plan: Plan, world: World, rng: random.Random, ids: dict[str, int], context: dict
    ) -> None:
        self.plan, self.world, self.rng, self.ids, self.ctx = plan, world, rng, ids, context
        self.now = plan.end
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.day_numbers: Counter[tuple[str, date]] = Counter()

    def take(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name] - 1

    def number(self, prefix: str, moment: datetime) -> str:
        day = moment.astimezone(SHANGHAI).date()
        self.day_numbers[(prefix, day)] += 1
        return f"{prefix}{day:%Y%m%d}{self.day_numbers[(prefix, day)]:04d}"

    def event(
        self,
        wo: int,
        at: datetime,
        actor: int | None,
        kind: str,
        action: str = "",
        frm: str = "",
        to: str = "",
        params: dict | None = None,
        note: str = "",
    ) -> None:
        self.rows["event"].append(
            (
                self.take("event"),
                wo,
                actor,
                at,
                kind,
                action,
                frm,
                to,
                json.dumps(params or {}, ensure_ascii=False),
                note,
            )
        )

    def change(self, wo: int, at: datetime, actor: int | None, name: str, old: str, new: str) -> None:
        self.rows["change"].append(
            (
                self.take("change"),
                self.ctx["workorder_ct"],
                wo,
                actor,
                at,
                name,
                self.ctx["labels"][name],
                old,
                new,
            )
        )

    def transition(
        self,
        wo: int,
        at: datetime,
        actor: int | None,
        action: str,
        frm: str,
        to: str,
        note: str = "",
        **params: str,
    ) -> None:
        p = {"machine": "workorder", "transition": action, **params}
        self.event(wo, at, actor, "transition", action, frm, to, p, note)
        states = self.ctx["states"]
        self.change(wo, at, actor, "state", states[frm], states[to])

    def clock(
        self,
        wo: int,
        kind: str,
        policy: int,
        hours: float,
        started: datetime,
        stopped: datetime | None,
        paused: datetime | None = None,
        paused_reason: str = "",
        paused_total: timedelta = timedelta(0),
        cancelled: bool = False,
    ) -> None:
        # business time, approximated: 9 working hours a day, 5 days a week
        due = started + timedelta(hours=hours * 24 / 9 * 7 / 5) + paused_total
        warn = started + (due - started) * 0.75
        if stopped is not None:
            state, met = "stopped", (None if cancelled else stopped <= due)
        else:
            state, met = ("paused" if paused else "running"), None
        breached = due if met is False else None
        # the periodic job warned (75 %) and escalated (due) every clock still counting then
        warned = warn if (stopped or self.now) > warn else None
        escalated = due if (stopped or self.now) > due else None
        self.rows["clock"].append(
            (
                self.take("clock"),
                wo,
                policy,
                kind,
                state,
                timedelta(hours=hours),
                True,
                started,
                due,
                paused,
                paused_reason,
                paused_total,
                stopped,
                met,
                breached,
                warn,
                warned,
                escalated,
                started,
                stopped or paused or started,
            )
        )

    def work_order(self, created: datetime) -> None:
        rng, world, ctx = self.rng, self.world, self.ctx
        wo = self.take("wo")
        number = self.number("WO", created)
        cid, province, city, district, _customer_name = rng.choice(world.customers)
        contact_id, contact_name, contact_phone = rng.choice(world.contacts[cid])
        devices = world.devices[cid]
        if devices and rng.random() < 0.75:
            device_id, model_id, serial, bought = rng.choice(devices)
        else:
            device_id, (model_id, _l), serial, bought = (
                None,
                rng.choice(world.models),
                f"SN{rng.randrange(10**9):09d}",
                None,
            )
        wtype = rng.choices(ctx["types"], ctx["type_weights"])[0]
        channel = rng.choices(ctx["channels"], ctx["channel_weights"])[0]
        priority = rng.choices(ctx["priorities"], ctx["priority_weights"])[0]
        policy, scale = ctx["policies"]["urgent" if priority == "urgent" else "default"]
        points = (
            world.points_by_city.get((province, city))
            or world.points_by_province.get(province)
            or world.point_ids
        )
        point = rng.choice(points)
        dispatcher = world.dispatcher_by_point[point]
        agent = rng.choice(world.agents)
        creator = dispatcher if channel == "walk_in" else agent
        age = (self.now - created).total_seconds() / 86400

        # where the work order is now
        is_open = rng.random() < open_share(age)
        if is_open:
            if age > 70:
                target = rng.choices(["waiting", "in_service"], [70, 30])[0]
            elif age < 1:
                target = rng.choices(["new", "accepted", "assigned"], [30, 30, 40])[0]
            elif age < 3:
                target = rng.choices(["accepted", "assigned", "in_service", "waiting"], [10, 35, 40, 15])[0]
            else:
                target = rng.choices(["assigned", "in_service", "waiting"], [15, 45, 40])[0]
        elif rng.random() < 0.05:
            target = "cancelled"
        elif wtype == "consultation" and rng.random() < 0.7:
            target = "resolved"
        elif age < 7 and rng.random() < 0.5:
            target = "completed"
        else:
            target = "closed"

        # the path, with gaps (hours) drawn per step
        e = rng.expovariate
        waits = target == "waiting" or (target in ("completed", "closed") and rng.random() < 0.15)
        steps = ["accept", "assign", "start"] + (["wait", "resume"] if waits else []) + ["complete", "close"]
        gaps = {
            "accept": e(1 / 2),
            "assign": e(1 / 6),
            "start": e(1 / 30),
            "wait": e(1 / 20),
            "resume": e(1 / 72),
            "complete": e(1 / 20),
            "close": e(1 / 24),
            "resolve": e(1 / 0.3),
            "cancel": e(1 / 24),
        }
        stop_after = {
            "new": 0,
            "accepted": 1,
            "assigned": 2,
            "in_service": 3,
            "waiting": 4,
            "completed": len(steps) - 1,
            "closed": len(steps),
        }
        if target == "resolved":
            steps = ["resolve"]
        elif target == "cancelled":
            steps = steps[: rng.randint(0, 3)] + ["cancel"]
        else:
            steps = steps[: stop_after[target]]
        if target == "in_service" and waits:
            steps = ["accept", "assign", "start"]
        total = sum(gaps[s] for s in steps) + 0.05
        room = (self.now - created).total_seconds() / 3600 - 0.1
        shrink = min(1.0, room / total) if total > 0 else 1.0
        at, times = created, {}
        for s in steps:
            at = at + timedelta(hours=gaps[s] * shrink + 0.01)
            times[s] = at

        dispatched = channel in ("portal", "wechat", "api")  # no service point given at intake
        engineer = (
            rng.choice(world.engineers_by_point[point])
            if "assign" in times and world.engineers_by_point.get(point)
            else None
        )
        onsite = engineer is not None and wtype in ONSITE_TYPES and rng.random() < 0.4
        wait_reason = rng.choice(["parts", "customer", "vendor"]) if "wait" in times else ""
        final = {"resolved": "closed"}.get(target, target)
        resolution = rng.choice(RESOLUTIONS) if ("complete" in times or "resolve" in times) else ""
        eng_user = engineer[1] if engineer else None
        closer = rng.choice(world.clerks)

        self.rows["wo"].append(
            (
                wo,
                number,
                final,
                wait_reason if final == "waiting" else "",
                len(steps) + 1 + dispatched,
                channel,
                wtype,
                priority,
                cid,
                contact_id,
                contact_name,
                contact_phone,
                device_id,
                model_id,
                "",
                serial,
                "",
                bought,
                "",  # the service is done at the customer's address
                "",
                "",
                "",
                rng.choice(FAULTS),
                "",
                "",
                point,
                engineer[0] if engineer else None,
                "",
                "",
                "on_site" if onsite else ("remote" if wtype == "consultation" else ""),
                None,
                resolution,
                creator,
                times.get("accept"),
                times.get("complete"),
                times.get("close") or times.get("resolve"),
                created,
                at if steps else created,
                created,  # received when entered
            )
        )

        # timeline, history, clocks
        self.event(wo, created, creator, "created", "", "", "new")
        if dispatched:
            moment = created + timedelta(seconds=1)
            self.event(
                wo,
                moment,
                creator,
                "dispatch",
                "dispatch",
                params={
                    "point": world.point_names[point],
                    "why": f"客户所在地区（{province}{city}{district}）在该网点服务范围内",
                },
            )
            self.change(wo, moment, creator, "service_point", "", world.point_names[point])
        state = "new"
        clocks: dict[str, datetime] = {"first_response": created}
        stopped: dict[str, datetime] = {}
        paused_total = timedelta(0)
        for s in steps:
            moment = times[s]
            if s == "accept":
                self.transition(wo, moment, dispatcher, "accept", state, "accepted")
                promised = moment + timedelta(days=3)
                self.event(
                    wo,
                    moment,
                    None,
                    "notification",
                    "acknowledgement",
                    params={
                        "number": number,
                        "promised": {"datetime": promised.isoformat()},
                        "channels": [{"msgid": "SMS"}],
                    },
                )
                state = "accepted"
                stopped["first_response"] = moment
                clocks["diagnosis"] = moment
            elif s == "assign":
                self.transition(wo, moment, dispatcher, "assign", state, "assigned", engineer=engineer[2])
                self.change(wo, moment, dispatcher, "engineer", "", engineer[2])
                state = "assigned"
                if onsite:
                    self.visit(wo, moment, engineer, dispatcher, times)
            elif s == "start":
                self.transition(wo, moment, eng_user, "start", state, "in_service")
                state = "in_service"
                stopped["diagnosis"] = moment
                clocks["repair"] = moment
            elif s == "wait":
                self.transition(wo, moment, eng_user, "wait", state, "waiting", note=WAIT_NOTES[wait_reason])
                self.change(wo, moment, eng_user, "waiting_reason", "", ctx["reasons"][wait_reason])
                state = "waiting"
            elif s == "resume":
                self.transition(wo, moment, eng_user, "resume", state, "in_service")
                self.change(wo, moment, eng_user, "waiting_reason", ctx["reasons"][wait_reason], "")
                paused_total = moment - times["wait"]
                state = "in_service"
            elif s == "complete":
                self.transition(wo, moment, eng_user, "complete", state, "completed")
                self.change(wo, moment, eng_user, "resolution", "", resolution)
                state = "completed"
                stopped["repair"] = moment
                clocks["record_complete"] = moment
            elif s == "close":
                self.transition(wo, moment, closer, "close", state, "closed")
                state = "closed"
                stopped["record_complete"] = moment
            elif s == "resolve":
                self.transition(wo, moment, agent, "resolve", state, "closed")
                self.change(wo, moment, agent, "resolution", "", resolution)
                stopped["first_response"] = moment
            elif s == "cancel":
                self.transition(
                    wo, moment, dispatcher, "cancel", state, "cancelled", note=rng.choice(CANCEL_NOTES)
                )
                for kind in clocks:
                    stopped.setdefault(kind, moment)
        for kind, started in clocks.items():
            hours = ctx["milestone_hours"][kind] * scale
            waiting_now = kind == "repair" and final == "waiting"
            self.clock(
                wo,
                kind,
                policy,
                hours,
                started,
                stopped.get(kind),
                paused=times.get("wait") if waiting_now else None,
                paused_reason=wait_reason if waiting_now else "",
                paused_total=paused_total if kind == "repair" else timedelta(0),
                cancelled=target == "cancelled" and stopped.get(kind) == times.get("cancel"),
            )
        end = at if steps else created + timedelta(minutes=30)
        for _ in range(rng.choices((0, 1, 2), (70, 22, 8))[0]):
            moment = created + (end - created) * rng.random() + timedelta(seconds=2)
            author = rng.choice([creator, dispatcher] + ([eng_user] if eng_user else []))
            body = rng.choice(NOTES)
            visibility = "internal" if rng.random() < 0.7 else "customer"
            self.rows["note"].append((self.take("note"), wo, author, visibility, body, moment, moment))
            self.event(wo, moment, author, "note", visibility, note=body)

    def visit(
        self, wo: int, assigned: datetime, engineer: tuple[int, int, str], booker: int, times: dict
    ) -> None:
        """An appointment booked at assignment and its visit: done when the work order got to
        completion, booked while it is still on the way."""
        rng = self.rng
        eid, eng_user, eng_name = engineer
        day_at = (times.get("start") or assigned + timedelta(days=1)).astimezone(SHANGHAI)
        hour = rng.choice((9, 10, 14, 15))
        window = (clock(hour), clock(hour + 2))
        done = "complete" in times
        aid = self.take("appointment")
        self.rows["appointment"].append(
            (
                aid,
                wo,
                eid,
                day_at.date(),
                *window,
                "done" if done else "booked",
                "",
                booker,
                1,
                assigned,
                assigned,
            )
        )
        params = {
            "engineer": eng_name,
            "date": f"{day_at:%Y-%m-%d}",
            "start": f"{hour:02d}:00",
            "end": f"{hour + 2:02d}:00",
        }
        when = f"{day_at:%Y-%m-%d} {hour:02d}:00–{hour + 2:02d}:00"
        self.event(wo, assigned, booker, "appointment", "appointment_book", params={"when": when, **params})
        vid = self.take("visit")
        number = self.number("SV", assigned)
        arrived = left = None
        if done:
            arrived = day_at.replace(hour=hour, minute=rng.randrange(0, 50))
            left = arrived + timedelta(minutes=rng.randrange(30, 150))
        self.rows["visit"].append(
            (
                vid,
                number,
                wo,
                eid,
                aid,
                "done" if done else "booked",
                day_at.date(),
                *window,
                arrived - timedelta(minutes=40) if arrived else None,
                arrived,
                left,
                "更换故障部件，测试正常。" if done else "",
                "[]",
                assigned,
                left or assigned,
            )
        )
        self.event(
            wo,
            assigned,
            booker,
            "visit",
            "visit_plan",
            params={"visit": number, "when": when, "engineer": eng_name},
        )
        if done and left is not None:
            self.event(
                wo,
                left,
                eng_user,
                "visit",
                "visit_leave",
                params={
                    "machine": "field_visit",
                    "transition": "leave",
                    "record": number,
                    "from": "on_site",
                    "to": "done",
                    "visit": number,
                    "time": {"datetime": left.isoformat()},
                    "where": {"msgid": "no location"},
                },
            )


def seed_work_orders(
    connection: Any, plan: Plan, world: World, rng: random.Random, progress: bool
) -> Counter:
    """All the work orders, in creation order (ids and numbers rise with time), a batch at a time."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    from aftersales.core.models import ChangeRecord, NumberSequence
    from aftersales.field.models import Appointment, Visit
    from aftersales.sla.models import SlaClock, SlaMilestone, SlaPolicy
    from aftersales.workorders.choices import State, WaitingReason
    from aftersales.workorders.models import Note, WorkOrder, WorkOrderEvent
    from aftersales.workorders.search import workorder_search_refresh

    cur = raw_cursor(connection)
    default = SlaPolicy.objects.get(is_default=True)
    urgent = SlaPolicy.objects.filter(match_priority="urgent", is_active=True).first() or default
    hours = {m.kind: float(m.target_hours) for m in SlaMilestone.objects.filter(policy=default)}
    missing = set(MILESTONES) - set(hours)
    if missing:
        raise RuntimeError(f"bench/seed.py: the default SLA policy has no milestone {sorted(missing)}")
    urgent_hours = {m.kind: float(m.target_hours) for m in SlaMilestone.objects.filter(policy=urgent)}
    urgent_scale = urgent_hours.get("repair", hours["repair"]) / hours["repair"]
    with translation.override("zh-hans"):
        labels = {
            name: str(WorkOrder._meta.get_field(name).verbose_name)
            for name in ("state", "engineer", "waiting_reason", "resolution", "service_point")
        }
        states = {s.value: str(s.label) for s in State}
        reasons = {r.value: str(r.label) for r in WaitingReason}
    context = {
        "workorder_ct": ContentType.objects.get_for_model(WorkOrder).pk,
        "labels": labels,
        "states": states,
        "reasons": reasons,
        "types": list(TYPE_WEIGHTS),
        "type_weights": list(TYPE_WEIGHTS.values()),
        "channels": list(CHANNEL_WEIGHTS),
        "channel_weights": list(CHANNEL_WEIGHTS.values()),
        "priorities": list(PRIORITY_WEIGHTS),
        "priority_weights": list(PRIORITY_WEIGHTS.values()),
        "policies": {"default": (default.pk, 1.0), "urgent": (urgent.pk, urgent_scale)},
        "milestone_hours": hours,
    }
    models = {
        "wo": WorkOrder,
        "event": WorkOrderEvent,
        "change": ChangeRecord,
        "clock": SlaClock,
        "note": Note,
        "appointment": Appointment,
        "visit": Visit,
    }
    ids = {name: next_id(cur, model) for name, model in models.items()}
    copiers = {
        "wo": Copier(
            cur,
            WorkOrder,
            WORK_ORDER_FIELDS,
        ),
        "event": Copier(
            cur, WorkOrderEvent, "work_order actor created_at kind action from_state to_state params note"
        ),
        "change": Copier(
            cur, ChangeRecord, "content_type object_id actor created_at field field_label old_value new_value"
        ),
        "clock": Copier(
            cur,
            SlaClock,
            CLOCK_FIELDS,
        ),
        "note": Copier(cur, Note, "work_order author visibility body created_at updated_at"),
        "appointment": Copier(
            cur,
            Appointment,
            APPOINTMENT_FIELDS,
        ),
        "visit": Copier(
            cur,
            Visit,
            VISIT_FIELDS,
        ),
    }
    life = Lifecycle(plan, world, rng, ids, context)
    times = creation_times(plan, rng)
    started = time.perf_counter()
    for first in range(0, len(times), BATCH):
        for moment in times[first : first + BATCH]:
            life.work_order(datetime.fromtimestamp(moment, UTC))
        # parents before children: visits name their appointments
        first_id = life.ids["wo"] - len(life.rows["wo"])
        for name in ("wo", "appointment", "visit", "event", "change", "clock", "note"):
            copiers[name].write(life.rows.pop(name, []))
        # their search words, built by the app's own code from the rows just written
        workorder_search_refresh(range(first_id, life.ids["wo"]))
        if progress:
            done = min(first + BATCH, len(times))
            rate = done / (time.perf_counter() - started)
            print(f"  {done:>9,}/{len(times):,} work orders ({rate:,.0f}/s)", flush=True)
    for model in models.values():
        reset_sequence(cur, model)
    # creates continue each day's numbers: the counter of a day is its last number
    meta = NumberSequence._meta
    prefix, day, last = (meta.get_field(name).column for name in ("prefix", "day", "last_value"))
    cur.executemany(
        f'INSERT INTO "{meta.db_table}" ("{prefix}", "{day}", "{last}") VALUES (%s, %s, %s) '
        f'ON CONFLICT ("{prefix}", "{day}") DO UPDATE SET "{last}" = '
        f'GREATEST("{meta.db_table}"."{last}", EXCLUDED."{last}")',
        [(p, d, value) for (p, d), value in life.day_numbers.items()],
    )
    return Counter({name: c.rows for name, c in copiers.items()})
