"""The world of the IDOR test (R37, tests/security/test_idor.py): two dealers, A and B, each with a
service point, an engineer, a member of staff, a customer, a device and a work order, and one of
every record a URL of the site names by its id. Built once per test module (straight in the
database where the record's lifecycle does not matter, through the services where they are
simple); dealer A's records are attributes of the world (`world.visit`, `world.claim` ...), dealer
B's are in `world.b_records`.

Dealer A's records carry names, numbers and phones found nowhere else in the world (`markers`): a
response to dealer B's people that contains one of them has leaked A's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import LoginFailure, LoginThrottle
from aftersales.accounts.services import api_token_create
from aftersales.billing.choices import PaymentMethod, WaiverKind
from aftersales.billing.models import InvoiceRequest, Payment, Settlement, WaiverRequest
from aftersales.catalog.models import FeeSchedule
from aftersales.complaints.choices import ComplaintCategory, ComplaintSource, Severity
from aftersales.complaints.models import Complaint, DifficultCase
from aftersales.core.models import SavedFilter
from aftersales.core.phones import phone_mask
from aftersales.customers.models import Address, Contact
from aftersales.feedback.choices import ReturnVisitKind
from aftersales.feedback.models import ReturnVisit
from aftersales.field.choices import SupervisionState, VisitState
from aftersales.field.models import Appointment, EngineerLeave, ServiceArea, SupervisionCard, VisitPart
from aftersales.notifications.models import Notification
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import (
    ClaimLine,
    PartRequest,
    PartRequestLine,
    ReimbursementClaim,
    StockAlert,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockTransfer,
    TransferLine,
    Warehouse,
)
from aftersales.parts.services import stock
from aftersales.parts.services.accounts import account_of
from aftersales.parts.services.alerts import reorder_rule_create
from aftersales.parts.services.dealer_accounts import payment_record
from aftersales.parts.services.old_parts import old_part_register, old_part_transition, shipment_create
from aftersales.returns.choices import ItemCondition, ReturnKind, ReturnReason, ReturnState
from aftersales.returns.models import ReturnPhoto, ReturnRequest
from aftersales.servicing.choices import DepotState, RemoteMethod, SendOutReason
from aftersales.servicing.models import DepotRepairPart, ExternalRepair, RemoteSession, ServicePlan
from aftersales.sla.choices import ExceptionKind
from aftersales.sla.models import CalendarException, SlaPolicy, WorkingCalendar
from aftersales.workorders.choices import State
from aftersales.workorders.services import attachment_add

from .. import factories as f
from ..api.helpers import PNG_BYTES
from ..machines import _approved_quote, _depot_repair, _old_part_row, _visit
from ..servicing.factories import VendorFactory


@dataclass
class Side:
    """One dealer's people and its customer's basics; `code` and `name` are in its numbers and
    names, so that none of them is another dealer's too."""

    code: str
    name: str
    phone: str  # the customer's national number; its contacts' follow it
    dealer: Any
    point: Any
    engineer: Any
    staff: Any
    customer: Any
    device: Any
    work_order: Any


def side(code: str, name: str, phone: str) -> Side:
    """A dealer with a service point, an engineer, a member of staff, a customer of the dealer with
    a device, and an in-service work order of that device at the point, assigned to the engineer."""
    dealer = f.DealerFactory(code=code, name=f"{name}经销商")
    point = f.ServicePointFactory(dealer=dealer, code=f"SP-{code}", name=f"{name}服务网点")
    engineer = f.EngineerFactory(
        service_point=point,
        employee_no=f"E-{code}",
        user__username=f"idor_engineer_{code.lower()}",
        user__last_name=name,
        user__first_name="工",
    )
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username=f"idor_staff_{code.lower()}")
    customer = f.CustomerFactory(
        dealer=dealer,
        code=f"C-{code}",
        name=f"{name}客户有限公司",
        phone=f"+86{phone}",
        address=f"{name}大道 1 号",
    )
    device = f.DeviceFactory(
        customer=customer, serial_number=f"SN-{code}-0001", install_address=f"{name}大道 1 号 3 楼机房"
    )
    work_order = f.WorkOrderFactory(
        number=f"WO-{code}-0001",
        state=State.IN_SERVICE,
        customer=customer,
        contact_name=f"{name}联系人",
        contact_phone=f"+86{int(phone) + 1}",
        device=device,
        product_model=device.product_model,
        service_point=point,
        engineer=engineer,
    )
    return Side(code, name, phone, dealer, point, engineer, staff, customer, device, work_order)


class Records(dict):
    """A dealer's records by the name the test's registry uses, also as attributes."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class World:
    a: Side
    b: Side
    # an engineer of dealer A's other service point: sees the dealer's customers, not the point's work
    a_elsewhere: Any
    hq_admin: Any
    records: Records  # dealer A's
    b_records: Records  # dealer B's own, to ask for dealer A's records through them

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["records"][name]
        except KeyError:
            raise AttributeError(name) from None

    def files_restore(self) -> None:
        """Put back any of the records' files a request deleted (the database rolls back, the disk
        does not)."""
        for record in [*self.records.values(), *self.b_records.values()]:
            for model_field in record._meta.concrete_fields:
                file = getattr(record, model_field.name)
                if isinstance(file, FieldFile) and file.name and not file.storage.exists(file.name):
                    file.storage.save(file.name, ContentFile(PNG_BYTES))

    @property
    def markers(self) -> list[str]:
        """Strings of dealer A's data that appear nowhere in dealer B's: names, numbers, phones
        (with and without the country code), serial numbers."""
        a = self.a
        phones = [a.customer.phone, a.work_order.contact_phone, self.records["contact"].phone]
        texts = [
            *phones,
            *(phone.removeprefix("+86") for phone in phones),
            *(phone_mask(phone) for phone in phones),
            a.customer.address,
            a.device.install_address,
            self.records["address"].detail,
            a.dealer.name,
            a.point.name,
            a.engineer.employee_no,
            a.engineer.user.username,
            a.staff.username,
            a.customer.name,
            a.customer.code,
            a.device.serial_number,
            a.work_order.number,
            a.work_order.contact_name,
        ]
        for record in self.records.values():
            for attribute in ("number", "receipt_number", "voucher_number", "tracking_number", "title"):
                value = getattr(record, attribute, "")
                if isinstance(value, str) and len(value) >= 5:
                    texts.append(value)
        return sorted(set(texts))


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


@dataclass
class Hq:
    """HQ's people who keep the records, and the part every record names."""

    clerk: Any
    parts_clerk: Any
    finance: Any
    part: Any


def build_world() -> World:
    """Both dealers with their records, HQ's admin (who sees everything: the control that each id
    is real), and an engineer of dealer A's other service point."""
    a, b = side("IDA", "甲方", "13800000100"), side("IDB", "乙方", "13900000200")
    part = f.PartFactory(number="IDOR-P1", name="定影组件")
    f.PriceListItemFactory(part=part, cost_price="100.00", retail_price="150.00")
    hq = Hq(
        clerk=f.UserFactory(role=Role.CLERK, username="idor_clerk"),
        parts_clerk=f.UserFactory(role=Role.PARTS_CLERK, username="idor_parts_clerk"),
        finance=f.UserFactory(role=Role.FINANCE, username="idor_finance"),
        part=part,
    )
    return World(
        a=a,
        b=b,
        a_elsewhere=f.EngineerFactory(
            service_point=f.ServicePointFactory(dealer=a.dealer, code="SP-IDA-2", name="甲方第二网点"),
            employee_no="E-IDA-2",
            user__username="idor_engineer_ida_2",
        ),
        hq_admin=f.UserFactory(role=Role.HQ_ADMIN, username="idor_hq_admin"),
        records=dealer_records(a, hq),
        b_records=dealer_records(b, hq),
    )


def dealer_records(s: Side, hq: Hq) -> Records:
    """One of every record a URL names by its id, of the dealer of `s`."""
    records = Records()
    code, name, part = s.code, s.name, hq.part
    engineer_user = s.engineer.user
    now = timezone.now()
    numbers = iter(range(2, 100))

    def order() -> Any:
        """Another of the dealer's in-service work orders, for a record a work order has one of."""
        return f.WorkOrderFactory(
            number=f"WO-{code}-{next(numbers):04d}",
            state=State.IN_SERVICE,
            customer=s.customer,
            contact_name=s.work_order.contact_name,
            contact_phone=s.work_order.contact_phone,
            device=s.device,
            product_model=s.device.product_model,
            service_point=s.point,
            engineer=s.engineer,
        )

    # -- the organisation (a dealer's account is found by its dealer's id) ------------------------
    records["dealer"] = records["dealer_org"] = s.dealer
    records["service_point"] = s.point
    records["engineer"] = s.engineer
    records["staff"] = s.staff
    records["qualification"] = f.QualificationFactory(engineer=s.engineer)
    records["leave"] = EngineerLeave.objects.create(
        engineer=s.engineer, start=date(2026, 12, 21), end=date(2026, 12, 22), reason=f"{name}年假"
    )
    records["service_area"] = ServiceArea.objects.create(
        service_point=s.point, province="浙江省", city="杭州市", district="西湖区"
    )
    records["calendar"] = calendar = WorkingCalendar.objects.create(
        name=f"{name}网点日历", service_point=s.point
    )
    records["calendar_exception"] = CalendarException.objects.create(
        calendar=calendar, date=date(2026, 12, 24), kind=ExceptionKind.HOLIDAY, note=f"{name}盘点"
    )
    records["sla_policy"] = SlaPolicy.objects.create(name=f"{name}大客户协议", match_customer=s.customer)
    # sign-in lock-outs and failures: HQ's admins only, whoever tried
    records["login_throttle"] = LoginThrottle.objects.create(
        username=s.staff.username,
        ip_address="203.0.113.7",
        failures=5,
        locked_until=now + timedelta(days=3650),
    )
    records["login_failure"] = LoginFailure.objects.create(
        username=s.staff.username, user=s.staff, ip_address="203.0.113.7"
    )

    # -- the people's own things ------------------------------------------------------------------
    records["saved_filter"] = SavedFilter.objects.create(
        user=s.staff, list_key="workorders", name=f"{name}的筛选", query="state=new"
    )
    records["api_token"], _key = api_token_create(client=f"{name}的手机", actor=s.staff)
    records["notification"] = Notification.objects.create(
        recipient=s.staff, title=f"工单 {s.work_order.number} 即将超时", key="idor:1", url="/workorders/"
    )

    # -- work order, devices, contracts, fees -----------------------------------------------------
    records["work_order"] = s.work_order
    records["customer"] = s.customer
    records["contact"] = Contact.objects.create(
        customer=s.customer, name=f"{name}采购", phone=f"+86{int(s.phone) + 2}"
    )
    records["address"] = Address.objects.create(
        customer=s.customer, province="上海市", city="上海市", detail=f"{name}仓库 9 号"
    )
    records["device"] = s.device
    records["attachment"] = attachment_add(work_order=s.work_order, actor=engineer_user, upload=png())
    records["contract"] = contract = f.ServiceContractFactory(
        number=f"HT-{code}-0001", customer=s.customer, devices=[s.device], sold_by=hq.clerk
    )
    records["maintenance_plan"] = f.MaintenancePlanFactory(contract=contract, created_by=hq.clerk)
    records["fee_schedule"] = FeeSchedule.objects.create(
        code=f"DF-{code}", name=f"{name}本地收费标准", effective_from=date(2026, 1, 1), dealer=s.dealer
    )

    # -- field ------------------------------------------------------------------------------------
    records["appointment"] = Appointment.objects.create(
        work_order=s.work_order,
        engineer=s.engineer,
        date=timezone.localdate() + timedelta(days=1),
        window_start=time(9),
        window_end=time(11),
    )
    records["visit"] = visit = _visit(s.work_order, s.engineer, VisitState.ON_SITE)
    records["visit_part"] = VisitPart.objects.create(
        visit=visit, part_number=part.number, name=part.name, created_by=engineer_user
    )
    done = _visit(s.work_order, s.engineer, VisitState.DONE)
    records["supervision_card"] = SupervisionCard.objects.create(
        visit=done, state=SupervisionState.PENDING, due_at=now + timedelta(days=1)
    )

    # -- servicing --------------------------------------------------------------------------------
    records["remote_session"] = RemoteSession.objects.create(
        work_order=s.work_order,
        method=RemoteMethod.PHONE,
        steps="电话指导客户重启",
        performed_by=engineer_user,
    )
    records["service_plan"] = ServicePlan.objects.create(
        work_order=s.work_order,
        measures="更换定影组件",
        estimated_hours=Decimal("2.0"),
        created_by=engineer_user,
    )
    records["depot_repair"] = depot = _depot_repair(s.work_order, s.engineer, DepotState.REPAIRING)
    records["depot_part"] = DepotRepairPart.objects.create(
        depot_repair=depot, part_number=part.number, name=part.name, created_by=engineer_user
    )
    sent_out = _depot_repair(order(), s.engineer, DepotState.EXTERNAL)
    records["external_repair"] = ExternalRepair.objects.create(
        work_order=sent_out.work_order,
        depot_repair=sent_out,
        vendor=VendorFactory(),
        reason=SendOutReason.BEYOND_LOCAL,
        vendor_contact="王经理",
        voucher_number=f"QJ-{code}-0001",
        sent_by=engineer_user,
        expected_back_on=timezone.localdate() + timedelta(days=5),
    )

    # -- feedback, complaints ---------------------------------------------------------------------
    records["return_visit"] = ReturnVisit.objects.create(
        number=f"RV-{code}-0001",
        work_order=s.work_order,
        kind=ReturnVisitKind.ROUTINE,
        engineer=s.engineer,
        service_point=s.point,
        work_completed_at=now,
        due_at=now,
        next_call_at=now,
    )
    records["complaint"] = Complaint.objects.create(
        number=f"CP-{code}-0001",
        source=ComplaintSource.HOTLINE,
        category=ComplaintCategory.ATTITUDE,
        severity=Severity.GENERAL,
        customer=s.customer,
        work_order=s.work_order,
        contact_phone=s.work_order.contact_phone,
        description="工程师态度恶劣",
        response_due_at=now + timedelta(days=1),
        response_warn_at=now + timedelta(hours=18),
    )
    records["difficult_case"] = DifficultCase.objects.create(
        number=f"DC-{code}-0001", work_order=s.work_order, level=1, handler=hq.clerk, opened_by=hq.clerk
    )

    # -- billing ----------------------------------------------------------------------------------
    records["quote"] = quote = _approved_quote(s.work_order, s.engineer, state="draft")
    records["quote_line"] = quote.lines.get()
    settled = _approved_quote(order(), s.engineer)
    records["settlement"] = settlement = Settlement.objects.create(
        work_order=settled.work_order,
        quote=settled,
        total="80.00",
        customer_total="80.00",
        created_by=engineer_user,
    )
    records["payment"] = Payment.objects.create(
        settlement=settlement,
        method=PaymentMethod.CASH,
        amount="10.00",
        receipt_number=f"SJ-{code}-0001",
        recorded_by=engineer_user,
    )
    records["waiver"] = WaiverRequest.objects.create(
        settlement=settlement,
        kind=WaiverKind.DISCOUNT,
        amount_requested="20.00",
        reason="老客户",
        requested_by=engineer_user,
    )
    records["invoice"] = InvoiceRequest.objects.create(
        settlement=settlement,
        title=f"{s.customer.name}（发票）",
        amount="80.00",
        due_on=date(2026, 12, 31),
        requested_by=engineer_user,
    )

    # -- stock ------------------------------------------------------------------------------------
    records["store"] = store = Warehouse.objects.create(
        code=f"SP-{code}-STORE", name=f"{name}网点库", kind=WarehouseKind.SERVICE_POINT, service_point=s.point
    )
    van = Warehouse.objects.create(
        code=f"VAN-{code}",
        name=f"{name}工程师车载库",
        kind=WarehouseKind.VAN,
        service_point=s.point,
        engineer=s.engineer,
    )
    stock.receive(warehouse=store, part=part, quantity=5, unit_cost=Decimal("12.50"), actor=hq.parts_clerk)
    records["balance"] = StockBalance.objects.get(warehouse=store, part=part)
    records["move"] = StockMove.objects.filter(warehouse=store).latest("pk")
    records["reorder_rule"] = reorder_rule_create(
        warehouse=store, part=part, minimum=10, target=20, actor=hq.parts_clerk
    )
    records["alert"] = StockAlert.objects.get(warehouse=store, part=part)
    records["transfer"] = transfer = StockTransfer.objects.create(
        number=f"DB-{code}-0001", source=store, destination=van, created_by=hq.parts_clerk
    )
    records["transfer_line"] = TransferLine.objects.create(transfer=transfer, part=part, quantity=2)
    records["count"] = count = StockCount.objects.create(
        number=f"PD-{code}-0001", warehouse=store, created_by=hq.parts_clerk
    )
    StockCountLine.objects.create(count=count, part=part, expected=5)

    # -- the dealer's account, part requests, old parts and claims ----------------------------------
    records["account"] = account_of(s.dealer)
    records["account_entry"] = payment_record(
        dealer=s.dealer, amount="500.00", actor=hq.finance, reference=f"{code}-PAY"
    )
    records["part_request"] = request = PartRequest.objects.create(
        number=f"PR-{code}-0001",
        dealer=s.dealer,
        service_point=s.point,
        created_by=s.staff,
        total=Decimal("100.00"),
    )
    records["part_request_line"] = PartRequestLine.objects.create(
        request=request, part=part, quantity=2, unit_cost=Decimal("50.00"), amount=Decimal("100.00")
    )
    records["old_part"] = old_part = _old_part_row(s.work_order, s.engineer, "registered")
    old_part.photo.save("old.png", ContentFile(PNG_BYTES), save=True)
    packed = old_part_register(
        work_order=s.work_order, part=part, quantity=1, serial_number="", actor=engineer_user
    )
    old_part_transition(old_part_id=packed.pk, action="report", actor=s.staff)
    records["packed_old_part"] = packed
    records["shipment"] = shipment_create(service_point=s.point, old_part_ids=[packed.pk], actor=s.staff)
    records["claim"] = claim = ReimbursementClaim.objects.create(
        number=f"BX-{code}-0001", dealer=s.dealer, month=date(2026, 10, 1), claimed_total="100.00"
    )
    claimed = _old_part_row(s.work_order, s.engineer, "reported")
    records["claim_line"] = ClaimLine.objects.create(
        claim=claim, old_part=claimed, quantity=1, unit_cost="100.00", amount="100.00"
    )

    # -- returns and exchanges --------------------------------------------------------------------
    records["return_request"] = returned = ReturnRequest.objects.create(
        number=f"TH-{code}-0001",
        kind=ReturnKind.RETURN,
        state=ReturnState.DRAFT,
        work_order=s.work_order,
        customer=s.customer,
        dealer=s.dealer,
        serial_number=s.device.serial_number,
        reason=ReturnReason.QUALITY,
        purchase_date=timezone.localdate() - timedelta(days=2),
        proof_of_purchase=f"FP-{code}-0001",
        condition=ItemCondition.UNOPENED,
        requested_by=engineer_user,
    )
    photo = ReturnPhoto(
        request=returned,
        original_name=f"{name}退货照片.png",
        content_type="image/png",
        size=len(PNG_BYTES),
        uploaded_by=engineer_user,
    )
    photo.file.save("return.png", ContentFile(PNG_BYTES), save=True)
    records["return_photo"] = photo
    return records
