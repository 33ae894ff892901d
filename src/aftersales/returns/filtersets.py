"""The one filter of the returns list (R33): used by its page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box
from aftersales.customers.models import Customer

from .choices import ReturnKind, ReturnState
from .models import ReturnRequest
from .selectors import follow_up_overdue


class ReturnRequestFilterSet(ListFilterSet):
    """`?state=submitted&kind=exchange&customer=<id>&created_after=2026-11-01&overdue=true&q=SF…`."""

    q = search_box(
        text=("serial_number", "customer__name"),
        exact=("number", "pickup_tracking_number", "replacement_tracking_number", "work_order__number"),
        placeholder=_("Number, serial number, tracking number or customer"),
    )
    state = django_filters.MultipleChoiceFilter(choices=ReturnState.choices, label=_("State"), distinct=False)
    kind = django_filters.MultipleChoiceFilter(choices=ReturnKind.choices, label=_("Kind"), distinct=False)
    customer = autocomplete_filter("customers", model=Customer, label=_("Customer"))
    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    created_after, created_before = date_range("created_at", _("Requested from"), _("Requested until"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Follow-up overdue"))
    ordering = SortFilter(
        fields=(
            ("created_at", "created"),
            ("number", "number"),
            ("state", "state"),
            ("purchase_date", "purchased"),
            ("follow_up_due_on", "follow_up"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = ReturnRequest
        fields = ["q", "state", "kind", "customer", "work_order", "overdue"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Refunded or delivered and not followed up in time (with false: the others)."""
        if value is None:
            return queryset
        late = follow_up_overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))
