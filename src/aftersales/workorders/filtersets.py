"""The one filter of work-order lists: used by the list page, the API and the Excel export."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import ListFilterSet, SortFilter, date_range, search_box
from aftersales.customers.models import Customer

from . import hooks
from .choices import OPEN_STATES, Channel, Priority, State, WorkOrderType
from .models import WorkOrder
from .search import INDEX, WHOLE_NUMBER


class ListOrderingFilter(SortFilter):
    """The list's sort keys; those of registered list columns sort rows without a value last,
    whichever the direction."""

    nulls_last: frozenset[str] = frozenset()

    def add_column(self, *, key: str, field: str, label) -> None:
        self.param_map[key] = field
        self.extra["choices"] = [*self.extra["choices"], *self.build_choices({field: key}, {field: label})]
        self.nulls_last = self.nulls_last | {field}
        # The form field may have been built (and copied here) before, e.g. by the API schema.
        self.__dict__.pop("_field", None)

    def get_ordering_value(self, param: str):
        value = super().get_ordering_value(param)
        name = value.lstrip("-")
        if name not in self.nulls_last:
            return value
        return F(name).desc(nulls_last=True) if value.startswith("-") else F(name).asc(nulls_last=True)


class WorkOrderFilterSet(ListFilterSet):
    # A whole number by itself; else the words of what was said and written (core.search), parts
    # of numbers and serial numbers, the customer's name, or a phone's digits.
    q = search_box(
        text=("number", "customer__name", "serial_number"),
        phones=("contact_phone", "customer__phone"),
        outright=lambda value: Q(number=value.upper()) if WHOLE_NUMBER.fullmatch(value) else None,
        also=lambda value: INDEX.condition(value) or Q(pk__in=[]),
        own_text_min_length=3,
    )
    # distinct=False: a filter on the row itself needs no SELECT DISTINCT (which sorts every match).
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("State"), distinct=False)
    type = django_filters.ChoiceFilter(choices=WorkOrderType.choices, label=_("Type"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    # Large sets: chosen with a combobox that loads matches on demand, scoped to the user (R37).
    service_point = autocomplete_filter("service-points", model=ServicePoint, label=_("Service point"))
    engineer = autocomplete_filter("engineers", model=Engineer, label=_("Engineer"))
    customer = autocomplete_filter("customers", model=Customer, label=_("Customer"))
    # "any" is the empty value, so an untouched filter adds nothing to the address (or a saved filter)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue (service level breached or at risk)"),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    created_after, created_before = date_range("created_at", _("Created from"), _("Created until"))
    ordering = ListOrderingFilter(
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
        fields = [
            "q",
            "state",
            "type",
            "priority",
            "channel",
            "service_point",
            "engineer",
            "customer",
            "overdue",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ordering = self.filters["ordering"]
        for column in hooks.list_columns:  # registered at start-up, after this class was built
            if column.sort_field:
                ordering.add_column(key=column.key, field=column.sort_field, label=column.label)

    def filter_overdue(self, queryset, name, value):
        """R34: open work orders with a service-level clock breached or at risk (false: the others)."""
        if value is None:
            return queryset
        overdue = Q(state__in=OPEN_STATES) & hooks.overdue_condition(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
