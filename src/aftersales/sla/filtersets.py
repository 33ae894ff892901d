"""The one filter of each service-level list the API serves (R34): working calendars, their dated
exceptions, the service-level policies."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductLine
from aftersales.core.lists import IdFilter, ListFilterSet, YearFilter, search_box
from aftersales.workorders.choices import Priority, WorkOrderType

from .choices import ExceptionKind
from .models import CalendarException, SlaPolicy, WorkingCalendar


class WorkingCalendarFilterSet(ListFilterSet):
    q = search_box(
        text=("name", "service_point__name", "service_point__code"),
        placeholder=_("Calendar or service point"),
    )
    is_default = django_filters.BooleanFilter(label=_("Company default"))
    has_service_point = django_filters.BooleanFilter(
        field_name="service_point", lookup_expr="isnull", exclude=True, label=_("A service point's own")
    )
    service_point = IdFilter(field_name="service_point_id", label=_("Service point"))

    class Meta:
        model = WorkingCalendar
        fields = ["q", "is_default", "has_service_point", "service_point"]


class CalendarExceptionFilterSet(ListFilterSet):
    calendar = IdFilter(field_name="calendar_id", label=_("Calendar"))
    kind = django_filters.ChoiceFilter(choices=ExceptionKind.choices, label=_("Kind"))
    year = YearFilter(field_name="date", lookup_expr="year", label=_("Year"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = CalendarException
        fields = ["calendar", "kind", "year", "date_from", "date_to"]


class SlaPolicyFilterSet(ListFilterSet):
    q = search_box(text=("name", "match_province", "note"), placeholder=_("Policy name or province"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    is_default = django_filters.BooleanFilter(label=_("Default policy"))
    match_priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    match_type = django_filters.ChoiceFilter(choices=WorkOrderType.choices, label=_("Work-order type"))
    match_product_line = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.order_by("code"), label=_("Product line")
    )
    match_customer = IdFilter(field_name="match_customer_id", label=_("Customer"))

    class Meta:
        model = SlaPolicy
        fields = [
            "q",
            "is_active",
            "is_default",
            "match_priority",
            "match_type",
            "match_product_line",
            "match_customer",
        ]
