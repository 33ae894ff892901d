"""The one filter of customer lists: the list page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Dealer
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import ListFilterSet, SortFilter, search_box
from aftersales.core.phones import search_condition

from .choices import CustomerKind
from .models import Contact, Customer
from .search import INDEX


def contact_match(value: str) -> Q:
    """A contact whose name or phone matches the search (its customer is found)."""
    return search_condition(value, text=("name",), phones=("phone",))


class CustomerFilterSet(ListFilterSet):
    q = search_box(
        text=("name", "email"),
        phones=("phone",),
        exact=("code",),
        also=lambda value: (
            Q(pk__in=Contact.objects.filter(contact_match(value)).values("customer_id"))
            | (INDEX.condition(value) or Q(pk__in=[]))
        ),
        placeholder=_("Name, code, phone or contact"),
    )
    kind = django_filters.ChoiceFilter(
        choices=CustomerKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    dealer = autocomplete_filter("dealers", model=Dealer, label=_("Dealer"))

    ordering = SortFilter(fields=(("code", "code"), ("name", "name")), label=_("Sort by"))

    class Meta:
        model = Customer
        fields = ["q", "kind", "dealer"]
