"""Reads of customers, scoped in SQL (R37): dealer staff and engineers see their dealer's customers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from aftersales.core.autocomplete import Lookup, register_lookup
from aftersales.core.phones import phone_search_digits, search_condition

from .models import Contact, Customer
from .search import INDEX


def customer_scope(user, queryset: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    queryset = Customer.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_company:
        return queryset
    dealer_id = user.dealer_id
    engineer = getattr(user, "engineer", None)
    if engineer is not None:
        dealer_id = engineer.service_point.dealer_id
    if dealer_id is None:
        return queryset.none() if engineer is None else queryset.filter(dealer__isnull=True)
    return queryset.filter(dealer_id=dealer_id)


def customer_search(user, text: str, limit: int = 10) -> QuerySet[Customer]:
    """Autocomplete: by name, code or phone digits, within the user's scope."""
    text = (text or "").strip()
    if not text:
        return Customer.objects.none()
    condition = Q(name__icontains=text) | Q(code__iexact=text) | (INDEX.condition(text) or Q(pk__in=[]))
    digits = phone_search_digits(text)
    if len(digits) >= 4:
        condition |= Q(phone__contains=digits) | Q(contacts__phone__contains=digits)
    return customer_scope(user).filter(condition).distinct().order_by("name")[:limit]


def _customer_lookup_search(rows: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """By name, code, phone digits or a contact's phone digits (no DISTINCT: a subquery)."""
    condition = search_condition(text, text=("name", "code"), phones=("phone",))
    digits = phone_search_digits(text)
    if len(digits) >= 4:
        condition |= Q(pk__in=Contact.objects.filter(phone__contains=digits).values("customer_id"))
    return rows.filter(condition)


# The customers a filter chooses from, loaded on demand (core.autocomplete).
register_lookup(
    Lookup(
        name="customers",
        scope=lambda user: customer_scope(user).order_by("name", "pk"),
        search=_customer_lookup_search,
        detail=lambda customer: customer.code,
        searches="name, code or phone (theirs or a contact's)",
    )
)
