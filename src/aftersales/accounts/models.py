"""People and organisation (R37, R38): HQ, dealers, service points, staff users and engineers."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.core.phones import phone_display, validate_phone

from .choices import COMPANY_WIDE_ROLES, DISPATCH_ROLES, FRONT_LINE_ROLES, Role, TokenRevocation
from .privacy import ACCESS_LOG_ROLES


class Dealer(TimeStampedModel):
    """A partner company that runs service points; its staff see only their own work."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")

    def __str__(self) -> str:
        return self.name


class ServicePoint(TimeStampedModel):
    """A branch (dealer=None: run by HQ) or a dealer's service centre, with a region and location."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    dealer = models.ForeignKey(
        Dealer,
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_points",
        help_text=_("Empty for service points run by HQ."),
    )
    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32)
    district = models.CharField(_("district"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    product_lines = models.ManyToManyField(
        "catalog.ProductLine", verbose_name=_("product lines served"), blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.district) if part)

    def clean(self) -> None:
        """Coordinates (WGS-84, for the nearest point, R5) are given both or neither, in range."""
        errors: dict[str, ValidationError] = {}
        for name, limit in (("latitude", 90), ("longitude", 180)):
            value = getattr(self, name)
            if value is not None and not -limit <= value <= limit:
                errors[name] = ValidationError(
                    _("Give a value from -%(limit)d to %(limit)d degrees.") % {"limit": limit},
                    code="coordinates",
                )
        if not errors and (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            errors[missing] = ValidationError(
                _("Give the latitude and the longitude together, or neither."), code="coordinates"
            )
        if errors:
            raise ValidationError(errors)


class User(AbstractUser):
    """A staff user with one role; dealer staff belong to a dealer, field staff to a service point."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    dealer = models.ForeignKey(
        Dealer, verbose_name=_("dealer"), null=True, blank=True, on_delete=models.PROTECT
    )
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        """R37: dealer staff belong to a dealer (their scope); the company-wide roles belong to
        none (they see every dealer's work); a service point, if any, is of the user's dealer."""
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.role == Role.DEALER_STAFF and not self.dealer_id:
            errors["dealer"] = ValidationError(
                _("Dealer staff belong to a dealer: choose it."), code="dealer_required"
            )
        elif self.role in COMPANY_WIDE_ROLES and self.dealer_id:
            errors["dealer"] = ValidationError(
                _("This role works for HQ and sees every dealer's work: it belongs to no dealer."),
                code="dealer_not_allowed",
            )
        elif (
            self.dealer_id and (point := self.service_point) is not None and point.dealer_id != self.dealer_id
        ):
            errors["service_point"] = ValidationError(
                _("The service point is not one of the user's dealer."), code="service_point_other_dealer"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return (self.last_name + self.first_name) or self.username

    @property
    def sees_whole_company(self) -> bool:
        return self.is_superuser or self.role in COMPANY_WIDE_ROLES

    @property
    def reads_access_log(self) -> bool:
        """Quality & compliance and HQ admins audit who viewed, revealed or exported personal data."""
        return self.has_role(*ACCESS_LOG_ROLES)

    @property
    def takes_requests(self) -> bool:
        """Front-line roles take and edit requests; finance, parts and quality only read them."""
        return self.has_role(*FRONT_LINE_ROLES)

    @property
    def dispatches(self) -> bool:
        """Dispatch roles assign engineers and use the dispatch board."""
        return self.has_role(*DISPATCH_ROLES)

    @property
    def plans_visits(self) -> bool:
        """Dispatchers book visits and engineers make them: both work from the visit calendar."""
        return self.dispatches or self.has_role(Role.ENGINEER)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or self.role in roles


class Engineer(TimeStampedModel):
    """An engineer of a service point; qualifications per product line gate dispatch (R38)."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="engineer"
    )
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="engineers",
    )
    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("engineer")
        verbose_name_plural = _("engineers")

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def phone_display(self) -> str:
        return phone_display(self.user.phone)

    def clean(self) -> None:
        """The account of an engineer has the engineer role and is nobody else's engineer record."""
        try:
            user = self.user
        except User.DoesNotExist:
            return  # no user, or an unknown one: the field's own error says so
        if user.role != Role.ENGINEER:
            raise ValidationError(
                {
                    "user": ValidationError(
                        _("%(user)s's role is %(role)s: only a user with the engineer role can be one.")
                        % {"user": user.username, "role": user.get_role_display()},
                        code="not_engineer_role",
                    )
                }
            )
        if Engineer.objects.filter(user_id=self.user_id).exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "user": ValidationError(
                        _("%(user)s is already an engineer.") % {"user": user.username},
                        code="already_engineer",
                    )
                }
            )


class Qualification(TimeStampedModel):
    """Trained and assessed on a product line, valid until the expiry date (R38)."""

    engineer = models.ForeignKey(
        Engineer,
        verbose_name=_("engineer"),
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine", verbose_name=_("product line"), on_delete=models.PROTECT
    )
    certified_on = models.DateField(_("certified on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["engineer", "product_line"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["engineer", "product_line"], name="accounts_qualification_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("certified_on")),
                name="accounts_qualification_expiry_after_certification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} · {self.product_line}"

    def clean(self) -> None:
        """Valid from certification to expiry; one qualification per engineer and product line."""
        if self.certified_on and self.expires_on and self.expires_on < self.certified_on:
            message = _("The expiry is before the certification.")
            raise ValidationError({"expires_on": ValidationError(message, code="date_order")})
        same_line = Qualification.objects.filter(
            engineer_id=self.engineer_id, product_line_id=self.product_line_id
        ).exclude(pk=self.pk)
        if self.engineer_id and self.product_line_id and same_line.exists():
            raise ValidationError(
                {
                    "product_line": ValidationError(
                        _("The engineer already has a qualification for this product line: edit that one."),
                        code="unique",
                    )
                }
            )

    def is_valid_on(self, day: date) -> bool:
        return self.certified_on <= day <= self.expires_on


class ApiToken(models.Model):
    """A key an API client signs in with (`Authorization: Bearer <key>`): one per client or device
    of a user, working until it expires or is revoked (by its owner, an HQ admin, logging out with
    it, a new token for the same client, or a password change). Only a digest of the key is kept;
    `key_prefix`, its first characters, finds the row and tells the owner which key it is."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    client = models.CharField(_("client"), max_length=100, help_text=_("The app or device using the token."))
    key_prefix = models.CharField(_("key prefix"), max_length=16, db_index=True)
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("revoked because"), max_length=20, choices=TokenRevocation.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client"],
                condition=models.Q(revoked_at__isnull=True),
                name="accounts_apitoken_one_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} ({self.key_prefix}…)"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class LoginFailure(AppendOnlyModel):
    """A sign-in refused, kept for the admins (R41): the name typed, from where, with what, and
    whether the password was wrong or the name and address were locked out at the time.
    `user` is the account of that name if there is one (admins only ever see it)."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    username = models.CharField(_("username tried"), max_length=150, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    locked_out = models.BooleanField(
        _("locked out"), default=False, help_text=_("Refused without checking the password.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} {self.ip_address or '-'} {self.created_at:%Y-%m-%d %H:%M:%S}"


class LoginThrottle(models.Model):
    """The failed sign-ins of one name from one address in the current window; at the limit the
    pair is locked out until `locked_until` (accounts.services_login). A sign-in that succeeds, or
    an admin's unlock, removes the row. The name is kept case-folded, whether an account has it or not."""

    username = models.CharField(_("username"), max_length=150)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)  # "" when unknown
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("first failure at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-window_started_at", "-id"]
        verbose_name = _("sign-in lock-out")
        verbose_name_plural = _("sign-in lock-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["username", "ip_address"],
                name="accounts_loginthrottle_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.ip_address or '-'}"
