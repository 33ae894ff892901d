from django.db import models
from django.utils.translation import gettext_lazy as _


class RemoteMethod(models.TextChoices):
    """How remote service reached the customer (R6, 003 远程服务流程)."""

    PHONE = "phone", _("Phone")
    REMOTE_DESKTOP = "remote_desktop", _("Remote desktop")
    EMAIL = "email", _("Email")


class RemoteState(models.TextChoices):
    OPEN = "open", _("In progress")
    SOLVED = "solved", _("Solved")
    ESCALATED = "escalated", _("Escalated to on-site")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the customer")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    REVISED = "revised", _("Replaced by a revision")


class FeeBasis(models.TextChoices):
    """Why the customer may be charged (R8: fees and their basis, no prices here)."""

    OUT_OF_WARRANTY = "out_of_warranty", _("Out of warranty")
    EXCLUSION = "exclusion", _("Warranty exclusion (misuse, modification, unauthorised repair)")
    WEAR_PARTS = "wear_parts", _("Consumables or wear parts")
    BEYOND_COVER = "beyond_cover", _("Service beyond the warranty or contract cover")


class ConfirmationMethod(models.TextChoices):
    """How the customer confirmed (a plan, or taking the repaired device back)."""

    PHONE = "phone", _("By phone")
    SIGNATURE = "signature", _("Signature")
    WECHAT = "wechat", _("WeChat")
    IN_PERSON = "in_person", _("In person")


class DepotState(models.TextChoices):
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    REPAIRING = "repairing", _("Repairing")
    EXTERNAL = "external", _("At external vendor")
    RECHECKED = "rechecked", _("Re-checked")
    HANDED_BACK = "handed_back", _("Handed back")


class WarrantyState(models.TextChoices):
    IN = "in", _("In warranty")
    OUT = "out", _("Out of warranty")
    UNKNOWN = "unknown", _("Warranty unknown")


class SendOutReason(models.TextChoices):
    """R14: a device goes out only when in warranty (to the maker) or beyond local ability."""

    IN_WARRANTY = "in_warranty", _("In warranty: repaired by the maker")
    BEYOND_LOCAL = "beyond_local", _("Fault beyond local repair ability")


class ExternalState(models.TextChoices):
    SENT = "sent", _("At the vendor")
    RETURNED = "returned", _("Received back")
    RECHECKED = "rechecked", _("Re-checked")
    DONE = "done", _("Done")
    UNREPAIRABLE = "unrepairable", _("Unrepairable")
    RESENT = "resent", _("Re-sent to another vendor")


class FollowUpKind(models.TextChoices):
    REMINDER = "reminder", _("Scheduled reminder")
    CONTACT = "contact", _("Vendor contacted")


class ExclusionReason(models.TextChoices):
    """Why a line the warranty would cover is charged after all (R36)."""

    USER_MODIFICATION = "user_modification", _("User modification")
    MISUSE = "misuse", _("Misuse")
    UNAUTHORISED_REPAIR = "unauthorised_repair", _("Unauthorised repair")
    WEAR_PART = "wear_part", _("Wear part")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    OTHER = "other", _("Other")
