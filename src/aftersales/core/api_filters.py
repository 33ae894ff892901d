"""The API's list filters: django-filter's, refusing what they cannot read instead of ignoring it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, serializers
from rest_framework.request import Request

# What a boolean filter takes (any case), as the schema says (`type: boolean`); empty means "not
# filtered".
BOOLEAN_VALUES = ("true", "false", "")


def unreadable_booleans(filterset: django_filters.FilterSet, params: Any) -> dict[str, list[str]]:
    """The boolean filters given something else than true or false: the pages' widgets read
    `?active=maybe` as "either" (or a checkbox's any text as true), which answers a question
    nobody asked."""
    return {
        name: [_("Enter true or false.")]
        for name, list_filter in filterset.filters.items()
        if isinstance(list_filter, django_filters.BooleanFilter)
        and any(value.lower() not in BOOLEAN_VALUES for value in params.getlist(name))
    }


# Filters that take several values (`?state=a&state=b`, `?ids=1,2`); the others take one.
MULTIPLE_VALUE_FILTERS = (
    django_filters.MultipleChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
    django_filters.filters.BaseCSVFilter,
    django_filters.OrderingFilter,
)


def repeated_single_values(filterset: django_filters.FilterSet, params: Any) -> dict[str, list[str]]:
    """The one-value filters given twice (`?work_order=1&work_order=2`): django-filter reads the
    last, which the caller may not have meant."""
    return {
        name: [_("Give this filter once.")]
        for name, list_filter in filterset.filters.items()
        if not isinstance(list_filter, MULTIPLE_VALUE_FILTERS) and len(params.getlist(name)) > 1
    }


def filterset_check(filterset: django_filters.FilterSet, params: Any) -> None:
    """A 400 problem for the first filter values the list cannot read."""
    errors = unreadable_booleans(filterset, params) | repeated_single_values(filterset, params)
    if errors:
        raise serializers.ValidationError(errors)
    if not filterset.is_valid():
        raise utils.translate_validation(filterset.errors)


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's backend, but a boolean filter's value other than true or false is a 400 like
    any other filter's unreadable value."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        filterset_check(filterset, request.query_params)
        return filterset.qs


def _sorts_itself(view: Any) -> bool:
    return "ordering" in getattr(getattr(view, "filterset_class", None), "base_filters", {})


class RowOrderingFilter(filters.OrderingFilter):
    """DRF's `?ordering=` for the lists whose FilterSet has no sort of its own. Where it has one
    (a `SortFilter`, whose names are the page's sort keys), that one sorts: DRF's would sort again
    by serializer names (`balance` of a dealer account is no column: a 500)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        return queryset if _sorts_itself(view) else super().filter_queryset(request, queryset, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [] if _sorts_itself(view) else super().get_schema_operation_parameters(view)
