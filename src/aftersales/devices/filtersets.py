"""The one filter of device lists: the list page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductLine
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import ListFilterSet, SortFilter, search_box
from aftersales.customers.models import Customer

from .models import Device


class DeviceFilterSet(ListFilterSet):
    q = search_box(
        text=("serial_number", "customer__name", "product_model__code", "product_model__name"),
        exact=("customer__code",),
        placeholder=_("Serial number, customer or model"),
    )
    serial = django_filters.CharFilter(method="filter_serial", label=_("Serial number"))
    customer = autocomplete_filter("customers", model=Customer, label=_("Customer"))
    product_model = django_filters.NumberFilter(field_name="product_model_id", label=_("Product model"))
    product_line = django_filters.ModelChoiceFilter(
        field_name="product_model__product_line",
        queryset=ProductLine.objects.all(),
        label=_("Product line"),
        empty_label=_("All product lines"),
    )
    ordering = SortFilter(
        fields=(
            ("serial_number", "serial"),
            ("customer__name", "customer"),
            ("purchase_date", "purchase_date"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Device
        fields = ["q", "serial", "customer", "product_model", "product_line"]

    def filter_serial(self, queryset, name, value):
        """Serial numbers are stored upper-case; a part of one matches."""
        value = value.strip().upper()
        return queryset.filter(serial_number__icontains=value) if value else queryset
