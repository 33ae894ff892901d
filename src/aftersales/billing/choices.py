from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteState(models.TextChoices):
    """A quote version's lifecycle (R8, R9): drawn up, sent, answered by the customer, replaced."""

    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the customer")
    APPROVED = "approved", _("Approved by the customer")
    REJECTED = "rejected", _("Rejected by the customer")
    REVISED = "revised", _("Replaced by a revision")


class LineKind(models.TextChoices):
    """What a quote line charges for (R9); the first five are the lines warranty decides on (R36)."""

    DIAGNOSIS = "diagnosis", _("Diagnosis fee")
    VISIT = "visit", _("Visit fee")
    LABOUR = "labour", _("Labour")
    PART = "part", _("Parts")
    TRAVEL = "travel", _("Travel and logistics")
    OTHER = "other", _("Other")
    DISCOUNT = "discount", _("Discount")


class ApprovalMethod(models.TextChoices):
    """How the customer approved a quote (R8): signed on the engineer's phone, said yes on the
    phone to an agent who noted it, or in the portal (later)."""

    SIGNATURE = "signature", _("Signed on screen")
    PHONE = "phone", _("By phone (noted by staff)")
    PORTAL = "portal", _("In the customer portal")


class SettlementState(models.TextChoices):
    """Settling a work order's fees at sign-off (R10, R11, R15)."""

    OPEN = "open", _("Awaiting payment")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting a fee decision")
    SETTLED = "settled", _("Settled")


class PaymentMethod(models.TextChoices):
    """How the customer paid (R15); every method but cash has a transaction reference."""

    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    POS = "pos", _("POS (card)")


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class WaiverKind(models.TextChoices):
    """What the customer asked for (R11)."""

    REFUSAL = "refusal", _("Refuses to pay")
    WAIVER = "waiver", _("Asks for a waiver")
    DISCOUNT = "discount", _("Asks for a discount")


class WaiverState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting a supervisor")
    APPROVED = "approved", _("Approved in full")
    PARTLY_APPROVED = "partly_approved", _("Approved in part")
    REJECTED = "rejected", _("Rejected by the supervisor")


class InvoiceType(models.TextChoices):
    """发票: an ordinary VAT invoice (普票) or a special one (专票, the buyer deducts its VAT)."""

    ORDINARY = "ordinary", _("Ordinary VAT invoice")
    SPECIAL = "special", _("Special VAT invoice")


class InvoiceDelivery(models.TextChoices):
    ON_SITE = "on_site", _("Handed over on site")
    EMAIL = "email", _("By e-mail")
    POST = "post", _("By post")


class InvoiceState(models.TextChoices):
    """An invoice asked for (R10): issued on site, or tracked until it is sent."""

    REQUESTED = "requested", _("To be issued")
    ISSUED = "issued", _("Issued, not yet sent")
    SENT = "sent", _("Sent to the customer")
    CANCELLED = "cancelled", _("Cancelled")


class DiscountScope(models.TextChoices):
    """What a discount rule takes its percentage of (R35)."""

    ALL = "all", _("Everything the customer pays")
    LABOUR = "labour", _("Labour and fees")
    PARTS = "parts", _("Parts")
