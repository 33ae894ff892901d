"""A customer's phones and addresses on the customer's pages and API (R41): a record, masked for
every role (`accounts.privacy`), revealed one value at a time from the customers the reader may
see (R37)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.privacy import Seen, shows_in_full
from aftersales.core.phones import phone_display
from aftersales.core.privacy import personal_address, personal_phone, region_text, register_revealable

from .models import Address, Contact, Customer
from .selectors import customer_scope


def customer_in_full(user, record=None) -> bool:
    """Whether `user` reads customers' phones and addresses in full on their pages."""
    return shows_in_full(user, Seen.RECORD)


def customer_region(customer: Customer | Address) -> str:
    return region_text(customer.province, customer.city, customer.district)


def customer_personal(user, customer: Customer, contacts: list[Contact], addresses: list[Address]) -> dict:
    """The customer page's personal values; each contact and address gets its `shown` value."""
    in_full = customer_in_full(user)
    for contact in contacts:
        contact.shown = personal_phone(
            contact.phone, in_full=in_full, resource="contact", object_id=contact.pk, field="phone"
        )
    for address in addresses:
        address.shown = personal_address(
            customer_region(address),
            address.detail,
            in_full=in_full,
            resource="address",
            object_id=address.pk,
            field="detail",
        )
    return {
        "phone_shown": personal_phone(
            customer.phone, in_full=in_full, resource="customer", object_id=customer.pk, field="phone"
        ),
        "address_shown": personal_address(
            customer_region(customer),
            customer.address,
            in_full=in_full,
            resource="customer",
            object_id=customer.pk,
            field="address",
        ),
    }


def _scoped(model, related: str):
    def get(user, pk: int):
        rows = model.objects.all() if model is Customer else model.objects.select_related("customer")
        kept = customer_scope(user).values("pk")
        return get_object_or_404(rows.filter(**{f"{related}__in": kept}), pk=pk)

    return get


_customer, _contact, _address = (
    _scoped(Customer, "pk"),
    _scoped(Contact, "customer"),
    _scoped(Address, "customer"),
)
register_revealable(
    "customer", "phone", label=_("Phone"), read=lambda u, pk: phone_display(_customer(u, pk).phone)
)
register_revealable(
    "customer",
    "address",
    label=_("Address"),
    read=lambda u, pk: region_text(customer_region(c := _customer(u, pk)), c.address),
)
register_revealable(
    "contact", "phone", label=_("Phone"), read=lambda u, pk: phone_display(_contact(u, pk).phone)
)
register_revealable(
    "address",
    "detail",
    label=_("Address"),
    read=lambda u, pk: str(_address(u, pk)),
)
