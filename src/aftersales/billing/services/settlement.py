"""Settlement at sign-off (R9, R10, R11, R15): the fees come from the approved quote, each line as
quoted or lower with a reason, never higher and never new (R9); payments (cash, WeChat Pay,
Alipay, bank transfer, POS) each get a numbered receipt, and one request recorded twice with the
same idempotency key is one payment; refunds are their own rows; a customer who refuses to pay or
asks for a waiver makes the work order wait for a supervisor's decision (R11).

Every amount is recomputed from the rows under the settlement's lock (`_refresh`) and every change
is on the work order's timeline (R41)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, IdempotencyKeyReused, NotPermitted, TransitionNotAllowed
from aftersales.core.jobs import job_after_commit
from aftersales.core.money import ZERO, cny, line_amount, total, yuan
from aftersales.core.services import number_next
from aftersales.core.transitions import transition_run
from aftersales.devices.choices import Payer
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_transition

from ..choices import PaymentKind, PaymentMethod, QuoteState, SettlementState, WaiverKind, WaiverState
from ..events import SETTLEMENT as SETTLEMENT_EVENT
from ..models import Payment, Quote, Settlement, SettlementLine, WaiverRequest
from ..selectors import quote_content_hash
from ..transitions import REFUND, SETTLE, SETTLEMENT

RECEIPT_PREFIX = "SJ"  # 收据
REFUND_PREFIX = "TK"  # 退款
# Work-order states in which fees are settled: on site during the service or once completed.
SETTLING_STATES = frozenset({State.IN_SERVICE, State.WAITING, State.COMPLETED})


def _event(settlement: Settlement, actor, action: str, **params: Any) -> None:
    event_record(
        settlement.work_order,
        kind=SETTLEMENT_EVENT,
        actor=actor,
        action=action,
        params={"record": str(settlement), "balance": yuan(settlement.balance), **params},
    )


def _check(permission, actor, settlement_or_work_order, refusal: str) -> None:
    if not SETTLEMENT.permits(permission, actor, settlement_or_work_order):
        raise NotPermitted(refusal)


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = cny(str(value))
    except ValueError:
        raise ValidationError({field: [_("Enter an amount such as 350.00.")]}) from None
    if amount <= 0:
        raise ValidationError({field: [_("The amount must be more than 0.")]})
    return amount


# --- settling the fees (R9, R10) --------------------------------------------------------------------


def _approved_quote(work_order: WorkOrder) -> Quote:
    """The approved version of the work order's quote, unchanged since the customer approved it."""
    quote = Quote.objects.filter(work_order=work_order).order_by("-version").first()
    if quote is None or quote.state != QuoteState.APPROVED:
        raise DomainError(
            _("Fees are settled from a quote the customer approved; this work order has none."),
            code="no_approved_quote",
        )
    if quote.content_hash != quote_content_hash(quote):
        raise DomainError(
            _("The approved quote's lines changed after the customer approved them; revise it."),
            code="quote_changed",
        )
    return quote


def _settled_line(quote_line, change: dict[str, Any] | None) -> SettlementLine:
    """R9: the line as quoted, or lower with a reason; never higher."""
    quantity, unit_price, reason = quote_line.quantity, quote_line.unit_price, ""
    if change:
        if change.get("quantity") not in (None, ""):
            quantity = Decimal(str(change["quantity"]))
        if change.get("unit_price") not in (None, ""):
            unit_price = cny(str(change["unit_price"]))
            if quote_line.unit_price < 0:
                unit_price = -abs(unit_price)
        reason = (change.get("reason") or "").strip()
    amount = line_amount(quantity, unit_price)
    if quantity < 0 or abs(amount) > abs(quote_line.amount) or quantity > quote_line.quantity:
        raise DomainError(
            _(
                "“%(line)s” cannot be charged more than the approved quote (%(quoted)s); a new revision "
                "approved by the customer is needed."
            )
            % {"line": quote_line.description, "quoted": yuan(quote_line.amount)},
            code="above_quote",
            field="lines",
        )
    if amount != quote_line.amount and not reason:
        raise ValidationError(
            {
                "lines": [
                    _("Say why “%(line)s” is charged less than quoted.") % {"line": quote_line.description}
                ]
            }
        )
    return SettlementLine(
        quote_line=quote_line,
        position=quote_line.position,
        kind=quote_line.kind,
        description=quote_line.description,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        quoted_amount=quote_line.amount,
        payer=quote_line.payer,
        lowered_reason=reason if amount != quote_line.amount else "",
    )


@transaction.atomic
def settlement_create(
    *, work_order_id: int, actor, changes: dict[int, dict[str, Any]] | None = None
) -> Settlement:
    """R9, R15: settle the work order's fees from its approved quote: every quoted line, as quoted
    or lower (`changes` by quote-line id: quantity, unit_price and the reason); a line that is not
    on the quote, or a higher one, is refused: it needs a revision approved by the customer."""
    work_order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("engineer").get(pk=work_order_id)
    )
    _check(SETTLE, actor, work_order, _("You may not settle the fees of this work order."))
    if work_order.state not in SETTLING_STATES:
        raise TransitionNotAllowed(
            _(
                "Fees are settled during the service or once it is completed, "
                "not while the work order is “%(state)s”."
            )
            % {"state": work_order.get_state_display()}
        )
    if Settlement.objects.filter(work_order=work_order).exists():
        raise DomainError(_("The fees of this work order are already settled."), code="settlement_exists")
    quote = _approved_quote(work_order)
    quote_lines = {line.pk: line for line in quote.lines.all()}
    changes = changes or {}
    unknown = set(changes) - set(quote_lines)
    if unknown:
        raise DomainError(
            _("A charge that is not on the approved quote cannot be settled; revise the quote first."),
            code="not_on_quote",
            field="lines",
        )
    lines = [
        _settled_line(line, changes.get(pk))
        for pk, line in sorted(quote_lines.items(), key=lambda i: i[1].position)
    ]
    settlement = Settlement(work_order=work_order, quote=quote, created_by=actor)
    settlement.total = total(line.amount for line in lines)
    settlement.customer_total = total(line.amount for line in lines if line.payer == Payer.CUSTOMER)
    settlement.save()
    for line in lines:
        line.settlement = settlement
    SettlementLine.objects.bulk_create(lines)
    _event(
        settlement,
        actor,
        "settlement_create",
        quote=str(quote),
        customer_total=yuan(settlement.customer_total),
    )
    for line in lines:
        if line.lowered_reason:
            _event(
                settlement,
                actor,
                "settlement_line_lowered",
                line=line.description,
                amount=yuan(line.amount),
                quoted=yuan(line.quoted_amount),
            )
    if settlement.balance == 0:
        transition_run(SETTLEMENT, pk=settlement.pk, action="settle", actor=None)
        settlement.refresh_from_db()
    return settlement


# --- payments and refunds (R15) ---------------------------------------------------------------------


def _fingerprint(**request: Any) -> str:
    """What a payment request asked for: a replay must ask for exactly the same."""
    text = json.dumps({k: str(v) for k, v in sorted(request.items())}, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(settlement: Settlement, key: str, fingerprint: str) -> Payment | None:
    """The payment this key already recorded (the same request again), or None; the same key with
    another request is refused (422)."""
    if not key:
        return None
    earlier = Payment.objects.filter(settlement=settlement, idempotency_key=key).first()
    if earlier is not None and earlier.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was used for another payment request; use a new key."),
            field="idempotency_key",
        )
    return earlier


def _refresh(settlement: Settlement, actor) -> None:
    """The amounts from the rows, and the state from the balance (settled at zero, owed again
    when a refund leaves something to pay)."""
    payments = list(settlement.payments.all())
    settlement.amount_paid = total(p.amount for p in payments if p.kind == PaymentKind.PAYMENT)
    settlement.amount_refunded = total(p.amount for p in payments if p.kind == PaymentKind.REFUND)
    settlement.amount_waived = total(w.amount_approved or ZERO for w in settlement.waivers.all())
    settlement.save(update_fields=["amount_paid", "amount_refunded", "amount_waived", "updated_at"])
    if settlement.state == SettlementState.OPEN and settlement.balance <= 0:
        transition_run(SETTLEMENT, pk=settlement.pk, action="settle", actor=None)
    elif settlement.state == SettlementState.SETTLED and settlement.balance > 0:
        transition_run(SETTLEMENT, pk=settlement.pk, action="reopen", actor=None)


def _receipt_after_commit(payment: Payment) -> None:
    """R15: the receipt's PDF is kept on the work order, made by a job once the payment is
    committed (rendering it does not hold the settlement's lock)."""
    job_after_commit("aftersales.billing.tasks.store_receipt", payment.pk)


def _method(method: str, reference: str) -> str:
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Choose how the customer paid.")]})
    if method != PaymentMethod.CASH and not reference.strip():
        raise ValidationError({"reference": [_("Enter the transaction reference of the payment.")]})
    return reference.strip()


@transaction.atomic
def payment_record(
    *,
    settlement_id: int,
    actor,
    method: str,
    amount: Any,
    reference: str = "",
    note: str = "",
    idempotency_key: str = "",
) -> Payment:
    """R15: money received from the customer, at most what is still owed, with a numbered receipt
    (gap-free, `SJ` + day + sequence). Recorded twice with the same `idempotency_key` (a double tap,
    a retry) it is one payment: the replay gets the first one back."""
    settlement = SETTLEMENT.lock(settlement_id)
    key = (idempotency_key or "").strip()[:128]
    fingerprint = _fingerprint(kind="payment", method=method, amount=amount, reference=reference.strip())
    _check(SETTLE, actor, settlement, _("You may not take payments for this work order."))
    earlier = _replay(settlement, key, fingerprint)
    if earlier is not None:
        return earlier
    value = _amount(amount, "amount")
    reference = _method(method, reference)
    if settlement.state == SettlementState.AWAITING_DECISION:
        raise TransitionNotAllowed(
            _("A supervisor is deciding on the fees; take the payment once they decided."),
            code="awaiting_decision",
        )
    if value > settlement.balance:
        raise DomainError(
            _("The customer owes %(balance)s; %(amount)s is more than that.")
            % {"balance": yuan(settlement.balance), "amount": yuan(value)},
            code="overpayment",
            field="amount",
        )
    payment = Payment(
        settlement=settlement,
        kind=PaymentKind.PAYMENT,
        method=method,
        amount=value,
        reference=reference,
        note=note.strip(),
        idempotency_key=key,
        request_fingerprint=fingerprint,
        recorded_by=actor,
        created_at=timezone.now(),
        receipt_number=number_next(prefix=RECEIPT_PREFIX, gapless=True),
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # a concurrent replay won the key (SQLite; PostgreSQL waits on the lock)
        return Payment.objects.get(settlement=settlement, idempotency_key=key)
    _refresh(settlement, actor)
    _receipt_after_commit(payment)
    _event(
        settlement,
        actor,
        "payment_record",
        amount=yuan(value),
        method=PaymentMethod(method).label,
        receipt=payment.receipt_number,
    )
    return payment


@transaction.atomic
def refund_record(
    *,
    settlement_id: int,
    actor,
    method: str,
    amount: Any,
    reason: str,
    reference: str = "",
    idempotency_key: str = "",
) -> Payment:
    """R15: money given back to the customer (finance and department heads), at most what was paid
    and not yet refunded, with its voucher number (`TK`); its own row, never an edit."""
    settlement = SETTLEMENT.lock(settlement_id)
    key = (idempotency_key or "").strip()[:128]
    fingerprint = _fingerprint(kind="refund", method=method, amount=amount, reason=reason.strip())
    _check(REFUND, actor, settlement, _("Only finance or a supervisor may refund."))
    earlier = _replay(settlement, key, fingerprint)
    if earlier is not None:
        return earlier
    value = _amount(amount, "amount")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the money is refunded.")]})
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Choose how the money is refunded.")]})
    if value > settlement.amount_paid - settlement.amount_refunded:
        raise DomainError(
            _("Only %(paid)s was paid and not refunded.")
            % {"paid": yuan(settlement.amount_paid - settlement.amount_refunded)},
            code="refund_too_large",
            field="amount",
        )
    refund = Payment.objects.create(
        settlement=settlement,
        kind=PaymentKind.REFUND,
        method=method,
        amount=value,
        reference=reference.strip(),
        note=reason.strip(),
        idempotency_key=key,
        request_fingerprint=fingerprint,
        recorded_by=actor,
        created_at=timezone.now(),
        receipt_number=number_next(prefix=REFUND_PREFIX, gapless=True),
    )
    _refresh(settlement, actor)
    _receipt_after_commit(refund)
    _event(
        settlement,
        actor,
        "refund_record",
        amount=yuan(value),
        method=PaymentMethod(method).label,
        receipt=refund.receipt_number,
    )
    return refund


# --- refusals and waivers (R11) ---------------------------------------------------------------------


@transaction.atomic
def waiver_request(*, settlement_id: int, actor, kind: str, reason: str, amount: Any = None) -> WaiverRequest:
    """R11: the engineer reports that the customer refuses to pay (all that is owed) or asks for a
    waiver or a discount (an amount); the work order waits for a supervisor ("awaiting a fee
    decision", its repair clock paused) when it is in service."""
    if kind not in WaiverKind.values:
        raise ValidationError({"kind": [_("Choose what the customer asks for.")]})
    settlement = SETTLEMENT.lock(settlement_id)
    value = (
        settlement.balance
        if kind == WaiverKind.REFUSAL or amount in (None, "")
        else _amount(amount, "amount")
    )
    if value <= 0:
        raise DomainError(_("Nothing is owed on this work order."), code="nothing_owed")
    if value > settlement.balance:
        raise DomainError(
            _("The customer owes %(balance)s; a waiver cannot be larger.")
            % {"balance": yuan(settlement.balance)},
            code="waiver_too_large",
            field="amount",
        )
    work_order = settlement.work_order
    waiver = WaiverRequest.objects.create(
        settlement=settlement,
        kind=kind,
        amount_requested=value,
        reason=(reason or "").strip(),
        requested_by=actor,
        paused_work_order=work_order.state == State.IN_SERVICE,
    )
    # The state, the role and the reason are checked here (a refusal undoes the request above).
    transition_run(
        SETTLEMENT, pk=settlement.pk, action="request_decision", actor=actor, inputs={"note": reason}
    )
    if waiver.paused_work_order:
        workorder_transition(
            work_order_id=work_order.pk,
            action="wait",
            actor=actor,
            waiting_reason=WaitingReason.FEE_DECISION,
            note=_("Awaiting a supervisor's decision on the fees."),
        )
    return waiver


@transaction.atomic
def waiver_decide(*, waiver_id: int, actor, amount_approved: Any, note: str) -> WaiverRequest:
    """R11: a supervisor approves the request in full or in part (the amount waived) or rejects it
    (0), with the reason; the work order resumes, and the settlement is settled when nothing is
    left to pay."""
    settlement_id = WaiverRequest.objects.values_list("settlement_id", flat=True).get(pk=waiver_id)
    settlement = SETTLEMENT.lock(settlement_id)  # the settlement first, as payments lock it
    waiver = WaiverRequest.objects.select_for_update().get(pk=waiver_id)
    if waiver.state != WaiverState.REQUESTED:
        raise TransitionNotAllowed(_("This request was already decided."))
    try:
        approved = cny(str(amount_approved if amount_approved not in (None, "") else "0"))
    except ValueError:
        raise ValidationError({"amount_approved": [_("Enter an amount such as 350.00.")]}) from None
    if approved < 0 or approved > waiver.amount_requested:
        raise ValidationError(
            {
                "amount_approved": [
                    _("Approve between 0 and %(amount)s.") % {"amount": yuan(waiver.amount_requested)}
                ]
            }
        )
    if approved == waiver.amount_requested:
        waiver.state = WaiverState.APPROVED
    elif approved > 0:
        waiver.state = WaiverState.PARTLY_APPROVED
    else:
        waiver.state = WaiverState.REJECTED
    waiver.amount_approved, waiver.decided_by, waiver.decided_at = approved, actor, timezone.now()
    waiver.decision_note = (note or "").strip()
    waiver.save()
    _refresh(settlement, actor)  # the amount waived, so the decision's event says what is still owed
    # The state and the role (supervisors) are checked here (a refusal undoes the decision above).
    transition_run(SETTLEMENT, pk=settlement_id, action="decide", actor=actor, inputs={"note": note})
    settlement = SETTLEMENT.lock(settlement_id)
    _refresh(settlement, actor)
    work_order = WorkOrder.objects.get(pk=settlement.work_order_id)
    if waiver.paused_work_order and work_order.state == State.WAITING:
        workorder_transition(work_order_id=work_order.pk, action="resume", actor=actor, note=note.strip())
    return waiver


def money_open(work_order: WorkOrder) -> Decimal:
    """What the customer still owes on the work order: the settlement's balance, else the
    approved quote's customer total (not yet settled), else nothing."""
    settlement = Settlement.objects.filter(work_order=work_order).first()
    if settlement is not None:
        return max(settlement.balance, ZERO) if settlement.state != SettlementState.SETTLED else ZERO
    quote = Quote.objects.filter(work_order=work_order).order_by("-version").first()
    if quote is not None and quote.state == QuoteState.APPROVED:
        return quote.customer_total
    return ZERO
