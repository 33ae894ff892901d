"""The choices of the parts app: warehouses, stock moves and the documents that move parts (R28-R32)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseKind(models.TextChoices):
    """The three tiers of R32, plus the defective (old parts, 不良品) locations kept apart from good stock."""

    HQ = "hq", _("HQ warehouse")
    SERVICE_POINT = "service_point", _("Service point warehouse")
    VAN = "van", _("Engineer's van")
    DEFECTIVE = "defective", _("Defective parts location")


class MoveKind(models.TextChoices):
    """Why stock moved. A transfer is two moves (out at the source, in at the destination)."""

    RECEIPT = "receipt", _("Receipt")
    TRANSFER_OUT = "transfer_out", _("Transfer shipped")
    TRANSFER_IN = "transfer_in", _("Transfer received")
    ISSUE = "issue", _("Issued to a work order")
    RETURN = "return", _("Returned from a work order")
    ADJUSTMENT = "adjustment", _("Count adjustment")
    SCRAP = "scrap", _("Scrapped")
    OLD_PART_IN = "old_part_in", _("Old part registered")
    OLD_PART_OUT = "old_part_out", _("Old part sent on")
    CUSTOMER_RETURN = "customer_return", _("Returned by a customer")


class TransferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class CountState(models.TextChoices):
    DRAFT = "draft", _("Counting")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


class PartRequestState(models.TextChoices):
    """R28: 售后服务配件申请单, from the dealer's request to the parts arriving at its service point."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to HQ")
    CONFIRMED = "confirmed", _("Confirmed by HQ")
    ACCEPTED = "accepted", _("Accepted by the dealer")
    DEBITED = "debited", _("Debited")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class EntryKind(models.TextChoices):
    """A line of a dealer's account. Debits (the dealer owes more) are positive amounts."""

    PART_PURCHASE = "part_purchase", _("Parts purchased")
    OLD_PART_PENALTY = "old_part_penalty", _("Old part not reported")
    PAYMENT = "payment", _("Payment received")
    REIMBURSEMENT = "reimbursement", _("Warranty reimbursement")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


class OldPartState(models.TextChoices):
    """R29: an old part replaced under warranty, from the service point to HQ's inspection."""

    REGISTERED = "registered", _("Registered at the service point")
    REPORTED = "reported", _("Reported to HQ")
    SHIPPED = "shipped", _("Sent to HQ")
    RECEIVED = "received", _("Received at HQ")
    INSPECTED = "inspected", _("Inspected")


class InspectionResult(models.TextChoices):
    FAULTY = "faulty", _("Confirmed faulty")
    NOT_FAULTY = "not_faulty", _("Not faulty")
    NOT_MATCHING = "not_matching", _("Does not match the record")


class ShipmentState(models.TextChoices):
    DRAFT = "draft", _("Being packed")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")


class ClaimState(models.TextChoices):
    """R31: 保修期内配件费用报销单, built monthly, reviewed line by line, credited once."""

    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    CREDITED = "credited", _("Credited")


class LineDecision(models.TextChoices):
    PENDING = "pending", _("To review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
