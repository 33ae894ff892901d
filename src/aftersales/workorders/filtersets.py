"""The one filter of work-order lists: used by the list page, the API and the Excel export."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.core.phones import phone_search_digits

from .choices import Channel, Priority, State, WorkOrderType
from .models import WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    # distinct=False: a filter on the row itself needs no SELECT DISTINCT (which sorts every match).
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("State"), distinct=False)
    type = django_filters.ChoiceFilter(choices=WorkOrderType.choices, label=_("Type"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    service_point = django_filters.ModelChoiceFilter(
        queryset=ServicePoint.objects.all(), label=_("Service point")
    )
    engineer = django_filters.ModelChoiceFilter(
        queryset=Engineer.objects.select_related("user"), label=_("Engineer")
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("number", "number"),
            ("priority", "priority"),
            ("state", "state"),
            ("customer__name", "customer"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = WorkOrder
        fields = ["q", "state", "type", "priority", "channel", "service_point", "engineer"]

    def search(self, queryset, name, value):
        """Number, customer name, contact or customer phone, serial number."""
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(number__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(serial_number__icontains=value)
        )
        digits = phone_search_digits(value)
        if len(digits) >= 4:
            condition |= Q(contact_phone__contains=digits) | Q(customer__phone__contains=digits)
        return queryset.filter(condition)
