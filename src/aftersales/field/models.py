"""Field service data: where service points work (R5), when engineers are away (R5, R38), appointments
and on-site visits with their sign-off and supervision card (R12, R15-R17, R19)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, TimeStampedModel

from .choices import (
    RATING_CHOICES,
    SignatureKind,
    SignedFormState,
    SignOffOutcome,
    SupervisionState,
    VisitState,
)


class ServiceArea(TimeStampedModel):
    """A region a service point covers (R5): a blank city covers the whole province, a blank
    district the whole city. A point without any area covers its own province/city/district."""

    service_point = models.ForeignKey(
        "accounts.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.CASCADE,
        related_name="areas",
    )
    province = models.CharField(_("province"), max_length=32, db_index=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)

    class Meta:
        ordering = ["service_point", "province", "city", "district"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "province", "city", "district"], name="field_servicearea_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(district="") & ~models.Q(city="") | models.Q(district=""),
                name="field_servicearea_district_needs_city",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.district) if part)

    def clean(self) -> None:
        if self.district and not self.city:
            raise ValidationError({"city": ValidationError(_("A district needs its city."), code="invalid")})


class EngineerLeave(TimeStampedModel):
    """An engineer's absence from `start` to `end` (both included): not suggested for dispatch."""

    engineer = models.ForeignKey(
        "accounts.Engineer", verbose_name=_("engineer"), on_delete=models.CASCADE, related_name="leaves"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=128, blank=True)

    class Meta:
        ordering = ["engineer", "-start"]
        verbose_name = _("engineer leave")
        verbose_name_plural = _("engineer leaves")
        indexes = [models.Index(fields=["engineer", "start", "end"], name="field_leave_engineer_dates")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="field_engineerleave_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    def clean(self) -> None:
        """The leave ends on or after its first day, and no two leaves of an engineer share a day
        (`services.engineer_leave_create` locks the engineer, so two requests cannot both pass)."""
        if self.start is None or self.end is None:
            return
        if self.end < self.start:
            raise ValidationError(
                {"end": ValidationError(_("The leave ends before it starts."), code="date_order")}
            )
        if self.engineer_id is None:
            return
        overlapping = (
            EngineerLeave.objects.filter(engineer_id=self.engineer_id)
            .filter(start__lte=self.end, end__gte=self.start)
            .exclude(pk=self.pk)
            .order_by("start")
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                {
                    "start": ValidationError(
                        _("The engineer is already on leave from %(start)s to %(end)s.")
                        % {"start": f"{overlapping.start:%Y-%m-%d}", "end": f"{overlapping.end:%Y-%m-%d}"},
                        code="leave_overlap",
                    )
                }
            )


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class Appointment(TimeStampedModel):
    """A visit agreed with the customer (R12): a day and a time window (Asia/Shanghai local time)
    for one engineer. An engineer never has two booked appointments whose windows overlap
    (back-to-back windows are fine); `services.appointment_book` enforces it under a row lock on
    the engineer. `version` guards against two people rescheduling at once (optimistic locking);
    `reason` is the reason of the last change (reschedule or cancellation)."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    engineer = models.ForeignKey(
        "accounts.Engineer", verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="appointments"
    )
    date = models.DateField(_("date"))
    window_start = models.TimeField(_("from"))
    window_end = models.TimeField(_("until"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    reason = models.CharField(_("reason of the last change"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["date", "window_start", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["engineer", "date"], name="field_appt_engineer_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="field_appointment_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.window_start:%H:%M}–{self.window_end:%H:%M}"

    @property
    def is_booked(self) -> bool:
        return self.state == AppointmentState.BOOKED


# On-site visits (R12), sign-off (R15-R17) and the supervision card (R19) -----------------------


def field_file_path(instance: models.Model, filename: str) -> str:
    """Signatures are stored under a generated name, catalogued by month (R21)."""
    import uuid

    from django.utils import timezone

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"signatures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def degrees_field(label) -> models.DecimalField:
    """A WGS-84 coordinate as the browser gives it, to 6 decimals (about 0.1 m); empty when the
    phone gave no position."""
    return models.DecimalField(label, max_digits=9, decimal_places=6, null=True, blank=True)


class SelfCheckItem(TimeStampedModel):
    """One item of the engineer's self-check before the customer's acceptance (R15). Items of a
    product line apply to its devices, items without one to every visit; with no item configured
    the built-in default list applies (`choices.SELF_CHECK_DEFAULTS`)."""

    label = models.CharField(_("label"), max_length=128)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product_line", "position", "id"]
        verbose_name = _("self-check item")
        verbose_name_plural = _("self-check items")

    def __str__(self) -> str:
        return self.label


class Visit(TimeStampedModel):
    """An engineer's visit to the customer for a work order (R12): booked → en route → on site
    (check-in time and, when the phone gives it, location) → done (check-out), or cancelled; the
    state changes only through its lifecycle, `transitions.VISIT`. What the customer sees and signs
    (findings, parts, self-check) is locked once signed; the fault cause and repair measures are
    internal and stay editable until the work order closes (R16). `version` guards against two
    people changing it at once (optimistic locking)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="visits"
    )
    engineer = models.ForeignKey(
        "accounts.Engineer", verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="visits"
    )
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=VisitState.choices, default=VisitState.BOOKED, db_index=True
    )
    planned_date = models.DateField(_("planned date"))
    window_start = models.TimeField(_("from"), null=True, blank=True)
    window_end = models.TimeField(_("until"), null=True, blank=True)

    departed_at = models.DateTimeField(_("trip started at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_latitude = degrees_field(_("check-in latitude"))
    checkin_longitude = degrees_field(_("check-in longitude"))
    checkin_accuracy = models.DecimalField(
        _("check-in accuracy (m)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    left_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checkout_latitude = degrees_field(_("check-out latitude"))
    checkout_longitude = degrees_field(_("check-out longitude"))
    checkout_accuracy = models.DecimalField(
        _("check-out accuracy (m)"), max_digits=8, decimal_places=1, null=True, blank=True
    )

    findings = models.TextField(_("findings and work done"), blank=True)
    checklist = models.JSONField(_("self-check"), default=list, blank=True)
    plan_change = models.TextField(_("new findings that change the plan"), blank=True)
    plan_change_agreed = models.BooleanField(_("customer agreed to the change"), null=True, blank=True)
    fault_cause = models.TextField(_("fault cause (internal)"), blank=True)
    repair_measures = models.TextField(_("repair measures (internal)"), blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)

    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-planned_date", "-id"]
        verbose_name = _("on-site visit")
        verbose_name_plural = _("on-site visits")
        indexes = [
            models.Index(fields=["engineer", "planned_date"], name="field_visit_engineer_date"),
            # each engineer's last check-in (the day's map): the latest row of the engineer, read backwards
            models.Index(fields=["engineer", "arrived_at"], name="field_visit_engineer_arrived"),
            models.Index(fields=["work_order", "state"], name="field_visit_wo_state"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def day(self):
        """The day the visit happened (check-in, local time), else the day it was planned for."""
        from django.utils import timezone

        return timezone.localdate(self.arrived_at) if self.arrived_at else self.planned_date

    @property
    def is_on_site(self) -> bool:
        return self.state == VisitState.ON_SITE

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.get("ok"))


class VisitPart(TimeStampedModel):
    """A part replaced on site, shown to the customer and recorded (R12): issued from the
    engineer's van or the service point's store (R32), with its warranty cover decided when it is
    recorded (R36); a covered part leaves an old part for HQ when the visit ends (R29)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="parts")
    part_number = models.CharField(_("part number"), max_length=64)
    name = models.CharField(_("part name"), max_length=128)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    shown_to_customer = models.BooleanField(_("shown to the customer"), default=True)
    part = models.ForeignKey(
        "catalog.Part",
        verbose_name=_("catalog part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a part that is not in the catalog."),
    )
    warehouse = models.ForeignKey(
        "parts.Warehouse",
        verbose_name=_("taken from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The van or store the part was issued from (R32); empty when not from stock."),
    )
    covered = models.BooleanField(_("under warranty"), null=True, blank=True)
    cover_reason = models.CharField(_("why"), max_length=500, blank=True)
    old_serial_number = models.CharField(
        _("serial number of the part taken out"),
        max_length=64,
        blank=True,
        help_text=_("Needed for a part tracked by serial number that is under warranty (R29)."),
    )
    old_part = models.OneToOneField(
        "parts.OldPart",
        verbose_name=_("old part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_part",
        help_text=_("Kept for HQ when the visit ends (R29)."),
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("replaced part")
        verbose_name_plural = _("replaced parts")

    def __str__(self) -> str:
        return f"{self.part_number} {self.name} ×{self.quantity}"


class SignOff(AppendOnlyModel):
    """The customer's acceptance of a visit (R15-R17), written once and never changed (R41):
    ratings of repair quality and service attitude, satisfied or not, and the signature (drawn on
    screen or an uploaded stamp/scan) with the time and the SHA-256 hash of the form content it
    was given for (`content`, which keeps the exact values hashed). A refusal is recorded with its
    reason instead: a signature is never forced. The signed service form (PDF) of a signature is made
    after the sign-off by a job (`SignedForm`, R21)."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="signoff"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=SignOffOutcome.choices)
    quality_rating = models.PositiveSmallIntegerField(
        _("repair quality"),
        choices=RATING_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    attitude_rating = models.PositiveSmallIntegerField(
        _("service attitude"),
        choices=RATING_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    comment = models.TextField(_("customer's comment"), blank=True)
    signer_name = models.CharField(_("signed by"), max_length=64, blank=True)
    signature = models.FileField(_("signature"), upload_to=field_file_path, blank=True)
    signature_kind = models.CharField(
        _("signature kind"), max_length=16, choices=SignatureKind.choices, blank=True
    )
    refusal_reason = models.CharField(_("reason for refusing"), max_length=255, blank=True)
    signed_at = models.DateTimeField(_("time"))
    content = models.JSONField(_("signed content"), default=dict)
    content_hash = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("customer sign-off")
        verbose_name_plural = _("customer sign-offs")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="refused") | ~models.Q(refusal_reason=""),
                name="field_signoff_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.get_outcome_display()}"

    @property
    def is_signed(self) -> bool:
        return self.outcome == SignOffOutcome.SIGNED

    @property
    def allows_completion(self) -> bool:
        """Only a signed, satisfied acceptance lets the work order complete (R15, R17)."""
        return self.is_signed and self.satisfied is True


class SignedForm(TimeStampedModel):
    """R15, R21: the signed service form (PDF) of a signature, kept as an attachment of the work
    order. Rendering it takes seconds, so it is not done while the sign-off holds the visit's lock:
    the row is written "pending" with the sign-off and a job renders the PDF once the sign-off is
    committed (`services.signed_form_render`); "failed" ones are tried again by the periodic job,
    a few times. The sign-off itself is append-only, so its form's progress is kept here."""

    signoff = models.OneToOneField(
        SignOff, verbose_name=_("customer sign-off"), on_delete=models.PROTECT, related_name="signed_form"
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SignedFormState.choices,
        default=SignedFormState.PENDING,
        db_index=True,
    )
    attachment = models.ForeignKey(
        "workorders.Attachment",
        verbose_name=_("signed form"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signed service form")
        verbose_name_plural = _("signed service forms")

    def __str__(self) -> str:
        return f"{self.signoff.visit} {self.get_state_display()}"

    @property
    def is_ready(self) -> bool:
        return self.state == SignedFormState.READY and self.attachment_id is not None


class SupervisionCard(TimeStampedModel):
    """The service task supervision card of a visit (R19): the engineer submits it the same day
    (due at the end of the visit's day, local time) and the service centre verifies it. A card
    submitted after it was due, or still not submitted then, is late."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="supervision_card"
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SupervisionState.choices,
        default=SupervisionState.PENDING,
        db_index=True,
    )
    due_at = models.DateTimeField(_("due at"), db_index=True)
    summary = models.TextField(_("engineer's feedback"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verification_note = models.TextField(_("service centre's note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = _("service task supervision card")
        verbose_name_plural = _("service task supervision cards")

    def __str__(self) -> str:
        return str(self.visit)

    def is_late(self, now=None) -> bool:
        """Submitted after it was due, or not submitted and already due (R19)."""
        from django.utils import timezone

        if self.submitted_at is not None:
            return self.submitted_at > self.due_at
        return (now or timezone.now()) > self.due_at
