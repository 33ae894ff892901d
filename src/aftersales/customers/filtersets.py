"""The one filter of customer lists: the list page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import ListFilterSet
from aftersales.core.phones import search_condition

from .choices import CustomerKind
from .models import Contact, Customer


class CustomerFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("Name, code, phone or contact")}),
    )
    kind = django_filters.ChoiceFilter(
        choices=CustomerKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )

    ordering = django_filters.OrderingFilter(fields=(("code", "code"), ("name", "name")), label=_("Sort by"))

    class Meta:
        model = Customer
        fields = ["q", "kind", "dealer"]

    def search(self, queryset, name, value):
        """Name, code, email, or name or phone digits of the customer or one of its contacts."""
        value = value.strip()
        if not value:
            return queryset
        contacts = search_condition(value, text=("name",), phones=("phone",))
        return queryset.filter(
            search_condition(value, text=("name", "email"), phones=("phone",))
            | Q(code__iexact=value)
            | Q(pk__in=Contact.objects.filter(contacts).values("customer_id"))
        )
