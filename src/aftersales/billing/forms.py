"""Forms of the quote page: a line to add or change, and the inputs of the lifecycle buttons. They
only read input; the services decide (amounts, payers, states)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.autocomplete import AutocompleteSelect
from aftersales.core.forms import InputField, TransitionForm
from aftersales.core.transitions import Transition
from aftersales.notifications.choices import Channel as MessageChannel

from .choices import ApprovalMethod, InvoiceDelivery, InvoiceType, LineKind, PaymentMethod, WaiverKind
from .models import Quote
from .transitions import INVOICE, QUOTE

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class QuoteLineForm(forms.Form):
    """R9: one itemised line: its kind, the part for a part line, quantity (hours for labour) and
    unit price; the description defaults to the part's name or the kind."""

    kind = forms.ChoiceField(label=_("Kind"), choices=LineKind.choices)
    part = forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.none(), required=False, widget=AutocompleteSelect("parts")
    )
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity / hours"), min_value=0, max_digits=10, decimal_places=2, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price (CNY)"),
        required=False,
        help_text=_(
            "Empty: the price list's or fee standard's (the lower of the current and the warranty card's)."
        ),
        **AMOUNT,
    )
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_("For visit and travel fees by distance."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].queryset = part_scope(user)  # type: ignore[attr-defined]


class QuoteLineChangeForm(forms.Form):
    """R9: what can change on a draft's line: quantity, unit price, description."""

    quantity = forms.DecimalField(label=_("Quantity / hours"), min_value=0, max_digits=10, decimal_places=2)
    unit_price = forms.DecimalField(label=_("Unit price (CNY)"), **AMOUNT)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


def _text(label) -> InputField:
    return lambda user: forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}))


QUOTE_INPUTS: dict[str, InputField] = {
    "sent_via": lambda user: forms.ChoiceField(
        label=_("Send by"), choices=MessageChannel.choices, initial=MessageChannel.SMS
    ),
    "approved_by_name": lambda user: forms.CharField(label=_("Approved by (customer)"), max_length=64),
    "approval_method": lambda user: forms.ChoiceField(
        label=_("Approved how"), choices=ApprovalMethod.choices, initial=ApprovalMethod.PHONE
    ),
    "reason": _text(_("Reason")),
}


def quote_action_form(quote: Quote, transition: Transition, user, data=None) -> TransitionForm:
    """The form behind one button of the quote; approval by signature has its own form (the
    signature pad), so "signature" is not an input here."""
    return TransitionForm(
        data,
        machine=QUOTE,
        transition=transition,
        fields=QUOTE_INPUTS,
        user=user,
        auto_id=f"id_quote_{quote.pk}_{transition.name}_%s",
    )


class QuoteSignatureForm(forms.Form):
    """R8: the customer approves on the engineer's phone: their name and the drawn signature (a PNG
    data URL from the signature pad) or an uploaded stamp or scan."""

    approved_by_name = forms.CharField(label=_("Customer's name"), max_length=64)
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    stamp = forms.ImageField(label=_("Or upload a stamp or scan"), required=False)


class PaymentForm(forms.Form):
    """R15: a payment taken from the customer. The idempotency key is made when the form is shown,
    so a double tap or a re-sent form records one payment."""

    method = forms.ChoiceField(
        label=_("Paid by"), choices=PaymentMethod.choices, initial=PaymentMethod.WECHAT
    )
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("0.01"), **AMOUNT)
    reference = forms.CharField(label=_("Transaction reference"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class RefundForm(forms.Form):
    """R15: money given back (finance and department heads)."""

    method = forms.ChoiceField(label=_("Refunded by"), choices=PaymentMethod.choices)
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("0.01"), **AMOUNT)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    reference = forms.CharField(label=_("Transaction reference"), max_length=64, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class WaiverRequestForm(forms.Form):
    """R11: the customer refuses to pay (all that is owed) or asks for a waiver or discount."""

    kind = forms.ChoiceField(label=_("The customer"), choices=WaiverKind.choices)
    amount = forms.DecimalField(
        label=_("Amount asked for (CNY)"),
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Empty for a refusal: all that is owed."),
        **AMOUNT,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WaiverDecisionForm(forms.Form):
    """R11: a supervisor waives all, part (the amount) or nothing (0) of what was asked, and why."""

    amount_approved = forms.DecimalField(label=_("Amount waived (CNY)"), min_value=0, **AMOUNT)
    note = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))


class InvoiceRequestForm(forms.Form):
    """R10: the invoice the customer asks for: the buyer, the type, how it reaches them."""

    invoice_type = forms.ChoiceField(label=_("Invoice type"), choices=InvoiceType.choices)
    title = forms.CharField(label=_("Invoice title (buyer)"), max_length=128)
    tax_number = forms.CharField(label=_("Tax number"), max_length=18, required=False)
    buyer_address = forms.CharField(label=_("Buyer's address"), max_length=255, required=False)
    buyer_phone = forms.CharField(label=_("Buyer's phone"), max_length=32, required=False)
    buyer_bank = forms.CharField(label=_("Buyer's bank"), max_length=128, required=False)
    buyer_account = forms.CharField(label=_("Buyer's bank account"), max_length=64, required=False)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), required=False, help_text=_("Empty: all that was paid."), **AMOUNT
    )
    delivery = forms.ChoiceField(
        label=_("Delivered"), choices=InvoiceDelivery.choices, initial=InvoiceDelivery.EMAIL
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    postal_address = forms.CharField(label=_("Postal address"), max_length=255, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


INVOICE_INPUTS: dict[str, InputField] = {
    "invoice_number": lambda user: forms.CharField(label=_("Invoice number"), max_length=24),
    "issued_on": lambda user: forms.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    ),
    "note": lambda user: forms.CharField(label=_("Note"), max_length=255, required=False),
}


def invoice_action_form(invoice, transition: Transition, user) -> TransitionForm:
    return TransitionForm(
        machine=INVOICE,
        transition=transition,
        fields=INVOICE_INPUTS,
        user=user,
        auto_id=f"id_invoice_{invoice.pk}_{transition.name}_%s",
    )
