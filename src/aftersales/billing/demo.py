"""Demo money (`manage.py demo_seed`): quotes and settlements on work orders in service, so the demo
shows every case: a draft quote, one sent and awaiting the customer, one paid in full by WeChat
Pay with its receipt, one paid in part, a refusal waived by a supervisor, a discount request
awaiting the supervisor, an invoice still to be issued (overdue) and one sent, and an in-warranty
repair where only the wear part is the customer's.

Quotes are for work handled on site (`workorders.demo.hands_on`: a part on the quote of a phone fix
would contradict it). Deterministic (the seed's `rng`, work orders in number order) and made
through the services under a clock placed in the work orders' own past, in working hours, like the
other apps' demo records."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.catalog.models import Part
from aftersales.core.demo import simulated_clock, working_moment
from aftersales.core.errors import DomainError
from aftersales.servicing.warranty import work_order_entitlement
from aftersales.workorders.choices import State
from aftersales.workorders.demo import hands_on
from aftersales.workorders.models import WorkOrder

from .choices import ApprovalMethod, InvoiceDelivery, LineKind, PaymentMethod, WaiverKind
from .models import Quote
from .printing import receipt_document_store
from .services import (
    invoice_issue,
    invoice_request,
    invoice_send,
    payment_record,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_send,
    settlement_create,
    waiver_decide,
    waiver_request,
)

SCENARIOS = (
    "draft",
    "sent",
    "paid_with_invoice_sent",
    "paid_invoice_pending",
    "partly_paid",
    "refusal_waived",
    "discount_awaiting",
    "wear_part_only",
)
# (kind, description, quantity, price when no list or standard prices it)
LINES = (
    (LineKind.DIAGNOSIS, "", 1, "50.00"),
    (LineKind.LABOUR, "", "1.5", "80.00"),
    (LineKind.OTHER, "清洁保养", 1, "30.00"),
)
CUSTOMERS = ("李娜", "王强", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄敏")


def _line(quote: Quote, actor, kind: str, description: str, quantity, fallback: str, **extra) -> None:
    """A line priced by the lists and standards in effect, else at the fallback price."""
    try:
        quote_line_add(
            quote_id=quote.pk, actor=actor, kind=kind, description=description, quantity=quantity, **extra
        )
    except DomainError:
        quote_line_add(
            quote_id=quote.pk,
            actor=actor,
            kind=kind,
            description=description,
            quantity=quantity,
            unit_price=fallback,
            **extra,
        )


def _in_warranty(work_order: WorkOrder, now: datetime) -> bool:
    return work_order_entitlement(work_order, day=timezone.localtime(now).date()).in_warranty


def _part_for(work_order: WorkOrder, rng: random.Random) -> Part | None:
    model_id = work_order.device.product_model_id if work_order.device_id else work_order.product_model_id
    parts = list(
        Part.objects.filter(Q(fits=model_id) | Q(fits__isnull=True), is_active=True).order_by("number")[:10]
    )
    return rng.choice(parts) if parts else None


def seed(*, rng: random.Random, now: datetime) -> None:
    supervisor = User.objects.get(username="supervisor")
    finance = (
        User.objects.filter(role=Role.FINANCE, is_active=True).order_by("username").first() or supervisor
    )
    candidates = list(
        WorkOrder.objects.filter(
            hands_on(), state=State.IN_SERVICE, engineer__isnull=False, device__isnull=False
        )
        .exclude(service_plans__isnull=False)
        .select_related("engineer__user", "customer", "device__product_model", "product_model")
        .order_by("number")[:40]
    )
    # The in-warranty case needs a device in warranty; the others take the first ones left.
    covered = next((wo for wo in candidates if _in_warranty(wo, now)), None)
    rest = [wo for wo in candidates if wo is not covered]
    for scenario, signer in zip(SCENARIOS, CUSTOMERS, strict=True):
        if scenario == "wear_part_only" and covered is not None:
            work_order = covered
        elif rest:
            work_order = rest.pop(0)
        else:
            continue
        engineer = work_order.engineer.user
        moment = working_moment(max(work_order.updated_at, now - timedelta(days=3)), not_after=now)
        with simulated_clock(max(moment, work_order.updated_at)):
            _scenario(scenario, work_order, engineer, supervisor, finance, signer, rng)


def _scenario(scenario: str, work_order: WorkOrder, engineer, supervisor, finance, signer: str, rng) -> None:
    quote = quote_create(work_order_id=work_order.pk, actor=engineer)
    part = _part_for(work_order, rng)
    if scenario == "wear_part_only" and part is not None:
        _line(quote, engineer, LineKind.LABOUR, "", "1", "80.00")
        _line(quote, engineer, LineKind.PART, "", 1, "45.00", part_id=part.pk)
    else:
        for kind, description, quantity, fallback in LINES:
            _line(quote, engineer, kind, description, quantity, fallback)
        if part is not None:
            _line(quote, engineer, LineKind.PART, "", 1, "120.00", part_id=part.pk)
    if scenario == "draft":
        return
    quote_send(quote_id=quote.pk, actor=engineer)
    if scenario == "sent":
        return
    quote = quote_approve(
        quote_id=quote.pk, actor=engineer, approved_by_name=signer, approval_method=ApprovalMethod.PHONE
    )
    settlement = settlement_create(work_order_id=work_order.pk, actor=engineer)
    if settlement.balance <= 0:
        return
    if scenario == "refusal_waived":
        waiver = waiver_request(
            settlement_id=settlement.pk,
            actor=engineer,
            kind=WaiverKind.REFUSAL,
            reason="客户认为故障是上次维修未修好所致",
        )
        waiver_decide(
            waiver_id=waiver.pk,
            actor=supervisor,
            amount_approved=waiver.amount_requested,
            note="核实属实，全部减免",
        )
        return
    if scenario == "discount_awaiting":
        waiver_request(
            settlement_id=settlement.pk,
            actor=engineer,
            kind=WaiverKind.DISCOUNT,
            amount=min(settlement.balance, 50),
            reason="老客户，要求优惠",
        )
        return
    amount = (
        settlement.balance
        if scenario != "partly_paid"
        else (settlement.balance / 2).quantize(settlement.balance)
    )
    payment = payment_record(
        settlement_id=settlement.pk,
        actor=engineer,
        method=PaymentMethod.WECHAT,
        amount=amount,
        reference=f"42000{rng.randrange(10**9, 10**10)}",
        idempotency_key=f"demo-{work_order.number}",
    )
    # Its receipt now, as at the payment (the task queued on commit then finds it there).
    receipt_document_store(payment_id=payment.pk)
    if scenario in ("paid_with_invoice_sent", "paid_invoice_pending"):
        invoice = invoice_request(
            settlement_id=settlement.pk,
            actor=engineer,
            title=work_order.customer.name,
            delivery=InvoiceDelivery.EMAIL,
            email=work_order.customer.email or "finance@example.cn",
        )
        if scenario == "paid_with_invoice_sent":
            invoice_issue(
                invoice_id=invoice.pk, actor=finance, invoice_number=f"{rng.randrange(10**19, 10**20)}"
            )
            invoice_send(invoice_id=invoice.pk, actor=finance)
        else:
            invoice.due_on = timezone.localdate() - timedelta(days=1)  # the demo shows an overdue one
            invoice.save(update_fields=["due_on"])
