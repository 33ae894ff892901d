"""The choices of returns and exchanges (R33)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Return (refund)")
    EXCHANGE = "exchange", _("Exchange")


class ReturnState(models.TextChoices):
    """R33: from the customer's request to the follow-up call (`transitions.RETURN_REQUEST`)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PICKED_UP = "picked_up", _("Picked up, in transit")
    RECEIVED = "received", _("Received and inspected")
    REFUNDED = "refunded", _("Refunded")
    REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement shipped")
    DELIVERED = "delivered", _("Replacement delivered")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Requests whose customer is waiting for customer service's follow-up call.
AWAITING_FOLLOW_UP = (ReturnState.REFUNDED, ReturnState.DELIVERED)


class ReturnReason(models.TextChoices):
    QUALITY = "quality", _("Quality problem")
    DEAD_ON_ARRIVAL = "doa", _("Faulty on arrival")
    REPEATED_FAILURE = "repeated_failure", _("Still faulty after repairs")
    WRONG_ITEM = "wrong_item", _("Wrong item delivered")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    CHANGED_MIND = "changed_mind", _("No longer wanted")
    OTHER = "other", _("Other")


class ItemCondition(models.TextChoices):
    """The product's condition as the customer describes it (the rules accept some per kind)."""

    UNOPENED = "unopened", _("Unopened")
    LIKE_NEW = "like_new", _("Opened, like new")
    USED = "used", _("Used")
    DAMAGED = "damaged", _("Damaged")


class InspectionResult(models.TextChoices):
    AS_DESCRIBED = "as_described", _("As described")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    TRANSIT_DAMAGE = "transit_damage", _("Damaged in transit")


class RefundMethod(models.TextChoices):
    ORIGINAL = "original", _("Back to the original payment")
    BANK = "bank", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CASH = "cash", _("Cash")


class Rule(models.TextChoices):
    """The rules a request is checked against; a supervisor's exception names those it waives."""

    PURCHASE_DATE = "purchase_date", _("Purchase date")
    WINDOW = "window", _("Time limit")
    CONDITION = "condition", _("Condition")
    PROOF = "proof", _("Proof of purchase")
