"""Invoices on request (R10): the customer asks for a 发票 at settlement or later; when it is not
issued on site the request is tracked until it is sent: due by a day, reminded to finance when
late (once a day), recorded when issued (its number, date) and sent. Issuing happens in the tax
system; here it is recorded."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.core.money import cny, yuan
from aftersales.core.transitions import transition_run
from aftersales.notifications.services import notify
from aftersales.workorders.events import event_record
from aftersales.workorders.hooks import detail_url

from ..choices import InvoiceDelivery, InvoiceState, InvoiceType
from ..events import INVOICE as INVOICE_EVENT
from ..models import InvoiceRequest
from ..transitions import INVOICE, INVOICING, SETTLE, SETTLEMENT

# The request's fields a caller gives (the rest is the service's).
INVOICE_FIELDS = (
    "invoice_type",
    "title",
    "tax_number",
    "buyer_address",
    "buyer_phone",
    "buyer_bank",
    "buyer_account",
    "amount",
    "delivery",
    "email",
    "postal_address",
    "note",
)
# What a special VAT invoice needs besides the title and tax number.
SPECIAL_FIELDS = ("buyer_address", "buyer_phone", "buyer_bank", "buyer_account")


def invoice_due_days() -> int:
    """Days finance has to issue and send an invoice not issued on site."""
    return settings.BILLING_INVOICE_DUE_DAYS


def _checked(fields: dict[str, Any], *, paid: Decimal) -> dict[str, Any]:
    """The request's fields, stripped, with every mistake reported at once by field."""
    unknown = set(fields) - set(INVOICE_FIELDS)
    if unknown:
        raise ValueError(f"not a field of an invoice request: {sorted(unknown)}")
    values = {name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()}
    errors: dict[str, list[str]] = {}
    if values.get("invoice_type", InvoiceType.ORDINARY) not in InvoiceType.values:
        errors["invoice_type"] = [_("Choose the invoice type.")]
    if not values.get("title"):
        errors["title"] = [_("Enter the invoice title: the buyer's full name.")]
    number = (values.get("tax_number") or "").upper().replace(" ", "")
    values["tax_number"] = number
    from stdnum.cn import uscc  # imported where a tax number is checked, not in every worker

    if number and not uscc.is_valid(number):
        errors["tax_number"] = [_("This is not a valid unified social credit code (18 characters).")]
    if values.get("invoice_type") == InvoiceType.SPECIAL:
        if not number:
            errors["tax_number"] = [_("A special VAT invoice needs the buyer's tax number.")]
        for name in SPECIAL_FIELDS:
            if not values.get(name):
                errors[name] = [_("A special VAT invoice needs this.")]
    delivery = values.get("delivery", InvoiceDelivery.EMAIL)
    if delivery == InvoiceDelivery.EMAIL and not values.get("email"):
        errors["email"] = [_("Enter the e-mail address the invoice goes to.")]
    if delivery == InvoiceDelivery.POST and not values.get("postal_address"):
        errors["postal_address"] = [_("Enter the address the invoice is posted to.")]
    given = values.get("amount")
    amount: Decimal | None = paid
    if given not in (None, ""):
        try:
            amount = cny(str(given))
        except ValueError:
            amount = None
            errors["amount"] = [_("Enter an amount such as 350.00.")]
    if amount is not None and not 0 < amount <= paid:
        errors["amount"] = [_("The invoice is for at most what was paid (%(paid)s).") % {"paid": yuan(paid)}]
    values["amount"] = amount
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def invoice_request(*, settlement_id: int, actor, **fields: Any) -> InvoiceRequest:
    """R10: the customer asks for an invoice for (part of) what they paid; it is due within
    `invoice_due_days()` (issued on site it is recorded at once with `invoice_issue`)."""
    settlement = SETTLEMENT.lock(settlement_id)
    if not SETTLEMENT.permits(SETTLE, actor, settlement):
        raise NotPermitted(_("You may not ask for invoices on this work order."))
    paid = settlement.amount_paid - settlement.amount_refunded
    if paid <= 0:
        raise DomainError(_("Nothing was paid yet: an invoice is for money received."), code="nothing_paid")
    values = _checked(fields, paid=paid)
    invoice = InvoiceRequest(
        settlement=settlement,
        requested_by=actor,
        due_on=timezone.localdate() + timedelta(days=invoice_due_days()),
        **values,
    )
    invoice.full_clean()
    invoice.save()
    event_record(
        settlement.work_order,
        kind=INVOICE_EVENT,
        actor=actor,
        action="invoice_request",
        params={
            "record": str(invoice),
            "type": str(InvoiceType(invoice.invoice_type).label),
            "title": invoice.title,
            "amount": yuan(invoice.amount),
            "due": f"{invoice.due_on:%Y-%m-%d}",
        },
    )
    return invoice


def invoice_issue(
    *, invoice_id: int, actor, invoice_number: str, issued_on: date | None = None
) -> InvoiceRequest:
    """R10: finance records the invoice issued (its number, 20 or 8 digits, and day); one handed
    over on site is sent at the same time."""
    return transition_run(
        INVOICE,
        pk=invoice_id,
        action="issue",
        actor=actor,
        inputs={"invoice_number": invoice_number, "issued_on": issued_on},
    )


def invoice_send(*, invoice_id: int, actor, note: str = "") -> InvoiceRequest:
    """R10: the issued invoice reached the customer (e-mailed or posted)."""
    return transition_run(INVOICE, pk=invoice_id, action="send", actor=actor, inputs={"note": note})


def invoice_cancel(*, invoice_id: int, actor, note: str) -> InvoiceRequest:
    """R10: the customer no longer wants the invoice (before it is issued), with the reason."""
    return transition_run(INVOICE, pk=invoice_id, action="cancel", actor=actor, inputs={"note": note})


def invoice_reminders_send(*, today: date | None = None) -> int:
    """R10: every invoice not sent by its due day is reminded to finance, once a day (the notice's
    key names the day), and noted on the work order's timeline. Returns how many were reminded."""
    today = today or timezone.localdate()
    late = list(
        InvoiceRequest.objects.filter(
            state__in=(InvoiceState.REQUESTED, InvoiceState.ISSUED), due_on__lt=today
        )
        .exclude(reminded_on=today)
        .select_related("settlement__work_order")
    )
    if not late:
        return 0
    finance = list(User.objects.filter(is_active=True, role__in=INVOICING))
    for invoice in late:
        with transaction.atomic():
            work_order = invoice.settlement.work_order
            params = {
                "number": work_order.number,
                "amount": yuan(invoice.amount),
                "due": f"{invoice.due_on:%Y-%m-%d}",
            }
            notify(
                recipients=finance,
                title=gettext_lazy("%(number)s: invoice for %(amount)s overdue since %(due)s"),
                params=params,
                url=detail_url(work_order.pk, "money", "quote"),
                key=f"invoice-overdue:{invoice.pk}:{today:%Y%m%d}",
            )
            event_record(work_order, kind=INVOICE_EVENT, actor=None, action="invoice_reminder", params=params)
            InvoiceRequest.objects.filter(pk=invoice.pk).update(reminded_on=today)
    return len(late)
