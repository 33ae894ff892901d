"""Seed a realistic after-sales backlog on PostgreSQL: three years of a company's work orders.

    .venv/bin/python bench/seed.py --work-orders 100000      # or: make bench-seed
    .venv/bin/python bench/seed.py --work-orders 1000000 --reset

Why: the list, detail, search and dispatch pages must stay fast when years of history pile up,
and only a database shaped like a real one (mostly closed work orders, each with its timeline,
history and service-level clocks; a small open backlog of the last weeks) shows where they don't.

How: every row is generated here from a fixed random seed and a fixed "now" (2027-03-01), then
written with PostgreSQL COPY (psycopg 3 `cursor.copy()`), a batch of work orders and all their
rows at a time; table and column names come from the models' `_meta`, so a renamed field fails
here loudly and a new required field without a default too. Ends with `VACUUM ANALYZE`.

DATABASE_URL picks the database (default postgres://postgres@127.0.0.1:5432/aftersales_bench,
created and migrated when missing). What was seeded is kept in the table `bench_seed`: a later run
with the same size reuses it; `--reset` drops the database and seeds from scratch. See README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
if str(PROJECT_DIR / "src") not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR / "src"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aftersales_bench"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 3, 1, tzinfo=SHANGHAI)  # fixed, so two seeds of one size are identical
SEED = 20270301
PASSWORD = "bench-pass"  # every seeded user's password (one hash, computed once)
BATCH = 10_000  # work orders per COPY round
SEED_TABLE = "bench_seed"
warnings.filterwarnings("ignore", message="No directory at")


@dataclass(frozen=True)
class Plan:
    """How much to seed; the defaults are the company of issue 9."""

    work_orders: int = 100_000
    dealers: int = 20
    service_points: int = 200
    engineers: int = 2_000
    customers: int = 20_000
    years: float = 3.0
    now: str = NOW.isoformat()

    @property
    def end(self) -> datetime:
        return datetime.fromisoformat(self.now)

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=round(365 * self.years))


# --- reference vocabulary ---------------------------------------------------------------------

# province -> city -> districts, with a weight (share of customers) per city
REGIONS: dict[str, dict[str, tuple[int, list[str]]]] = {
    "广东省": {
        "广州市": (9, ["天河区", "越秀区", "海珠区", "白云区", "番禺区"]),
        "深圳市": (10, ["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"]),
        "东莞市": (4, ["南城街道", "东城街道", "长安镇", "虎门镇"]),
        "佛山市": (4, ["禅城区", "南海区", "顺德区"]),
    },
    "江苏省": {
        "南京市": (6, ["玄武区", "秦淮区", "鼓楼区", "建邺区"]),
        "苏州市": (7, ["姑苏区", "吴中区", "虎丘区", "昆山市"]),
        "无锡市": (3, ["梁溪区", "滨湖区", "新吴区"]),
    },
    "浙江省": {
        "杭州市": (7, ["西湖区", "上城区", "拱墅区", "滨江区"]),
        "宁波市": (4, ["海曙区", "鄞州区", "江北区", "北仑区"]),
        "温州市": (2, ["鹿城区", "龙湾区", "瓯海区"]),
    },
    "山东省": {
        "济南市": (4, ["历下区", "市中区", "槐荫区", "历城区"]),
        "青岛市": (4, ["市南区", "市北区", "黄岛区", "崂山区"]),
        "烟台市": (2, ["芝罘区", "莱山区", "福山区"]),
    },
    "四川省": {
        "成都市": (7, ["锦江区", "青羊区", "武侯区", "成华区", "金牛区"]),
        "绵阳市": (1, ["涪城区", "游仙区"]),
    },
    "湖北省": {
        "武汉市": (6, ["江岸区", "武昌区", "洪山区", "汉阳区"]),
        "宜昌市": (1, ["西陵区", "伍家岗区"]),
    },
    "河南省": {
        "郑州市": (4, ["金水区", "中原区", "二七区", "管城回族区"]),
        "洛阳市": (1, ["西工区", "涧西区"]),
    },
    "北京市": {"北京市": (10, ["朝阳区", "海淀区", "东城区", "西城区", "丰台区"])},
    "上海市": {"上海市": (10, ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"])},
}
PRODUCT_LINES = [
    ("LP", "激光打印机", ["M1005", "M1136", "P1108", "M227", "M430", "M528"]),
    ("IJ", "喷墨打印机", ["G3810", "L3158", "T5300", "IX6880"]),
    ("MF", "多功能复合机", ["C3020", "C5535", "IR2206", "IR4751", "MX3070"]),
    ("PJ", "投影仪", ["EB-X06", "EB-L630", "CB-FH52"]),
    ("SC", "扫描仪", ["DS-530", "FI-7160", "SV600"]),
    ("SH", "碎纸机", ["C-225", "S-520"]),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建文辉力鹏宇浩凯晨鑫"
COMPANY_WORDS = [
    "恒达",
    "华信",
    "金鼎",
    "瑞丰",
    "博远",
    "中科",
    "东方",
    "宏图",
    "新世纪",
    "天成",
    "联创",
    "嘉禾",
    "正通",
    "盛世",
    "永泰",
    "合力",
]
COMPANY_KINDS = ["科技", "贸易", "实业", "电子", "信息", "物流", "医疗", "教育", "建设", "咨询"]
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
STREETS = ["人民路", "中山路", "解放路", "科技园路", "滨海大道"]
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


# The columns written, by field name (Copier reads their columns from _meta).
POINT_FIELDS = """
    code name dealer province city district address latitude longitude phone is_active
    created_at updated_at
"""
USER_FIELDS = """
    password last_login is_superuser username first_name last_name email is_staff is_active
    date_joined role phone dealer service_point language
"""
WORK_ORDER_FIELDS = """
    number state waiting_reason version channel type priority customer contact contact_name
    contact_phone device product_model device_model_text serial_number part_model purchase_date
    fault_symptom error_messages recent_operations service_point engineer fault_category
    probable_cause proposed_handling estimated_hours resolution created_by accepted_at
    completed_at closed_at created_at updated_at
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


# --- writing ------------------------------------------------------------------------------------


class Copier:
    """COPY rows into a model's table, the columns named by field through `_meta`. A concrete
    field left out gets its default; one with no default (required) fails loudly."""

    def __init__(self, cursor: Any, model: Any, names: str) -> None:
        from django.db.models import NOT_PROVIDED

        fields = names.split()
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.columns = [meta.get_field(name).column for name in fields]
        self.defaults: list[Any] = []
        for f in meta.concrete_fields:
            if f.name in fields or f.attname in fields or f.primary_key:
                continue
            if f.has_default() or (f.blank and f.empty_strings_allowed):  # blank text: ""
                value = f.get_default()
                self.columns.append(f.column)
                self.defaults.append(json.dumps(value) if isinstance(value, dict | list) else value)
            elif not f.null and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED:
                raise RuntimeError(f"bench/seed.py: {meta.label}.{f.name} is required: seed it")
        self.cursor = cursor
        self.rows = 0

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """COPY the rows (`id` first, then the fields in order); returns how many."""
        columns = ", ".join(f'"{name}"' for name in ["id", *self.columns])
        extra = tuple(self.defaults)
        count = 0
        with self.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row((*row, *extra))
                count += 1
        self.rows += count
        return count


def raw_cursor(connection: Any) -> Any:
    """The psycopg cursor under Django's connection (COPY runs in the caller's transaction)."""
    connection.ensure_connection()
    return connection.connection.cursor()


def next_id(cursor: Any, model: Any) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return cursor.fetchone()[0]


def reset_sequence(cursor: Any, model: Any) -> None:
    """Explicit ids were written: move the identity on so the app's inserts continue after them."""
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
    )


# --- the generator ------------------------------------------------------------------------------


@dataclass
class World:
    """The reference data the work orders point at (ids and display names)."""

    point_ids: list[int] = field(default_factory=list)
    point_names: dict[int, str] = field(default_factory=dict)
    point_dealer: dict[int, int | None] = field(default_factory=dict)
    points_by_city: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    points_by_province: dict[str, list[int]] = field(default_factory=dict)
    engineers_by_point: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    dispatcher_by_point: dict[int, int] = field(default_factory=dict)
    agents: list[int] = field(default_factory=list)
    clerks: list[int] = field(default_factory=list)
    models: list[tuple[int, int]] = field(default_factory=list)  # (model id, line index)
    customers: list[tuple[int, str, str, str, str]] = field(
        default_factory=list
    )  # id, prov, city, dist, name
    contacts: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)
    devices: dict[int, list[tuple[int, int, str, date]]] = field(default_factory=dict)


def person_name(rng: random.Random) -> tuple[str, str]:
    """(surname, given name)."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES), given


MOBILE_PREFIXES = (
    130,
    131,
    132,
    135,
    136,
    137,
    138,
    139,
    150,
    151,
    152,
    155,
    158,
    159,
    177,
    186,
    187,
    188,
    189,
)


def mobile(rng: random.Random) -> str:
    """A valid mainland mobile number in E.164 (the phone validator rejects unassigned ranges)."""
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def seed_reference(connection: Any, plan: Plan, rng: random.Random, password_hash: str) -> World:
    """Dealers, service points with areas and product lines, staff and engineers with their
    qualifications, product lines and models, customers with contacts, addresses and devices."""
    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import Dealer, Engineer, Qualification, ServicePoint, User
    from aftersales.catalog.models import ProductLine, ProductModel
    from aftersales.customers.models import Address, Contact, Customer
    from aftersales.devices.models import Device
    from aftersales.field.models import ServiceArea

    cur = raw_cursor(connection)
    start = plan.start
    world = World()
    cities = [
        (province, city, weight, districts)
        for province, cs in REGIONS.items()
        for city, (weight, districts) in cs.items()
    ]
    provinces = list(REGIONS)

    # product lines and models
    line_ids: list[int] = []
    line_copy = Copier(cur, ProductLine, "code name created_at updated_at")
    first = next_id(cur, ProductLine)
    line_copy.write(
        (first + i, f"PL-{code}", name, start, start) for i, (code, name, _) in enumerate(PRODUCT_LINES)
    )
    line_ids = [first + i for i in range(len(PRODUCT_LINES))]
    model_rows = []
    mid = next_id(cur, ProductModel)
    for li, (code, name, models) in enumerate(PRODUCT_LINES):
        for m in models:
            model_rows.append((mid, line_ids[li], f"{code}-{m}", f"{name} {m}", "device", 12 + 12 * (li % 2)))
            world.models.append((mid, li))
            mid += 1
    Copier(
        cur, ProductModel, "product_line code name kind warranty_months is_active created_at updated_at"
    ).write((*r, True, start, start) for r in model_rows)

    # dealers: each with a home province
    dealer_ids = []
    dealer_province: dict[int, str] = {}
    did = next_id(cur, Dealer)
    dealer_rows = []
    for i in range(plan.dealers):
        province = provinces[i % len(provinces)]
        word = COMPANY_WORDS[i % len(COMPANY_WORDS)]
        dealer_rows.append(
            (
                did,
                f"D{i + 1:03d}",
                f"{province[:2]}{word}售后服务有限公司",
                "".join(person_name(rng)),
                mobile(rng),
            )
        )
        dealer_ids.append(did)
        dealer_province[did] = province
        did += 1
    Copier(cur, Dealer, "code name contact_name phone is_active created_at updated_at").write(
        (*r, True, start, start) for r in dealer_rows
    )
    dealers_in: dict[str, list[int]] = defaultdict(list)
    for d, p in dealer_province.items():
        dealers_in[p].append(d)

    # service points: one per city first, the rest where the customers are
    weights = [c[2] for c in cities]
    point_cities = [cities[i % len(cities)] for i in range(min(plan.service_points, len(cities)))]
    point_cities += rng.choices(cities, weights, k=max(0, plan.service_points - len(cities)))
    pid = next_id(cur, ServicePoint)
    point_rows, area_rows, line_rows = [], [], []
    province_seen: set[str] = set()
    for i, (province, city, _, districts) in enumerate(point_cities):
        district = rng.choice(districts)
        hq = not dealers_in[province] or rng.random() < 0.2 or province not in province_seen
        dealer = None if hq else rng.choice(dealers_in[province])
        name = f"{city[:-1] if len(city) > 2 else city}{district[:2]}{'直营' if hq else '授权'}服务站{i + 1}"
        point_rows.append(
            (
                pid,
                f"SP{i + 1:04d}",
                name,
                dealer,
                province,
                city,
                district,
                f"{district}建设路{rng.randrange(1, 300)}号",
                Decimal("30.000000") + Decimal(rng.randrange(0, 10**6)) / 10**6,
                Decimal("114.000000") + Decimal(rng.randrange(0, 10**6)) / 10**6,
                mobile(rng),
            )
        )
        areas = {(province, city, district)}
        if province not in province_seen:
            areas.add((province, "", ""))  # the first (HQ) point of a province covers all of it
            province_seen.add(province)
        if rng.random() < 0.5:
            areas.add((province, city, rng.choice(districts)))
        if rng.random() < 0.2:
            areas.add((province, city, ""))
        area_rows += [(pid, *a) for a in sorted(areas)]
        for li in sorted(rng.sample(range(len(line_ids)), rng.randint(3, len(line_ids)))):
            line_rows.append((pid, line_ids[li]))
        world.point_ids.append(pid)
        world.point_names[pid] = name
        world.point_dealer[pid] = dealer
        world.points_by_city.setdefault((province, city), []).append(pid)
        world.points_by_province.setdefault(province, []).append(pid)
        pid += 1
    Copier(
        cur,
        ServicePoint,
        POINT_FIELDS,
    ).write((*r, True, start, start) for r in point_rows)
    aid = next_id(cur, ServiceArea)
    Copier(cur, ServiceArea, "service_point province city district created_at updated_at").write(
        (aid + i, *r, start, start) for i, r in enumerate(area_rows)
    )
    through = ServicePoint.product_lines.through
    tid = next_id(cur, through)
    Copier(cur, through, "servicepoint productline").write((tid + i, *r) for i, r in enumerate(line_rows))

    # users: staff of HQ and of each point, then the engineers
    uid = next_id(cur, User)
    user_rows = []

    def user(username: str, role: str, *, dealer: int | None = None, point: int | None = None) -> int:
        nonlocal uid
        surname, given = person_name(rng)
        user_rows.append(
            (
                uid,
                password_hash,
                None,
                False,
                username,
                given,
                surname,
                "",
                False,
                True,
                start,
                role,
                mobile(rng),
                dealer,
                point,
                "zh-hans",
            )
        )
        uid += 1
        return uid - 1

    world.agents = [user("bench_agent", Role.AGENT)]
    world.agents += [user(f"agent{i:03d}", Role.AGENT) for i in range(1, max(2, plan.service_points // 5))]
    user("bench_dispatcher", Role.DISPATCHER)
    user("bench_supervisor", Role.SUPERVISOR)
    world.clerks = [user(f"clerk{i:03d}", Role.CLERK) for i in range(max(2, plan.service_points // 20))]
    for i, d in enumerate(dealer_ids):
        user("bench_dealer" if i == 0 else f"dealer{i:03d}", Role.DEALER_STAFF, dealer=d)
    for i, p in enumerate(world.point_ids):
        world.dispatcher_by_point[p] = user(f"dispatcher{i:04d}", Role.DISPATCHER, point=p)
    engineer_users = []
    for i in range(plan.engineers):
        p = world.point_ids[i % len(world.point_ids)]
        engineer_users.append(
            (user(f"engineer{i:05d}", Role.ENGINEER, point=p), p, user_rows[-1][6] + user_rows[-1][5])
        )
    Copier(
        cur,
        User,
        USER_FIELDS,
    ).write(user_rows)

    eid = next_id(cur, Engineer)
    qid = next_id(cur, Qualification)
    engineer_rows, qualification_rows = [], []
    for i, (u, p, name) in enumerate(engineer_users):
        engineer_rows.append((eid, u, p, f"E{i + 1:05d}", True, start, start))
        world.engineers_by_point.setdefault(p, []).append((eid, u, name))
        for li in rng.sample(range(len(line_ids)), rng.randint(2, 3)):
            certified = (start - timedelta(days=rng.randrange(0, 900))).date()
            qualification_rows.append(
                (qid, eid, line_ids[li], certified, certified + timedelta(days=3 * 365), start, start)
            )
            qid += 1
        eid += 1
    Copier(cur, Engineer, "user service_point employee_no is_active created_at updated_at").write(
        engineer_rows
    )
    Copier(cur, Qualification, "engineer product_line certified_on expires_on created_at updated_at").write(
        qualification_rows
    )

    # customers with contacts, one address each, devices
    cid = next_id(cur, Customer)
    ctid = next_id(cur, Contact)
    adid = next_id(cur, Address)
    dvid = next_id(cur, Device)
    customer_rows, contact_rows, address_rows, device_rows = [], [], [], []
    for i in range(plan.customers):
        province, city, _, districts = rng.choices(cities, weights)[0]
        district = rng.choice(districts)
        company = rng.random() < 0.7
        if company:
            place = city[:-1] if len(city) > 2 else city
            name = f"{place}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}有限公司"
        else:
            name = "".join(person_name(rng))
        served = [p for p in world.points_by_city.get((province, city), []) if world.point_dealer[p]]
        dealer = world.point_dealer[rng.choice(served)] if served and rng.random() < 0.6 else None
        address = f"{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
        phone = mobile(rng)
        customer_rows.append(
            (
                cid,
                f"C{i + 1:06d}",
                "company" if company else "individual",
                name,
                phone,
                f"c{i + 1}@example.cn" if company else "",
                province,
                city,
                district,
                address,
                "",
                dealer,
                start,
                start,
            )
        )
        world.customers.append((cid, province, city, district, name))
        contacts = []
        for k in range(1 if not company or rng.random() < 0.5 else 2):
            contact_name = "".join(person_name(rng)) if company else name
            contact_phone = phone if k == 0 and not company else mobile(rng)
            contact_rows.append(
                (
                    ctid,
                    cid,
                    contact_name,
                    contact_phone,
                    "",
                    "设备管理员" if company else "",
                    k == 0,
                    start,
                    start,
                )
            )
            contacts.append((ctid, contact_name, contact_phone))
            ctid += 1
        world.contacts[cid] = contacts
        address_rows.append(
            (
                adid,
                cid,
                "办公地址" if company else "家",
                province,
                city,
                district,
                address,
                True,
                start,
                start,
            )
        )
        adid += 1
        devices = []
        for _ in range(rng.choice((1, 1, 2, 2, 3)) if company else 1):
            model_id, _line = rng.choice(world.models)
            serial = f"SN{dvid:09d}"
            bought = (start - timedelta(days=rng.randrange(0, 700))).date()
            device_rows.append((dvid, model_id, serial, cid, bought, address, "", start, start))
            devices.append((dvid, model_id, serial, bought))
            dvid += 1
        world.devices[cid] = devices
        cid += 1
    Copier(
        cur,
        Customer,
        "code kind name phone email province city district address notes dealer created_at updated_at",
    ).write(customer_rows)
    Copier(cur, Contact, "customer name phone email title is_primary created_at updated_at").write(
        contact_rows
    )
    Copier(
        cur, Address, "customer label province city district detail is_default created_at updated_at"
    ).write(address_rows)
    Copier(
        cur,
        Device,
        "product_model serial_number customer purchase_date install_address notes created_at updated_at",
    ).write(device_rows)
    for model in (
        ProductLine,
        ProductModel,
        Dealer,
        ServicePoint,
        ServiceArea,
        through,
        User,
        Engineer,
        Qualification,
        Customer,
        Contact,
        Address,
        Device,
    ):
        reset_sequence(cur, model)
    return world


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
        for name in ("wo", "appointment", "visit", "event", "change", "clock", "note"):
            copiers[name].write(life.rows.pop(name, []))
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


def seeded(connection: Any) -> dict | None:
    """What an earlier run seeded (its plan and counts), if any."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SEED_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT plan, counts, seconds FROM {SEED_TABLE} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return None
    plan, counts, seconds = (json.loads(v) if isinstance(v, str) else v for v in row)
    return {"plan": plan, "counts": counts, "seconds": seconds}


def seed(plan: Plan, *, progress: bool = True) -> dict:
    """Seed `plan` into the default database (Django set up, migrated) unless it holds it already;
    returns what is seeded. Inside a transaction (tests) it skips VACUUM, which cannot run there."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from aftersales.workorders.models import WorkOrder

    if connection.vendor != "postgresql":
        raise RuntimeError("bench/seed.py needs PostgreSQL (DATABASE_URL)")
    found = seeded(connection)
    if found is not None:
        if found["plan"] == asdict(plan):
            if progress:
                print(f"reusing the seed of {found['seconds']:.0f} s: {found['counts']}")
            return found
        raise SystemExit(f"the database holds another seed ({found['plan']}); run with --reset")
    if WorkOrder.objects.exists():
        raise SystemExit("the database has work orders the seeder did not write; run with --reset")
    rng = random.Random(SEED)
    started = time.perf_counter()
    with transaction.atomic():
        world = seed_reference(connection, plan, rng, make_password(PASSWORD))
        if progress:
            print(f"reference data in {time.perf_counter() - started:.1f} s", flush=True)
        counts = seed_work_orders(connection, plan, world, rng, progress)
        counts.update(
            customers=len(world.customers), engineers=plan.engineers, service_points=len(world.point_ids)
        )
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {SEED_TABLE} (id serial PRIMARY KEY, plan jsonb NOT NULL, "
                "counts jsonb NOT NULL, seconds double precision NOT NULL, "
                "seeded_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute(
                f"INSERT INTO {SEED_TABLE} (plan, counts, seconds) VALUES (%s, %s, %s)",
                [json.dumps(asdict(plan)), json.dumps(dict(counts)), seconds],
            )
    if not connection.in_atomic_block:
        vacuum_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps: visibility map set
        if progress:
            print(f"VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.1f} s")
    seconds = time.perf_counter() - started
    if progress:
        print(f"seeded in {seconds:.1f} s: {dict(counts)}")
    return {"plan": asdict(plan), "counts": dict(counts), "seconds": seconds}


# --- command line -------------------------------------------------------------------------------


def database_params() -> tuple[str, dict[str, Any]]:
    """The database name of DATABASE_URL and how to reach its server."""
    import dj_database_url

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"bench needs PostgreSQL: DATABASE_URL is {config['ENGINE']}")
    params = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }
    return config["NAME"], params


def prepare_database(*, reset: bool) -> None:
    """Create the database when missing (drop it first with `reset`), set Django up, migrate."""
    import psycopg

    name, params = database_params()
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if reset:
            print(f"dropping database {name}")
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"creating database {name}")
            admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def setup_environment() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ["DEBUG"] = "0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=Plan.work_orders)
    parser.add_argument("--service-points", type=int, default=Plan.service_points)
    parser.add_argument("--engineers", type=int, default=Plan.engineers)
    parser.add_argument("--customers", type=int, default=Plan.customers)
    parser.add_argument("--dealers", type=int, default=Plan.dealers)
    parser.add_argument("--reset", action="store_true", help="drop the database and seed from scratch")
    args = parser.parse_args(argv)
    setup_environment()
    plan = Plan(
        work_orders=args.work_orders,
        service_points=args.service_points,
        engineers=args.engineers,
        customers=args.customers,
        dealers=args.dealers,
    )
    started = time.perf_counter()
    prepare_database(reset=args.reset)
    print(f"database ready in {time.perf_counter() - started:.1f} s", flush=True)
    result = seed(plan)
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"seed-{datetime.now():%Y%m%d-%H%M%S}.json").write_text(
        json.dumps(result, indent=2, default=str)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
