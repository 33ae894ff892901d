"""Customers (companies or individuals), their contacts and addresses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SearchWords, TimeStampedModel
from aftersales.core.phones import validate_phone

from .choices import CustomerKind


class Customer(TimeStampedModel):
    """Who owns devices and raises requests; phone stored in E.164 form for search and masking."""

    code = models.CharField(_("customer code"), max_length=32, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.COMPANY
    )
    name = models.CharField(_("name"), max_length=128, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    dealer = models.ForeignKey(
        "accounts.Dealer",
        verbose_name=_("served by dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=_("Empty for customers served by HQ directly."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, db_index=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    title = models.CharField(_("title"), max_length=64, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["customer", "-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class Address(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    label = models.CharField(_("label"), max_length=64, blank=True)
    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32)
    district = models.CharField(_("district"), max_length=32, blank=True)
    detail = models.CharField(_("street address"), max_length=255)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["customer", "-is_default", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.district, self.detail) if part)


class CustomerSearch(SearchWords):
    """The words a customer is found by (core.search): names, code, region, addresses and contact
    people, segmented; refreshed by the customer services."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="+", db_column="customer_id"
    )

    class Meta:
        ordering = ["-customer_id"]
