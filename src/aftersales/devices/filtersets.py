"""The one filter of each list of this app (devices, service contracts): the list page, its Excel
export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductLine
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box
from aftersales.customers.models import Customer

from .choices import ContractKind, ContractState
from .models import Device, ServiceContract
from .search import INDEX


class DeviceFilterSet(ListFilterSet):
    q = search_box(
        text=("serial_number", "customer__name", "product_model__code", "product_model__name"),
        exact=("customer__code",),
        also=lambda value: INDEX.condition(value) or Q(pk__in=[]),
        placeholder=_("Serial number, customer or model"),
    )
    serial = django_filters.CharFilter(method="filter_serial", label=_("Serial number"))
    customer = autocomplete_filter("customers", model=Customer, label=_("Customer"))
    product_model = IdFilter(field_name="product_model_id", label=_("Product model"))
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


def _contract_of_serial(value: str) -> Q:
    """Contracts covering a device whose serial number holds the text."""
    through = ServiceContract.devices.through.objects.filter(device__serial_number__icontains=value.upper())
    return Q(pk__in=through.values("servicecontract_id"))


class ServiceContractFilterSet(ListFilterSet):
    """R35: service contracts by number, customer or a device's serial; state, kind, customer,
    device, the day they end."""

    q = search_box(
        text=("number", "customer__name", "notes"),
        exact=("customer__code",),
        also=_contract_of_serial,
        placeholder=_("Contract number, customer or serial number"),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=ContractState.choices, label=_("State"), distinct=False
    )
    kind = django_filters.MultipleChoiceFilter(choices=ContractKind.choices, label=_("Kind"), distinct=False)
    customer = autocomplete_filter("customers", model=Customer, label=_("Customer"))
    device = IdFilter(method="filter_device", label=_("Device"))
    ends_after, ends_before = date_range("ends_on", _("Ends from"), _("Ends until"), of_datetime=False)
    ordering = SortFilter(
        fields=(
            ("number", "number"),
            ("customer__name", "customer"),
            ("starts_on", "starts_on"),
            ("ends_on", "ends_on"),
            ("state", "state"),
            ("created_at", "created"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = ServiceContract
        fields = ["q", "state", "kind", "customer", "device", "ends_after", "ends_before"]

    def filter_device(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        through = ServiceContract.devices.through.objects.filter(device_id=value)
        return queryset.filter(pk__in=through.values("servicecontract_id"))
