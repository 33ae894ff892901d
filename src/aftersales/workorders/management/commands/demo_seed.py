"""`manage.py demo_seed`: a realistic Chinese after-sales company to try the system with.

Product lines and ~20 models, HQ service points and 3 dealers with service points in several
provinces, ~20 engineers with product-line qualifications (some expired), one demo login per
role (password "demo1234"), ~300 customers with contacts and devices, and ~500 work orders in
every state over the last 90 days.

Work orders go through the real services (workorder_create, workorder_transition, note_add),
so their events, history and acknowledgements are what the system itself writes. To place
them in the past, the services run under a simulated clock (`django.utils.timezone.now` is
patched while each step runs), so numbers, timestamps, events and history agree with each
other. Everything people do happens in working hours (`core.demo.working_moment`), and work
handled on the phone or remotely gets remote resolutions (`workorders.demo`). Deterministic
(random.Random(2026)), and idempotent: when the demo data is already there the command says so and
changes nothing. Seeding takes half a minute: it says what it is doing as it goes.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone, translation

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer, Engineer, Qualification, ServicePoint, User
from aftersales.catalog.choices import ModelKind
from aftersales.catalog.demo import demo_seed as catalog_demo_seed
from aftersales.catalog.models import ProductLine, ProductModel
from aftersales.core.demo import simulated_clock, working_after, working_moment
from aftersales.core.phones import phone_normalize
from aftersales.customers.choices import CustomerKind
from aftersales.customers.models import Address, Customer
from aftersales.customers.services import contact_create, customer_create
from aftersales.devices.models import Device
from aftersales.devices.services import device_create
from aftersales.notifications.models import Message
from aftersales.workorders import hooks
from aftersales.workorders.choices import (
    NoteVisibility,
    ProposedHandling,
    State,
    WaitingReason,
    WorkOrderType,
)
from aftersales.workorders.demo import REMOTE_TYPES
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import note_add, workorder_create, workorder_transition

from ._demo_data import (
    ANSWERS,
    AREA_CODES,
    CANCEL_NOTES,
    CHANNELS,
    COMPANY_KINDS,
    COMPANY_WORDS,
    CONSULTATIONS,
    CUSTOMER_REGIONS,
    DEALERS,
    DEMO_USERS,
    DEVICE_LINES,
    FAULT_CATEGORIES,
    FINAL_STATES,
    GIVEN_CHARS,
    HANDLING,
    INSTITUTIONS,
    MOBILE_PREFIXES,
    NOTES_CUSTOMER,
    NOTES_INTERNAL,
    PRIORITIES,
    PROBABLE_CAUSES,
    PRODUCT_LINES,
    PRODUCT_MODELS,
    REMOTE_RESOLUTIONS,
    RESOLUTIONS,
    SERVICE_POINTS,
    STREETS,
    SURNAMES,
    SYMPTOMS,
    TITLES,
    TYPES,
    WAIT_NOTES,
)

SEED = 2026
PASSWORD = "demo1234"
MARKER_DEALER = "DL-GD"  # its presence means the demo data is loaded
WORK_ORDERS_PER_PROGRESS_LINE = 100


def weighted(rng: random.Random, options: list[tuple]) -> object:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


@dataclass
class Plan:
    """One work order to be: its customer, device, final state and the time it was raised."""

    raised_at: datetime
    final_state: str
    type: str
    customer: Customer
    device: Device | None
    point: ServicePoint
    reopened: bool = False
    first_contact: bool = False
    handling: str = ""  # the preliminary assessment's proposed handling (R7), when one is made

    @property
    def remote(self) -> bool:
        """Answered on the phone or by remote desktop: no visit, part or repair (workorders.demo)."""
        return self.type in REMOTE_TYPES or self.handling == ProposedHandling.REMOTE


class Command(BaseCommand):
    help = "Load realistic demo data (Chinese company, ~500 work orders in every state). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the number of customers and work orders (e.g. 0.1 for a quick seed).",
        )

    def handle(self, *args, **options) -> None:
        self.started = started = time.monotonic()
        if Dealer.objects.filter(code=MARKER_DEALER).exists():
            self.stdout.write(self.style.WARNING("Demo data is already loaded; nothing changed."))
            self.print_logins()
            return
        translation.activate(settings.LANGUAGE_CODE)  # texts the services store read in Chinese
        scale = max(0.01, float(options["scale"]))
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.used_phones: set[str] = set()
        self.used_names: set[str] = set()
        notifications_logger = logging.getLogger("aftersales.notifications")
        old_level = notifications_logger.level
        notifications_logger.setLevel(logging.WARNING)  # the demo's SMS acknowledgements stay quiet
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                with transaction.atomic():
                    self.progress("Reference data: product lines, models, parts, service points")
                    self.seed_reference()
                    self.progress("People: demo logins and engineers with their qualifications")
                    self.seed_people()
                    customers = round(300 * scale)
                    self.progress(f"Customers: {customers} with contacts and devices")
                    self.seed_customers(customers)
                    self.seed_work_orders(round(500 * scale))
                    for seeder in hooks.demo_seeders:  # visits, repairs, return visits, complaints...
                        app = seeder.__module__.split(".")[-2]
                        self.progress(f"Demo records of {app}: {seeder.__name__}")
                        seeder(rng=self.rng, now=self.now)
                    self.progress("Saving")
                # Acknowledgements are sent on commit (now); they were sent when accepted.
                Message.objects.filter(idempotency_key__startswith="ack:", sent_at__isnull=False).update(
                    sent_at=F("created_at")
                )
        finally:
            notifications_logger.setLevel(old_level)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {elapsed:.1f} s: {Customer.objects.count()} customers, "
                f"{Device.objects.count()} devices, {Engineer.objects.count()} engineers, "
                f"{WorkOrder.objects.count()} work orders."
            )
        )
        self.print_logins()

    def progress(self, phase: str) -> None:
        """One line per phase as it starts, with the seconds since the command started."""
        self.stdout.write(f"[{time.monotonic() - self.started:5.1f} s] {phase}")
        self.stdout.flush()

    def print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password “{PASSWORD}”):")
        rows = [(username, Role(role).label) for username, role, _name, _dealer in DEMO_USERS]
        rows.insert(3, ("engineer", Role.ENGINEER.label))
        for username, label in rows:
            self.stdout.write(f"  {username:<12} {label}")

    # --- helpers -------------------------------------------------------------------------

    def person_name(self) -> str:
        given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number in self.used_phones:
                continue
            try:
                phone_normalize(number)
            except ValidationError:
                continue
            self.used_phones.add(number)
            return number

    def landline(self, city: str) -> str:
        while True:
            area = AREA_CODES[city]
            digits = 8 if len(area) == 3 else self.rng.choice((7, 8))
            number = (
                area
                + str(self.rng.randint(2, 8))
                + "".join(str(self.rng.randrange(10)) for _ in range(digits - 1))
            )
            if number in self.used_phones:
                continue
            try:
                phone_normalize(number)
            except ValidationError:
                return self.mobile()
            self.used_phones.add(number)
            return number

    def street(self) -> str:
        return f"{self.rng.choice(STREETS)} {self.rng.randint(1, 999)} 号"

    def past(self, days_min: float, days_max: float) -> datetime:
        """A moment in working hours between about days_min and days_max days ago."""
        day = self.today - timedelta(days=self.rng.randint(int(days_min), int(days_max)))
        moment = datetime(day.year, day.month, day.day, self.rng.randint(8, 17), self.rng.randrange(60))
        return working_moment(
            timezone.make_aware(moment), not_after=self.now - timedelta(minutes=self.rng.randint(5, 120))
        )

    # --- reference data ------------------------------------------------------------------

    def seed_reference(self) -> None:
        self.lines = {
            code: ProductLine.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in PRODUCT_LINES
        }
        self.models = []
        for line, code, name, kind, months in PRODUCT_MODELS:
            model, _created = ProductModel.objects.get_or_create(
                code=code,
                defaults={
                    "product_line": self.lines[line],
                    "name": name,
                    "kind": kind,
                    "warranty_months": months,
                },
            )
            self.models.append(model)
        self.device_models = [m for m in self.models if m.kind == ModelKind.DEVICE]
        catalog_demo_seed()  # the parts catalog, fitting these models
        self.dealers = {}
        for code, name, contact, phone in DEALERS:
            self.dealers[code] = Dealer.objects.create(
                code=code, name=name, contact_name=contact, phone=phone_normalize(phone)
            )
        self.points: list[ServicePoint] = []
        for code, name, dealer, province, city, district, address, lat, lng, phone, lines in SERVICE_POINTS:
            point = ServicePoint.objects.create(
                code=code,
                name=name,
                dealer=self.dealers[dealer] if dealer else None,
                province=province,
                city=city,
                district=district,
                address=address,
                latitude=Decimal(lat),
                longitude=Decimal(lng),
                phone=phone_normalize(phone),
            )
            point.product_lines.set([self.lines[line] for line in lines])
            point.line_codes = lines
            self.points.append(point)

    def seed_people(self) -> None:
        password = make_password(PASSWORD)  # hashed once: hashing per user would take seconds
        self.users: dict[str, User] = {}
        hq_point = self.points[0]
        for username, role, (last, first), dealer in DEMO_USERS:
            self.users[username] = User.objects.create(
                username=username,
                password=password,
                role=role,
                last_name=last,
                first_name=first,
                email=f"{username}@aftersales.example.cn",
                phone=phone_normalize(self.mobile()),
                dealer=self.dealers[dealer] if dealer else None,
                service_point=hq_point if role in (Role.DISPATCHER, Role.CLERK) else None,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
        self.dealer_staff = {u.dealer_id: u for u in self.users.values() if u.role == Role.DEALER_STAFF}
        self.engineers_by_point: dict[int, list[Engineer]] = {}
        number = 0
        for point in self.points:
            for index in range(2):
                number += 1
                name = self.person_name()
                username = "engineer" if number == 1 else f"eng{number:02d}"
                user = User.objects.create(
                    username=username,
                    password=password,
                    role=Role.ENGINEER,
                    last_name=name[0],
                    first_name=name[1:],
                    phone=phone_normalize(self.mobile()),
                    dealer=point.dealer,
                    service_point=point,
                )
                engineer = Engineer.objects.create(
                    user=user, service_point=point, employee_no=f"E{number:04d}"
                )
                lines = [code for code in DEVICE_LINES if code in point.line_codes]
                chosen = self.rng.sample(lines, k=self.rng.randint(1, len(lines)))
                # The first engineer of a point is qualified for all it serves (R38), so its work
                # always has someone to go to; the second shows partial and expired cover.
                lead = index == 0
                for line in sorted(lines if lead else chosen):
                    # eng02 always shows an expired qualification, whatever the scale.
                    expired = not lead and (number == 2 or self.rng.random() < 0.15)
                    certified = self.today - timedelta(
                        days=self.rng.randint(800, 1000) if expired else self.rng.randint(100, 700)
                    )
                    Qualification.objects.create(
                        engineer=engineer,
                        product_line=self.lines[line],
                        certified_on=certified,
                        expires_on=certified + timedelta(days=730),
                    )
                engineer.line_ids = {
                    q.product_line_id for q in engineer.qualifications.all() if q.is_valid_on(self.today)
                }
                self.engineers_by_point.setdefault(point.pk, []).append(engineer)

    # --- customers and devices -----------------------------------------------------------

    def company_name(self, city: str) -> str:
        short = city.removesuffix("市")
        while True:
            if self.rng.random() < 0.15:
                name = f"{short}市{self.rng.choice(['', '第二', '第三'])}{self.rng.choice(INSTITUTIONS)}"
            else:
                words = "".join(self.rng.sample(COMPANY_WORDS, 2))
                name = f"{short}{words}{self.rng.choice(COMPANY_KINDS)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def seed_customers(self, count: int) -> None:
        self.customers: list[Customer] = []
        self.devices_by_customer: dict[int, list[Device]] = {}
        serial = 0
        for index in range(count):
            province, city, districts, dealer = self.rng.choice(CUSTOMER_REGIONS)
            district = self.rng.choice(districts)
            is_company = self.rng.random() < 0.7
            contact = self.person_name()
            name = self.company_name(city) if is_company else contact
            address = self.street() + (f" {self.rng.randint(1, 30)} 楼" if is_company else "")
            joined = self.past(120, 900)
            with simulated_clock(joined):
                customer = customer_create(
                    name=name,
                    phone=self.landline(city) if is_company and index % 3 else self.mobile(),
                    kind=CustomerKind.COMPANY if is_company else CustomerKind.INDIVIDUAL,
                    email=f"service{index:03d}@example.cn" if is_company and index % 2 else "",
                    province=province,
                    city=city,
                    district=district,
                    address=address,
                    dealer=self.dealers[dealer] if dealer else None,
                    actor=self.users["agent"],
                )
                mobile = self.mobile()
                contact_create(
                    customer=customer,
                    name=contact,
                    phone=mobile,
                    title=self.rng.choice(TITLES) if is_company else "",
                    is_primary=True,
                )
                if is_company and self.rng.random() < 0.4:
                    contact_create(
                        customer=customer,
                        name=self.person_name(),
                        phone=self.mobile(),
                        title=self.rng.choice(TITLES),
                    )
                Address.objects.create(
                    customer=customer,
                    label="办公地址" if is_company else "住址",
                    province=province,
                    city=city,
                    district=district,
                    detail=address,
                    is_default=True,
                )
                devices = []
                for _ in range(self.rng.choice((1, 1, 2, 3)) if is_company else 1):
                    model = self.rng.choice(self.device_models)
                    serial += 1
                    purchased = joined.date() - timedelta(days=self.rng.randint(0, 400))
                    devices.append(
                        device_create(
                            product_model=model,
                            serial_number=f"{model.code.replace('-', '')[:5]}{purchased:%y%m}{serial:05d}",
                            customer=customer,
                            purchase_date=purchased,
                            install_address=f"{province}{city}{district}{address}",
                        )
                    )
            customer.primary_contact = customer.contacts.get(is_primary=True)
            self.customers.append(customer)
            self.devices_by_customer[customer.pk] = devices

    # --- work orders ---------------------------------------------------------------------

    def point_for(self, customer: Customer, device: Device | None) -> ServicePoint:
        """A point of the customer's dealer, near them, that serves the device's product line, so
        the point's lead engineer is qualified for the work (R38)."""
        points = self.points
        if device is not None:
            line_id = device.product_model.product_line_id
            points = [p for p in points if line_id in {self.lines[code].pk for code in p.line_codes}]
        group = [p for p in points if p.dealer_id == customer.dealer_id] or points
        near = [p for p in group if p.province == customer.province]
        return self.rng.choice(near or group)

    def plans(self, count: int) -> list[Plan]:
        """Every state once, a first-contact resolution and a reopened order, then by weight."""
        specs = [(state, False, False) for state, _weight in FINAL_STATES]
        specs += [(State.CLOSED, True, False), (State.CLOSED, False, True)]
        for _ in range(max(0, count - len(specs))):
            final = weighted(self.rng, FINAL_STATES)
            first_contact = final == State.CLOSED and self.rng.random() < 0.12
            reopened = (
                final in (State.IN_SERVICE, State.CLOSED) and not first_contact and self.rng.random() < 0.08
            )
            specs.append((final, first_contact, reopened))
        recent = {State.NEW: (0, 2), State.ACCEPTED: (0, 4), State.ASSIGNED: (0, 6)}
        plans = []
        for final, first_contact, reopened in specs:
            customer = self.rng.choice(self.customers)
            devices = self.devices_by_customer[customer.pk]
            kind = WorkOrderType.CONSULTATION if first_contact else weighted(self.rng, TYPES)
            if reopened and kind == WorkOrderType.CONSULTATION:
                kind = WorkOrderType.REPAIR
            device = self.rng.choice(devices) if devices else None
            assessed = kind in (WorkOrderType.REPAIR, WorkOrderType.COMPLAINT) and final != State.NEW
            handling = weighted(self.rng, HANDLING) if assessed else ""
            days = recent.get(final, (3, 88) if final in (State.CLOSED, State.CANCELLED) else (1, 30))
            plans.append(
                Plan(
                    raised_at=self.past(*days),
                    final_state=final,
                    type=kind,
                    customer=customer,
                    device=device,
                    point=self.point_for(customer, device),
                    reopened=reopened,
                    first_contact=first_contact,
                    handling=handling,
                )
            )
        return sorted(plans, key=lambda plan: plan.raised_at)

    def seed_work_orders(self, count: int) -> None:
        self.progress(f"Work orders: {count}, each through its lifecycle")
        for done, plan in enumerate(self.plans(count), start=1):
            self.run_plan(plan)
            if done % WORK_ORDERS_PER_PROGRESS_LINE == 0 and done < count:
                self.progress(f"Work orders: {done} of {count}")

    def engineer_for(self, plan: Plan) -> Engineer:
        engineers = self.engineers_by_point[plan.point.pk]
        line_id = plan.device.product_model.product_line_id if plan.device else None
        if line_id is None:
            return self.rng.choice(engineers)
        qualified = [e for e in engineers if line_id in e.line_ids]  # R38; never empty (lead)
        return self.rng.choice(qualified)

    def run_plan(self, plan: Plan) -> None:
        rng = self.rng
        clock = plan.raised_at
        limit = self.now - timedelta(minutes=1)

        def later(hours_min: float, hours_max: float) -> datetime:
            """A working moment some hours after the last step (never after now)."""
            nonlocal clock
            clock = working_after(clock, rng.uniform(hours_min, hours_max), not_after=limit)
            return clock

        agent = self.users[rng.choice(["agent", "agent2"])]
        dealer_staff = self.dealer_staff.get(plan.point.dealer_id)
        fields = self.intake_fields(plan)
        with simulated_clock(clock):
            order = workorder_create(actor=agent, **fields)

        def step(action: str, actor: User, hours: tuple[float, float], **extra) -> None:
            nonlocal order
            with simulated_clock(later(*hours)):
                order = workorder_transition(work_order_id=order.pk, action=action, actor=actor, **extra)

        def maybe_note(author: User) -> None:
            if rng.random() < 0.35:
                internal = rng.random() < 0.7
                with simulated_clock(later(0.1, 2)):
                    note_add(
                        work_order=order,
                        actor=author,
                        body=rng.choice(NOTES_INTERNAL if internal else NOTES_CUSTOMER),
                        visibility=NoteVisibility.INTERNAL if internal else NoteVisibility.CUSTOMER,
                    )

        final = plan.final_state
        if final == State.NEW:
            maybe_note(agent)
            return
        if plan.first_contact:
            step("resolve", agent, (0.05, 0.5), resolution=rng.choice(ANSWERS))
            return
        front = dealer_staff or agent
        if final == State.CANCELLED and rng.random() < 0.4:
            step("cancel", agent, (0.2, 6), note=rng.choice(CANCEL_NOTES))
            return
        step("accept", front, (0.1, 3))
        maybe_note(agent)
        if final == State.ACCEPTED:
            return
        if final == State.CANCELLED:
            step("cancel", agent, (1, 24), note=rng.choice(CANCEL_NOTES))
            return
        engineer = self.engineer_for(plan)
        step("assign", dealer_staff or self.users["dispatcher"], (0.3, 6), engineer=engineer)
        if final == State.ASSIGNED:
            return
        field_user = engineer.user
        step("start", field_user, (2, 40))
        maybe_note(field_user)
        waits = final == State.WAITING or rng.random() < 0.25
        if waits:
            # (a fee decision is billing's own wait, seeded with its settlements)
            reasons = [r for r in WaitingReason.values if r != WaitingReason.FEE_DECISION]
            reason = weighted(rng, [(r, 1) for r in reasons])
            step("wait", field_user, (0.5, 6), waiting_reason=reason, note=WAIT_NOTES[reason])
            if final == State.WAITING:
                return
            step("resume", field_user, (20, 96))
        if final == State.IN_SERVICE and not plan.reopened:
            return
        resolutions = REMOTE_RESOLUTIONS if plan.remote else RESOLUTIONS
        step("complete", field_user, (0.5, 8), resolution=rng.choice(resolutions))
        if final == State.COMPLETED:
            return
        closer = dealer_staff or self.users[rng.choice(["agent", "clerk"])]
        if plan.reopened:
            step("close", closer, (4, 48))
            step("reopen", self.users["clerk"], (24, 96), note="回访客户不满意：故障再次出现")
            if final == State.IN_SERVICE:
                return
            step("complete", field_user, (4, 48), resolution=rng.choice(resolutions))
        step("close", closer, (4, 72))

    def intake_fields(self, plan: Plan) -> dict:
        rng = self.rng
        customer, device = plan.customer, plan.device
        fields = {
            "channel": weighted(rng, CHANNELS),
            "type": plan.type,
            "priority": weighted(rng, PRIORITIES),
            "customer": customer,
            "contact": customer.primary_contact,
            "service_point": plan.point,
        }
        line = device.product_model.product_line.code if device else "PRN"
        if plan.type == WorkOrderType.CONSULTATION:
            fields["fault_symptom"] = rng.choice(CONSULTATIONS)
            if device and rng.random() < 0.5:
                fields["device"] = device
            return fields
        if device is not None:
            fields["device"] = device
        else:
            fields["device_model_text"] = rng.choice(self.device_models).name
        if plan.type == WorkOrderType.REPAIR or plan.type == WorkOrderType.COMPLAINT:
            symptom, error, operations = rng.choice(SYMPTOMS[line])
            fields.update(fault_symptom=symptom, error_messages=error, recent_operations=operations)
            if plan.final_state != State.NEW:
                fields.update(
                    fault_category=rng.choice(FAULT_CATEGORIES),
                    probable_cause=rng.choice(PROBABLE_CAUSES),
                    proposed_handling=plan.handling,
                    estimated_hours=Decimal(rng.choice(["1.0", "1.5", "2.0", "3.0", "4.0"])),
                )
        elif plan.type == WorkOrderType.MAINTENANCE:
            fields["fault_symptom"] = "年度例行保养：清洁、润滑、更换易损件"
        elif plan.type == WorkOrderType.INSTALLATION:
            fields["fault_symptom"] = "新购设备安装调试，并培训客户使用"
        elif plan.type == WorkOrderType.RETURN_EXCHANGE:
            consumable = rng.choice([m for m in self.models if m.kind != ModelKind.DEVICE])
            fields["part_model"] = str(consumable)
            fields["fault_symptom"] = f"{consumable.name} 安装后无法识别，申请换货"
        else:
            fields["fault_symptom"] = "客户来电询问服务进度并要求回电"
        return fields
