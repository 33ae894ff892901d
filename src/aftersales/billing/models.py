"""Quotes (R8, R9): what a repair will cost, line by line, with who pays each line (R36), as the
customer approves it. A revision is a new numbered version; the earlier ones are kept."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel
from aftersales.core.money import MAX_DIGITS
from aftersales.devices.choices import Payer
from aftersales.notifications.choices import Channel as MessageChannel

from .choices import ApprovalMethod, LineKind, QuoteState

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
    amount = _amount(_("amount"))
    payer = models.CharField(_("paid by"), max_length=16, choices=Payer.choices, default=Payer.CUSTOMER)
    cover_reason = models.CharField(_("why"), max_length=500, blank=True)

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
