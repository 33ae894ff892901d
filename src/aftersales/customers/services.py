"""Writes of customers and their contacts; phone numbers are normalised here (region CN)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.phones import phone_normalize
from aftersales.core.services import number_next

from .choices import CustomerKind
from .models import Contact, Customer
from .search import customer_search_refresh


def _normalized_phone(raw: str, field: str) -> str:
    try:
        return phone_normalize(raw)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error  # with its code, invalid_phone


@transaction.atomic
def customer_create(
    *,
    name: str,
    phone: str,
    kind: str = CustomerKind.COMPANY,
    email: str = "",
    province: str = "",
    city: str = "",
    district: str = "",
    address: str = "",
    contact_name: str = "",
    code: str = "",
    dealer=None,
    actor=None,
) -> Customer:
    """A new customer; a company also gets its first contact person when one is named."""
    if not (name or "").strip():
        raise ValidationError({"name": [_("Enter the customer's name.")]})
    if not (phone or "").strip():
        raise ValidationError({"phone": [_("Enter the customer's phone number.")]})
    customer = Customer(
        code=code or number_next(prefix="C", width=4),
        kind=kind,
        name=name.strip(),
        phone=_normalized_phone(phone, "phone"),
        email=email,
        province=province,
        city=city,
        district=district,
        address=address,
        dealer=dealer if dealer is not None else getattr(actor, "dealer", None),
    )
    customer.full_clean()
    customer.save()
    if contact_name.strip():
        contact_create(customer=customer, name=contact_name, phone=phone, is_primary=True)
    else:
        customer_search_refresh([customer.pk])
    return customer


@transaction.atomic
def contact_create(
    *,
    customer: Customer,
    name: str,
    phone: str,
    email: str = "",
    title: str = "",
    is_primary: bool = False,
) -> Contact:
    contact = Contact(
        customer=customer,
        name=name.strip(),
        phone=_normalized_phone(phone, "phone"),
        email=email,
        title=title,
        is_primary=is_primary,
    )
    contact.full_clean()
    contact.save()
    customer_search_refresh([customer.pk])
    return contact


@transaction.atomic
def customer_update(*, customer: Customer, actor=None, **fields) -> Customer:
    """Edit a customer with the same normalisation as `customer_create` (phone in E.164)."""
    if "phone" in fields:
        fields["phone"] = _normalized_phone(fields["phone"], "phone")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean()
    customer.save()
    customer_search_refresh([customer.pk])
    return customer
