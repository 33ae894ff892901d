"""Quotes (R8, R9): what a repair will cost, line by line, with who pays each line (R36), as the
customer approves it. A revision is a new numbered version; the earlier ones are kept."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.core.money import MAX_DIGITS
from aftersales.devices.choices import Payer
from aftersales.notifications.choices import Channel as MessageChannel

from .choices import (
    ApprovalMethod,
    DiscountScope,
    InvoiceDelivery,
    InvoiceState,
    InvoiceType,
    LineKind,
    PaymentKind,
    PaymentMethod,
    QuoteState,
    SettlementState,
    WaiverKind,
    WaiverState,
)

USER = settings.AUTH_USER_MODEL


def _amount(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=2, **options)


class Quote(TimeStampedModel):
    """R8, R9: one version of the work order's quote. Lines change only while it is a draft; once
    sent, only a revision (a new version, the old one "revised") changes it. The customer's
    approval freezes the version: `content_hash` is the hash of its lines as approved, and no
    charge may be settled that is not on it (R9). Totals are computed by the services (half up
    per line, then summed, `core.money`) and stored, never summed in SQL."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="quotes"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    plan = models.ForeignKey(
        "servicing.ServicePlan",
        verbose_name=_("service plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The plan version this quote prices (R8), when the work order has one."),
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("revision of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=QuoteState.choices, default=QuoteState.DRAFT, db_index=True
    )
    total = _amount(_("total"), default=0)
    customer_total = _amount(_("to be paid by the customer"), default=0)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("drawn up by"), on_delete=models.PROTECT, related_name="+"
    )
    needs_authorisation = models.BooleanField(_("needs a supervisor's authorisation"), default=False)
    authorised_by = models.ForeignKey(
        USER,
        verbose_name=_("authorised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_via = models.CharField(_("sent via"), max_length=16, choices=MessageChannel.choices, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by_name = models.CharField(_("approved by (customer)"), max_length=64, blank=True)
    approval_method = models.CharField(
        _("approved how"), max_length=16, choices=ApprovalMethod.choices, blank=True
    )
    signature = models.FileField(_("signature"), upload_to="quotes/signatures/%Y/%m/", blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        USER,
        verbose_name=_("answer recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)

    class Meta:
        ordering = ["work_order", "version"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "version"], name="billing_quote_version_unique"),
            models.CheckConstraint(
                condition=models.Q(customer_total__gte=0), name="billing_quote_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return _("Quote %(number)s-%(version)s") % {"number": self.work_order.number, "version": self.version}

    @property
    def awaits_authorisation(self) -> bool:
        return self.needs_authorisation and self.authorised_at is None


class QuoteLine(TimeStampedModel):
    """R9: one itemised charge: quantity × unit price, rounded half up. The payer and the reason
    come from the work order's entitlement for the line's kind (R36); the unit price is the lower
    of the current price or fee standard (`list_price`) and the one on the customer's warranty
    card (`card_price`, R10), both kept so the form shows them. Prices are copied onto the line:
    changing a price list never changes a quote already drawn up."""

    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=255)
    part = models.ForeignKey(
        "catalog.Part",
        verbose_name=_("part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    part_category = models.CharField(_("part category"), max_length=16, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    unit_price = _amount(_("unit price"))
    list_price = _amount(_("current standard"), null=True, blank=True)
    card_price = _amount(_("warranty card standard"), null=True, blank=True)
    price_source = models.CharField(_("price from"), max_length=255, blank=True)
    fee_schedule = models.ForeignKey(
        "catalog.FeeSchedule",
        verbose_name=_("fee standard used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The fee schedule whose standard priced this fee (R30: a dealer's must be approved)."),
    )
    amount = _amount(_("amount"))
    payer = models.CharField(_("paid by"), max_length=16, choices=Payer.choices, default=Payer.CUSTOMER)
    cover_reason = models.CharField(_("why"), max_length=500, blank=True)
    discount_rule = models.ForeignKey(
        "billing.DiscountRule",
        verbose_name=_("discount rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["quote", "position"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="billing_quoteline_position_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="billing_quoteline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=LineKind.DISCOUNT, amount__lte=0)
                | (~models.Q(kind=LineKind.DISCOUNT) & models.Q(amount__gte=0)),
                name="billing_quoteline_amount_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class Settlement(TimeStampedModel):
    """R9, R10, R15: the fees of a work order as settled at sign-off, from its approved quote: each
    line as quoted or lower (with the reason), never higher and never new (R9). What the customer
    owes (`customer_total`) less what was paid (net of refunds) and waived (R11) is the balance;
    the work order does not close while it is positive. Amounts are recomputed from the rows under
    the settlement's lock by the services, never summed in SQL."""

    work_order = models.OneToOneField(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="settlement",
    )
    quote = models.ForeignKey(
        Quote, verbose_name=_("approved quote"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=SettlementState.choices,
        default=SettlementState.OPEN,
        db_index=True,
    )
    total = _amount(_("total"), default=0)
    customer_total = _amount(_("to be paid by the customer"), default=0)
    amount_paid = _amount(_("paid"), default=0)
    amount_refunded = _amount(_("refunded"), default=0)
    amount_waived = _amount(_("waived"), default=0)
    created_by = models.ForeignKey(
        USER, verbose_name=_("settled by"), on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0, amount_refunded__gte=0, amount_waived__gte=0),
                name="billing_settlement_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return _("Settlement of %(number)s") % {"number": self.work_order.number}

    @property
    def balance(self):
        """What the customer still owes."""
        return self.customer_total - self.amount_waived - (self.amount_paid - self.amount_refunded)


class SettlementLine(TimeStampedModel):
    """R9, R10: one charge as settled: a line of the approved quote, at its quoted amount or lower
    (`lowered_reason` says why)."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("settlement"), on_delete=models.CASCADE, related_name="lines"
    )
    quote_line = models.ForeignKey(
        QuoteLine, verbose_name=_("quote line"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = _amount(_("unit price"))
    amount = _amount(_("amount"))
    quoted_amount = _amount(_("quoted amount"))
    payer = models.CharField(_("paid by"), max_length=16, choices=Payer.choices)
    lowered_reason = models.CharField(_("why lower than quoted"), max_length=255, blank=True)

    class Meta:
        ordering = ["settlement", "position"]
        verbose_name = _("settled charge")
        verbose_name_plural = _("settled charges")
        constraints = [
            models.UniqueConstraint(fields=["settlement", "quote_line"], name="billing_settlementline_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class Payment(AppendOnlyModel):
    """R15: money received from (or refunded to) the customer, each with its receipt number and a
    token the receipt's QR code verifies. Append-only: a correction is a refund. One request
    recorded twice with the same `idempotency_key` is one payment (the second gets the first)."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("settlement"), on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = _amount(_("amount"))
    reference = models.CharField(_("transaction reference"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    verify_token = models.UUIDField(_("verification code"), default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["settlement", "created_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="billing_payment_idempotency_key_once",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class WaiverRequest(TimeStampedModel):
    """R11: the customer refuses to pay or asks for a waiver or discount; the engineer records it
    with the reason, the work order waits, a supervisor approves in full or in part, or rejects."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("settlement"), on_delete=models.PROTECT, related_name="waivers"
    )
    kind = models.CharField(_("the customer asks"), max_length=16, choices=WaiverKind.choices)
    amount_requested = _amount(_("amount asked for"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=WaiverState.choices, default=WaiverState.REQUESTED, db_index=True
    )
    amount_approved = _amount(_("amount approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    paused_work_order = models.BooleanField(default=False)

    class Meta:
        ordering = ["settlement", "created_at"]
        verbose_name = _("waiver request")
        verbose_name_plural = _("waiver requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_requested__gt=0), name="billing_waiver_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_requested}"


class InvoiceRequest(TimeStampedModel):
    """R10: an invoice (发票) the customer asked for: the buyer's title and tax number (统一社会信用代码),
    ordinary or special, how it reaches them. When it is not issued on site it is tracked: due by
    `due_on`, reminded when late, recorded when issued (number, date) and sent. Issuing itself
    happens in the tax system; this records it."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("settlement"), on_delete=models.PROTECT, related_name="invoice_requests"
    )
    invoice_type = models.CharField(
        _("invoice type"), max_length=16, choices=InvoiceType.choices, default=InvoiceType.ORDINARY
    )
    title = models.CharField(_("invoice title (buyer)"), max_length=128)
    tax_number = models.CharField(_("tax number"), max_length=18, blank=True)
    buyer_address = models.CharField(_("buyer's address"), max_length=255, blank=True)
    buyer_phone = models.CharField(_("buyer's phone"), max_length=32, blank=True)
    buyer_bank = models.CharField(_("buyer's bank"), max_length=128, blank=True)
    buyer_account = models.CharField(_("buyer's bank account"), max_length=64, blank=True)
    amount = _amount(_("amount"))
    delivery = models.CharField(
        _("delivered"), max_length=16, choices=InvoiceDelivery.choices, default=InvoiceDelivery.EMAIL
    )
    email = models.EmailField(_("e-mail"), blank=True)
    postal_address = models.CharField(_("postal address"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=InvoiceState.choices, default=InvoiceState.REQUESTED, db_index=True
    )
    due_on = models.DateField(_("due by"), db_index=True)
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        USER, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_invoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return _("Invoice for %(number)s") % {"number": self.settlement.work_order.number}

    @property
    def overdue(self) -> bool:
        return (
            self.state in (InvoiceState.REQUESTED, InvoiceState.ISSUED) and self.due_on < timezone.localdate()
        )


class DiscountRule(TimeStampedModel):
    """R35: a discount for loyal customers and channel partners, configured by HQ: a percentage of
    what the customer pays (all, labour and fees, or parts) when the work order meets every
    condition given: the customer had at least N work orders closed before, the work order is
    served by a given dealer's point, the device is under a service contract. Applied on a draft
    quote as its own line, naming the rule."""

    name = models.CharField(_("name"), max_length=64)
    percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    scope = models.CharField(
        _("applies to"), max_length=16, choices=DiscountScope.choices, default=DiscountScope.ALL
    )
    min_earlier_work_orders = models.PositiveSmallIntegerField(
        _("loyal customer: closed work orders at least"), null=True, blank=True
    )
    dealer = models.ForeignKey(
        "accounts.Dealer",
        verbose_name=_("channel partner (dealer)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    under_contract = models.BooleanField(_("device under a service contract"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gt=0, percent__lte=100), name="billing_discount_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.percent}%)"
