"""The reference data of the seeded company: dealers, service points, staff, engineers, products,
customers and their devices (bench/seed.py)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from seed_copy import Copier, next_id, raw_cursor, reset_sequence

if TYPE_CHECKING:
    from seed import Plan

# --- vocabulary ---------------------------------------------------------------------

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
STREETS = ["人民路", "中山路", "解放路", "科技园路", "滨海大道"]

# The columns written, by field name (Copier reads their columns from _meta).
POINT_FIELDS = """
    code name dealer province city district address latitude longitude phone is_active
    created_at updated_at
"""
USER_FIELDS = """
    password last_login is_superuser username first_name last_name email is_staff is_active
    date_joined role phone dealer service_point language
"""


@dataclass
class World:
    """The reference data the work orders point at (ids and display names)."""

    point_ids: list[int] = field(default_factory=list)
    point_names: dict[int, str] = field(default_factory=dict)
    point_dealer: dict[int, int | None] = field(default_factory=dict)
    points_by_city: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    points_by_province: dict[str, list[int]] = field(default_factory=dict)
    point_lines: dict[int, list[int]] = field(default_factory=dict)  # line indexes a point serves
    engineers_by_point: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    dispatcher_by_point: dict[int, int] = field(default_factory=dict)
    agents: list[int] = field(default_factory=list)
    clerks: list[int] = field(default_factory=list)
    models: list[tuple[int, int]] = field(default_factory=list)  # (model id, line index)
    # (id, province, city, district, name)
    customers: list[tuple[int, str, str, str, str]] = field(default_factory=list)
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


def engineer_lines(rng: random.Random, point_lines: list[int], lines: int) -> list[int]:
    """2-3 of the lines the engineer's point serves, now and then one more (a transfer's)."""
    chosen = rng.sample(point_lines, min(len(point_lines), rng.randint(2, 3)))
    if rng.random() < 0.15:
        chosen.append(rng.choice([li for li in range(lines) if li not in chosen]))
    return chosen


def qualification_term(rng: random.Random, plan: Plan) -> tuple[date, date]:
    """Certified on, expires on: three-year certificates renewed on time by most engineers, so
    valid over the last months before "now"; one in ten lapsed a year or more ago."""
    now = plan.end.date()
    if rng.random() < 0.1:
        certified = now - timedelta(days=rng.randrange(1460, 1900))
    else:
        certified = now - timedelta(days=rng.randrange(120, 1000))
    return certified, certified + timedelta(days=3 * 365)


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
        world.point_lines[pid] = sorted(rng.sample(range(len(line_ids)), rng.randint(3, len(line_ids))))
        line_rows += [(pid, line_ids[li]) for li in world.point_lines[pid]]
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
        for li in engineer_lines(rng, world.point_lines[p], len(line_ids)):
            qualification_rows.append((qid, eid, line_ids[li], *qualification_term(rng, plan), start, start))
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
