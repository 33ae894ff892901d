"""Worlds for the state-machine contract (tests/test_machines.py): for each lifecycle, how to make
an object in a given state, who acts for a role, and valid inputs for a transition. A machine
registered in the code without a world here fails the contract test, so every new lifecycle
brings its world along."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aftersales.accounts.choices import Role
from aftersales.core.transitions import Transition
from aftersales.workorders.choices import State, WaitingReason, WorkOrderType
from aftersales.workorders.models import WorkOrderEvent

from . import factories as f


@dataclass
class World:
    """One object of a lifecycle in a chosen state, and the people around it."""

    obj: Any
    # A user of the role who may act on `obj` when the role may (the owner for owner-bound roles).
    actor: Callable[[str], Any]
    # Valid inputs for a transition (exactly what it needs, and what its effects require).
    inputs: Callable[[Transition], dict[str, Any]]
    # How many timeline events `obj` has (a transition writes one).
    events: Callable[[], int]
    # A user of an owner-bound role who does not own `obj` (None if the machine has no owner).
    outsider: Callable[[], Any] | None = None


WorldMaker = Callable[[str, Transition], World]
WORLDS: dict[str, WorldMaker] = {}


def world(machine_name: str) -> Callable[[WorldMaker], WorldMaker]:
    def register(make: WorldMaker) -> WorldMaker:
        WORLDS[machine_name] = make
        return make

    return register


def staff(role: str, *, dealer=None):
    """A user of the role (dealer staff belong to `dealer`)."""
    if role == Role.DEALER_STAFF:
        return f.UserFactory(role=role, dealer=dealer or f.DealerFactory())
    return f.UserFactory(role=role)


# --- work order ----------------------------------------------------------------------------------

STATES_WITH_ENGINEER = {State.ASSIGNED, State.IN_SERVICE, State.WAITING, State.COMPLETED, State.CLOSED}


@world("workorder")
def workorder_world(state: str, transition: Transition) -> World:
    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    engineer = f.EngineerFactory(service_point=point)
    other = f.EngineerFactory(service_point=point)
    work_order = f.WorkOrderFactory(
        state=state,
        type=WorkOrderType.CONSULTATION if transition.name == "resolve" else WorkOrderType.REPAIR,
        service_point=point,
        engineer=engineer if state in STATES_WITH_ENGINEER else None,
        waiting_reason=WaitingReason.PARTS if state == State.WAITING else "",
    )
    values = {
        "note": "客户不满意，重新处理",
        "engineer": other,
        "waiting_reason": WaitingReason.PARTS,
        "resolution": "更换定影组件后打印正常",
    }
    return World(
        obj=work_order,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="transition").count(),
        outsider=lambda: f.EngineerFactory(service_point=point).user,
    )


# --- return visit (feedback) ---------------------------------------------------------------------


@world("return_visit")
def return_visit_world(state: str, transition: Transition) -> World:
    from django.utils import timezone

    from aftersales.feedback.choices import AttemptResult, ReturnVisitKind
    from aftersales.feedback.models import ReturnVisit

    point = f.ServicePointFactory()
    engineer = f.EngineerFactory(service_point=point)
    now = timezone.now()
    work_order = f.WorkOrderFactory(
        state=State.COMPLETED, service_point=point, engineer=engineer, completed_at=now
    )
    visit = ReturnVisit.objects.create(
        number=f"RVW{work_order.pk:08d}",
        work_order=work_order,
        kind=ReturnVisitKind.ROUTINE,
        state=state,
        engineer=engineer,
        service_point=point,
        work_completed_at=now,
        due_at=now,
        next_call_at=now,
    )
    values = {
        "record": {
            "score_timeliness": 5,
            "score_skill": 4,
            "score_attitude": 5,
            "score_effectiveness": 4,
            "score_overall": 5,
            "praise": "工程师很耐心",
        },
        "retry": {"result": AttemptResult.NO_ANSWER, "note": "无人接听"},
        "give_up": {"result": AttemptResult.WRONG_NUMBER},
        "cancel": {"reason": "工单重新处理"},
    }
    return World(
        obj=visit,
        actor=lambda role: staff(role),
        inputs=lambda t: dict(values[t.name]),
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="return_visit").count(),
    )


# --- service-level clock (sla) --------------------------------------------------------------------


@world("sla_clock")
def sla_clock_world(state: str, transition: Transition) -> World:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from aftersales.sla.choices import ClockState, MilestoneKind
    from aftersales.sla.models import SlaClock, SlaMilestone, SlaPolicy

    policy = SlaPolicy.objects.create(name=f"world policy {SlaPolicy.objects.count()}", precedence=999)
    milestone = SlaMilestone.objects.create(
        policy=policy,
        kind=MilestoneKind.REPAIR,
        target_hours=Decimal("8"),
        business_time=False,
        start_on="start",
        stop_on=["complete"],
    )
    now = timezone.now()
    clock = SlaClock.objects.create(
        work_order=f.WorkOrderFactory(state=State.IN_SERVICE, service_point=f.ServicePointFactory()),
        policy=policy,
        kind=MilestoneKind.REPAIR,
        state=state,
        target=timedelta(hours=8),
        business_time=False,
        started_at=now - timedelta(hours=2),
        due_at=now + timedelta(hours=6),
        warn_at=now + timedelta(hours=4),
        paused_at=now - timedelta(hours=1) if state == ClockState.PAUSED else None,
        paused_reason=WaitingReason.PARTS if state == ClockState.PAUSED else "",
        stopped_at=now - timedelta(minutes=5) if state == ClockState.STOPPED else None,
        met=True if state == ClockState.STOPPED else None,
    )
    values = {"start": {"milestone": milestone}, "pause": {"reason": WaitingReason.PARTS}}
    return World(
        obj=clock,
        actor=staff,
        inputs=lambda t: dict(values.get(t.name, {})),
        events=lambda: 0,  # clocks write no timeline event of their own (their work order's do)
    )


# --- servicing: remote sessions, service plans, depot and external repair (R6, R8, R13, R14) -------
# (imports inside the functions: this file is shared by every app's worlds)


def _servicing_world(record, work_order, dealer, engineer, values: dict[str, Any]) -> World:
    """A servicing record on an in-service work order of `engineer` (its owner); its transitions
    are counted by their events on the work order's timeline."""
    from aftersales.core.transitions import machines

    machine = next(m for m in machines.values() if m.model is type(record))
    return World(
        obj=record,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(
            work_order=work_order, params__machine=machine.name
        ).count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )


def _servicing_order():
    dealer = f.DealerFactory()
    engineer = f.EngineerFactory(service_point=f.ServicePointFactory(dealer=dealer))
    work_order = f.WorkOrderFactory(
        state=State.IN_SERVICE, service_point=engineer.service_point, engineer=engineer
    )
    return dealer, engineer, work_order


_repair_numbers = iter(range(1, 1_000_000))


def _depot_repair(work_order, engineer, state: str):
    from aftersales.servicing.models import DepotRepair

    return DepotRepair.objects.create(
        work_order=work_order,
        number=f"DRW{next(_repair_numbers):06d}",
        state=state,
        received_by=engineer.user,
    )


@world("remote_session")
def remote_session_world(state: str, transition: Transition) -> World:
    from aftersales.servicing.choices import RemoteMethod
    from aftersales.servicing.models import RemoteSession

    dealer, engineer, work_order = _servicing_order()
    session = RemoteSession.objects.create(
        work_order=work_order,
        method=RemoteMethod.PHONE,
        state=state,
        steps="电话指导客户重启打印机",
        performed_by=engineer.user,
    )
    return _servicing_world(session, work_order, dealer, engineer, {"result": "重新安装驱动后打印正常"})


@world("service_plan")
def service_plan_world(state: str, transition: Transition) -> World:
    from decimal import Decimal

    from aftersales.servicing.choices import ConfirmationMethod
    from aftersales.servicing.models import ServicePlan

    dealer, engineer, work_order = _servicing_order()
    plan = ServicePlan.objects.create(
        work_order=work_order,
        state=state,
        measures="更换定影组件并校准",
        estimated_hours=Decimal("2.0"),
        created_by=engineer.user,
        needs_approval=transition.name == "approve",  # a revision beyond the free ones (R8)
    )
    values = {
        "confirmed_by_name": "李娜",
        "confirmation_method": ConfirmationMethod.PHONE,
        "reason": "客户要求只做清洁",
    }
    return _servicing_world(plan, work_order, dealer, engineer, values)


def _send_out_values(vendor_name: str, voucher: str) -> dict[str, Any]:
    from aftersales.servicing.choices import SendOutReason

    from .servicing.factories import VendorFactory

    return {
        "vendor": VendorFactory(name=vendor_name),
        "reason": SendOutReason.BEYOND_LOCAL,
        "vendor_contact": "陈工",
        "voucher_number": voucher,
    }


@world("depot_repair")
def depot_repair_world(state: str, transition: Transition) -> World:
    from aftersales.servicing.choices import ConfirmationMethod

    dealer, engineer, work_order = _servicing_order()
    repair = _depot_repair(work_order, engineer, state)
    values = {
        "appearance": "外壳完好",
        "configuration": "标准配置",
        "result": "连续打印 50 页正常",
        "handed_back_to": "李娜",
        "confirmation_method": ConfirmationMethod.IN_PERSON,
    }
    if transition.name == "send_out":
        values |= _send_out_values(f"上海精修{repair.number}", "QJ-1")
    return _servicing_world(repair, work_order, dealer, engineer, values)


@world("external_repair")
def external_repair_world(state: str, transition: Transition) -> World:
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.servicing.choices import DepotState, SendOutReason
    from aftersales.servicing.models import ExternalRepair

    from .servicing.factories import VendorFactory

    dealer, engineer, work_order = _servicing_order()
    depot = _depot_repair(work_order, engineer, DepotState.EXTERNAL)
    external = ExternalRepair.objects.create(
        work_order=work_order,
        depot_repair=depot,
        vendor=VendorFactory(name=f"深圳华强{depot.number}"),
        state=state,
        reason=SendOutReason.BEYOND_LOCAL,
        vendor_contact="王经理",
        voucher_number="HQ-1",
        sent_by=engineer.user,
        expected_back_on=timezone.localdate() + timedelta(days=5),
    )
    values: dict[str, Any] = {"result": "复检正常", "reason": "缺少备件，无法修复"}
    if transition.name == "resend":
        values = _send_out_values(f"苏州原厂{depot.number}", "SZ-2")
    return _servicing_world(external, work_order, dealer, engineer, values)


# --- complaints and difficult cases (R26, R27) -----------------------------------------------------


@world("complaint")
def complaint_world(state: str, transition: Transition) -> World:
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.complaints.choices import ComplaintCategory, ComplaintSource, Severity
    from aftersales.complaints.models import Complaint, ComplaintEvent

    work_order = f.WorkOrderFactory(state=State.COMPLETED)
    now = timezone.now()
    complaint = Complaint.objects.create(
        number=f"CPW{work_order.number[-8:]}",
        state=state,
        source=ComplaintSource.HOTLINE,
        category=ComplaintCategory.ATTITUDE,
        severity=Severity.GENERAL,
        customer=work_order.customer,
        work_order=work_order,
        contact_phone=work_order.contact_phone,
        description="工程师态度恶劣",
        response_due_at=now + timedelta(days=1),
        response_warn_at=now + timedelta(hours=18),
    )
    values = {
        "note": "经核实投诉属实",
        "cause": "工程师未按规范沟通",
        "measures": "批评教育并培训",
        "feedback": "已处理，感谢您的反馈",
    }
    return World(
        obj=complaint,
        actor=lambda role: staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: ComplaintEvent.objects.filter(complaint=complaint).count(),
    )


@world("difficult_case")
def difficult_case_world(state: str, transition: Transition) -> World:
    from aftersales.complaints.models import CaseLevel, CaseStep, DifficultCase
    from aftersales.complaints.transitions import CASE_ROLES

    CaseLevel.objects.get_or_create(number=1, defaults={"name": "服务网点负责人"})
    CaseLevel.objects.get_or_create(number=2, defaults={"name": "服务中心主管", "role": Role.SUPERVISOR})
    work_order = f.WorkOrderFactory(state=State.IN_SERVICE)
    clerk = staff(Role.CLERK)
    case = DifficultCase.objects.create(
        number=f"DCW{work_order.number[-8:]}",
        work_order=work_order,
        state=state,
        level=1,
        handler=clerk,
        opened_by=clerk,
    )

    def actor(role: str):
        """The case team acts by role; anyone else only as the case's handler (R27)."""
        user = staff(role)
        if role not in CASE_ROLES:
            DifficultCase.objects.filter(pk=case.pk).update(handler=user)
        return user

    level_two = CaseLevel.objects.get(number=2)
    values = {
        "note": "已远程诊断，需更换主板",
        "result": "更换主板后恢复正常",
        "handler": staff(level_two.role or Role.SUPERVISOR),
    }
    return World(
        obj=case,
        actor=actor,
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: CaseStep.objects.filter(case=case).count(),
        outsider=lambda: staff(Role.AGENT),
    )


# --- field: on-site visit, supervision card, appointment (R12, R15-R17, R19) ----------------------


def _field_work(state: str = State.IN_SERVICE):
    """An engineer and a work order of theirs (in service: a visit step does not start it)."""
    engineer = f.EngineerFactory()
    work_order = f.WorkOrderFactory(state=state, engineer=engineer, service_point=engineer.service_point)
    return engineer, work_order


def _visit(work_order, engineer, state: str, **fields):
    from django.utils import timezone

    from aftersales.core.services import number_next
    from aftersales.field.choices import VisitState
    from aftersales.field.models import Visit

    arrived = state in (VisitState.ON_SITE, VisitState.DONE)
    return Visit.objects.create(
        number=number_next(prefix="SV"),
        work_order=work_order,
        engineer=engineer,
        planned_date=timezone.localdate(),
        state=state,
        arrived_at=timezone.now() if arrived else None,
        checklist=[],
        created_by=engineer.user,
        **fields,
    )


@world("field_visit")
def field_visit_world(state: str, transition: Transition) -> World:
    from datetime import time, timedelta

    from django.utils import timezone

    from aftersales.field.choices import SignOffOutcome, VisitState
    from aftersales.field.models import Appointment, AppointmentState, SignOff

    engineer, work_order = _field_work()
    appointment = None
    if transition.name == "release":  # the system releases a visit whose appointment was cancelled
        appointment = Appointment.objects.create(
            work_order=work_order,
            engineer=engineer,
            date=timezone.localdate() + timedelta(days=1),
            window_start=time(9),
            window_end=time(11),
            state=AppointmentState.CANCELLED,
            reason="客户改期",
        )
    visit = _visit(work_order, engineer, state, appointment=appointment)
    if state == VisitState.ON_SITE:  # checking out needs the customer's answer (R15, R17)
        SignOff.objects.create(
            visit=visit,
            outcome=SignOffOutcome.REFUSED,
            refusal_reason="需请示领导",
            signed_at=timezone.now(),
            content_hash="0" * 64,
            recorded_by=engineer.user,
        )
    values = {"reason": "客户临时出差", "latitude": "31.2304", "longitude": "121.4737", "accuracy": "12"}
    return World(
        obj=visit,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="visit").count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )


@world("supervision_card")
def supervision_card_world(state: str, transition: Transition) -> World:
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.field.choices import SupervisionState, VisitState
    from aftersales.field.models import SupervisionCard

    engineer, work_order = _field_work()
    visit = _visit(work_order, engineer, VisitState.DONE)
    submitted = state != SupervisionState.PENDING
    card = SupervisionCard.objects.create(
        visit=visit,
        state=state,
        due_at=timezone.now() + timedelta(days=1),
        summary="已更换定影组件" if submitted else "",
        submitted_at=timezone.now() if submitted else None,
    )
    values = {"summary": "按时完成，客户满意", "note": "请补充到场时间"}
    return World(
        obj=card,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(
            work_order=work_order, action__startswith="card_"
        ).count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )


@world("appointment")
def appointment_world(state: str, transition: Transition) -> World:
    from datetime import time, timedelta

    from django.utils import timezone

    from aftersales.field.models import Appointment

    engineer, work_order = _field_work(State.ASSIGNED)
    day = timezone.localdate() + timedelta(days=1)
    appointment = Appointment.objects.create(
        work_order=work_order,
        engineer=engineer,
        date=day,
        window_start=time(9),
        window_end=time(11),
        state=state,
    )
    values = {
        "reason": "客户临时出差",
        "engineer": f.EngineerFactory(service_point=engineer.service_point),
        "conflict": {"code": "on_leave", "date": f"{day:%Y-%m-%d}"},
    }
    return World(
        obj=appointment,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="appointment").count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )


@world("service_contract")
def service_contract_world(state: str, transition: Transition) -> World:
    """R35: a contract on one device, running from a month ago for a year."""
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.devices.models import ContractEvent

    today = timezone.localdate()
    contract = f.ServiceContractFactory(
        state=state, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=365)
    )
    return World(
        obj=contract,
        actor=lambda role: staff(role),
        inputs=lambda t: {"reason": "客户撤回"} if "reason" in t.inputs else {},
        events=lambda: ContractEvent.objects.filter(contract=contract).count(),
    )


# --- billing (R8, R9, R10, R11, R15) ------------------------------------------------------------------


def _approved_quote(work_order, engineer, *, state: str = "approved"):
    from aftersales.billing.choices import LineKind
    from aftersales.billing.models import Quote, QuoteLine

    quote = Quote.objects.create(
        work_order=work_order, state=state, created_by=engineer.user, total="80.00", customer_total="80.00"
    )
    QuoteLine.objects.create(
        quote=quote, position=1, kind=LineKind.LABOUR, description="人工", unit_price="80.00", amount="80.00"
    )
    return quote


@world("quote")
def quote_world(state: str, transition: Transition) -> World:
    from aftersales.billing.choices import ApprovalMethod
    from aftersales.billing.models import Quote

    dealer, engineer, work_order = _servicing_order()
    quote = _approved_quote(work_order, engineer, state=state)
    if transition.name == "authorise":  # a revision beyond the free ones (R8)
        Quote.objects.filter(pk=quote.pk).update(needs_authorisation=True)
    values = {
        "sent_via": "sms",
        "approved_by_name": "李娜",
        "approval_method": ApprovalMethod.PHONE,
        "reason": "客户要求改用副厂配件",
    }
    return _servicing_world(quote, work_order, dealer, engineer, values)


@world("settlement")
def settlement_world(state: str, transition: Transition) -> World:
    from aftersales.billing.models import Settlement

    dealer, engineer, work_order = _servicing_order()
    quote = _approved_quote(work_order, engineer)
    settlement = Settlement.objects.create(
        work_order=work_order,
        quote=quote,
        state=state,
        total="80.00",
        customer_total="80.00",
        created_by=engineer.user,
    )
    return _servicing_world(settlement, work_order, dealer, engineer, {"note": "客户认为收费过高"})


@world("invoice_request")
def invoice_request_world(state: str, transition: Transition) -> World:
    from datetime import date

    from aftersales.billing.models import InvoiceRequest, Settlement

    dealer, engineer, work_order = _servicing_order()
    settlement = Settlement.objects.create(
        work_order=work_order,
        quote=_approved_quote(work_order, engineer),
        state="settled",
        total="80.00",
        customer_total="80.00",
        amount_paid="80.00",
        created_by=engineer.user,
    )
    invoice = InvoiceRequest.objects.create(
        settlement=settlement,
        state=state,
        title="上海某某科技有限公司",
        amount="80.00",
        email="cw@example.cn",
        due_on=date(2026, 12, 31),
        requested_by=engineer.user,
    )
    values = {"invoice_number": "12345678", "note": "客户不要了"}
    return _servicing_world(invoice, work_order, dealer, engineer, values)


# --- parts: the dealers' part requests (R28) -----------------------------------------------------------


@world("part_request")
def part_request_world(state: str, transition: Transition) -> World:
    from datetime import date
    from decimal import Decimal

    from aftersales.parts.choices import TransferState, WarehouseKind
    from aftersales.parts.models import (
        PartRequest,
        PartRequestEvent,
        PartRequestLine,
        StockTransfer,
        TransferLine,
        Warehouse,
    )
    from aftersales.parts.services import stock

    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    requester = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer)
    part = f.PartFactory()
    request = PartRequest.objects.create(
        number=f"PRW{point.pk:08d}",
        dealer=dealer,
        service_point=point,
        state=state,
        created_by=requester,
        total=Decimal("100.00"),
    )
    line = PartRequestLine.objects.create(
        request=request,
        part=part,
        quantity=2,
        confirmed_quantity=2,
        unit_cost=Decimal("50.00"),
        amount=Decimal("100.00"),
    )
    if transition.name in ("ship", "receive"):
        hq = Warehouse.objects.create(code=f"HQW{point.pk}", name="总部备件库", kind=WarehouseKind.HQ)
        stock.receive(warehouse=hq, part=part, quantity=5, unit_cost=Decimal("50.00"), actor=requester)
        if state == "shipped":
            store = Warehouse.objects.create(
                code=f"SPW{point.pk}", name="网点仓库", kind=WarehouseKind.SERVICE_POINT, service_point=point
            )
            transfer = StockTransfer.objects.create(
                number=f"DBW{point.pk:08d}",
                source=hq,
                destination=store,
                created_by=requester,
                state=TransferState.SHIPPED,
            )
            TransferLine.objects.create(transfer=transfer, part=part, quantity=2)
            stock.transfer_ship(transfer=transfer, actor=requester)
            PartRequest.objects.filter(pk=request.pk).update(transfer=transfer)
    values = {
        "expected_ship_date": date(2026, 12, 20),
        "lines": [{"line": line.pk, "quantity": 2, "unit_cost": "50.00"}],
        "reason": "该配件已停产",
        "carrier": "顺丰速运",
        "tracking_number": "SF1234567890",
    }
    return World(
        obj=request,
        actor=lambda role: requester if role == Role.DEALER_STAFF else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: PartRequestEvent.objects.filter(request=request).count(),
    )


# --- catalog: a dealer's local fee standard awaiting HQ's approval (R30) -------------------------------


@world("fee_schedule")
def fee_schedule_world(state: str, transition: Transition) -> World:
    from datetime import date

    from django.contrib.contenttypes.models import ContentType

    from aftersales.catalog.models import FeeSchedule
    from aftersales.core.models import ChangeRecord

    dealer = f.DealerFactory()
    schedule = FeeSchedule.objects.create(
        code=f"DF-{dealer.code}",
        name="本地收费标准",
        effective_from=date(2026, 1, 1),
        dealer=dealer,
        approval_state=state,
    )
    kind = ContentType.objects.get_for_model(FeeSchedule)
    return World(
        obj=schedule,
        actor=lambda role: staff(role, dealer=dealer),
        inputs=lambda t: {"reason": "高于总部标准"} if "reason" in t.inputs else {},
        events=lambda: ChangeRecord.objects.filter(content_type=kind, object_id=schedule.pk).count(),
    )


# --- parts: the stock desk's transfers and counts (R32) ------------------------------------------------


def _stock_world_base():
    """A dealer's service point with its store holding 5 of a part, and an engineer with a van."""
    from decimal import Decimal

    from aftersales.parts.choices import WarehouseKind
    from aftersales.parts.models import Warehouse
    from aftersales.parts.services import stock

    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    engineer = f.EngineerFactory(service_point=point)
    store = Warehouse.objects.create(
        code=f"SP-{point.code}",
        name=f"{point.name}备件库",
        kind=WarehouseKind.SERVICE_POINT,
        service_point=point,
    )
    van = Warehouse.objects.create(
        code=f"VAN-{engineer.employee_no}",
        name=f"{engineer.user.display_name}的车",
        kind=WarehouseKind.VAN,
        service_point=point,
        engineer=engineer,
    )
    part = f.PartFactory()
    keeper = staff(Role.PARTS_CLERK)
    stock.receive(warehouse=store, part=part, quantity=5, unit_cost=Decimal("12.50"), actor=keeper)
    return dealer, point, engineer, store, van, part, keeper


def _stock_actor(role: str, dealer, engineer):
    if role == Role.ENGINEER:
        return engineer.user
    return staff(role, dealer=dealer)


@world("stock_transfer")
def stock_transfer_world(state: str, transition: Transition) -> World:
    from aftersales.parts.choices import TransferState
    from aftersales.parts.models import StockTransfer, TransferEvent, TransferLine
    from aftersales.parts.services import stock

    dealer, point, engineer, store, van, part, keeper = _stock_world_base()
    transfer = StockTransfer.objects.create(
        number=f"DBW{StockTransfer.objects.count() + 1:08d}", source=store, destination=van, created_by=keeper
    )
    TransferLine.objects.create(transfer=transfer, part=part, quantity=2)
    if state in (TransferState.SHIPPED, TransferState.RECEIVED):
        stock.transfer_ship(transfer=transfer, actor=keeper)
    if state == TransferState.RECEIVED:
        stock.transfer_receive(transfer=transfer, actor=keeper)
    StockTransfer.objects.filter(pk=transfer.pk).update(state=state)
    transfer.refresh_from_db()
    return World(
        obj=transfer,
        actor=lambda role: _stock_actor(role, dealer, engineer),
        inputs=lambda t: {"reason": "不需要了"} if "reason" in t.inputs else {},
        events=lambda: TransferEvent.objects.filter(transfer=transfer).count(),
        outsider=lambda: f.EngineerFactory(service_point=point).user,
    )


@world("stock_count")
def stock_count_world(state: str, transition: Transition) -> World:
    from aftersales.parts.models import CountEvent, StockCount, StockCountLine

    dealer, point, engineer, store, van, part, keeper = _stock_world_base()
    count = StockCount.objects.create(
        number=f"PDW{StockCount.objects.count() + 1:08d}", warehouse=store, state=state, created_by=keeper
    )
    StockCountLine.objects.create(count=count, part=part, expected=5, counted=4)
    return World(
        obj=count,
        actor=lambda role: _stock_actor(role, dealer, engineer),
        inputs=lambda t: {"reason": "重新盘点"} if "reason" in t.inputs else {},
        events=lambda: CountEvent.objects.filter(count=count).count(),
    )


# --- parts: old parts, their shipments to HQ and the reimbursement claims (R29, R31) ----------------


def _old_part_base():
    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    engineer = f.EngineerFactory(service_point=point)
    work_order = f.WorkOrderFactory(service_point=point, engineer=engineer)
    return dealer, point, engineer, work_order


def _old_part_row(work_order, engineer, state: str, **fields):
    from datetime import date

    from django.utils import timezone

    from aftersales.parts.models import OldPart

    return OldPart.objects.create(
        number=f"JPW{OldPart.objects.count() + 1:06d}",
        work_order=work_order,
        part=f.PartFactory(),
        quantity=1,
        service_point=work_order.service_point,
        dealer=work_order.service_point.dealer,
        state=state,
        unit_cost="100.00",
        replaced_at=timezone.now(),
        report_due=date(2026, 12, 31),
        created_by=engineer.user,
        **fields,
    )


@world("old_part")
def old_part_world(state: str, transition: Transition) -> World:
    from aftersales.parts.models import OldPartEvent

    dealer, point, engineer, work_order = _old_part_base()
    old_part = _old_part_row(work_order, engineer, state)
    values = {"inspection_result": "faulty", "note": "定影膜破损，确认故障"}
    return World(
        obj=old_part,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: OldPartEvent.objects.filter(old_part=old_part).count(),
        outsider=lambda: f.EngineerFactory(service_point=point).user,
    )


@world("old_part_shipment")
def old_part_shipment_world(state: str, transition: Transition) -> World:
    from aftersales.parts.models import OldPartShipmentEvent
    from aftersales.parts.services.old_parts import (
        old_part_register,
        old_part_transition,
        shipment_create,
        shipment_transition,
    )

    dealer, point, engineer, work_order = _old_part_base()
    clerk = staff(Role.DEALER_STAFF, dealer=dealer)
    old_part = old_part_register(
        work_order=work_order, part=f.PartFactory(), quantity=1, serial_number="", actor=engineer.user
    )
    old_part_transition(old_part_id=old_part.pk, action="report", actor=clerk)
    shipment = shipment_create(service_point=point, old_part_ids=[old_part.pk], actor=clerk)
    values = {"carrier": "顺丰速运", "tracking_number": "SF1234567890", "note": "已装箱"}
    if state in ("shipped", "received"):
        shipment_transition(shipment_id=shipment.pk, action="ship", actor=clerk, **values)
    if state == "received":
        shipment_transition(shipment_id=shipment.pk, action="receive", actor=staff(Role.PARTS_CLERK))
    shipment.refresh_from_db()
    return World(
        obj=shipment,
        actor=lambda role: staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: OldPartShipmentEvent.objects.filter(shipment=shipment).count(),
    )


@world("reimbursement_claim")
def reimbursement_claim_world(state: str, transition: Transition) -> World:
    from datetime import date

    from aftersales.parts.models import ClaimEvent, ClaimLine, ReimbursementClaim

    dealer, point, engineer, work_order = _old_part_base()
    old_part = _old_part_row(work_order, engineer, "reported")
    claim = ReimbursementClaim.objects.create(
        number=f"BXW{ReimbursementClaim.objects.count() + 1:06d}",
        dealer=dealer,
        month=date(2026, 10, 1),
        state=state,
        claimed_total="100.00",
        approved_total="100.00" if state != "in_review" else "0.00",
    )
    ClaimLine.objects.create(
        claim=claim, old_part=old_part, quantity=1, unit_cost="100.00", amount="100.00", decision="approved"
    )
    values = {"note": "复核金额"}
    return World(
        obj=claim,
        actor=lambda role: staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: ClaimEvent.objects.filter(claim=claim).count(),
    )


# --- returns and exchanges (R33) -------------------------------------------------------------------------


@world("return_request")
def return_request_world(state: str, transition: Transition) -> World:
    """A dealer's customer's request on an engineer's work order, within the default rules (bought
    two days ago, unopened, with its invoice); for an exception, bought 40 days ago (outside)."""
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.returns.choices import ItemCondition, ReturnKind, ReturnReason, ReturnState
    from aftersales.returns.models import ReturnEvent, ReturnRequest

    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    engineer = f.EngineerFactory(service_point=point)
    customer = f.CustomerFactory(dealer=dealer)
    work_order = f.WorkOrderFactory(
        customer=customer, service_point=point, engineer=engineer, state=State.IN_SERVICE
    )
    request = ReturnRequest.objects.create(
        number=f"THW{work_order.pk:08d}",
        kind=ReturnKind.EXCHANGE if transition.name == "ship_replacement" else ReturnKind.RETURN,
        state=state,
        work_order=work_order,
        customer=customer,
        dealer=dealer,
        serial_number="SN-RETURN-1",
        reason=ReturnReason.QUALITY,
        purchase_date=timezone.localdate()
        - timedelta(days=40 if transition.name == "grant_exception" else 2),
        proof_of_purchase="FP20261120001",
        condition=ItemCondition.UNOPENED,
        requested_by=engineer.user,
        submitted_at=None if state == ReturnState.DRAFT else timezone.now(),
    )
    values = {
        "reason": "客户坚持退货",
        "note": "客户表示满意",
        "carrier": "顺丰速运",
        "tracking_number": "SF1234567890",
        "inspection_result": "as_described",
        "refund_amount": "1280.00",
        "refund_method": "original",
    }
    return World(
        obj=request,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.needs if name in values},
        events=lambda: ReturnEvent.objects.filter(request=request).count(),
        outsider=lambda: f.EngineerFactory(service_point=point).user,
    )
