"""The API's list filters: django-filter's, refusing what they cannot read instead of ignoring it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.request import Request

# What a boolean filter reads as "not filtered" on purpose (NullBooleanSelect's "unknown").
BOOLEAN_UNSET = ("", "unknown")


def unreadable_booleans(filterset: django_filters.FilterSet, params: Any) -> dict[str, list[str]]:
    """The boolean filters given a value their widget cannot read: django-filter takes
    `?active=maybe` for "either", which answers a question nobody asked."""
    errors: dict[str, list[str]] = {}
    for name, list_filter in filterset.filters.items():
        if not isinstance(list_filter, django_filters.BooleanFilter) or name not in params:
            continue
        if params.get(name, "") in BOOLEAN_UNSET:
            continue
        if list_filter.field.widget.value_from_datadict(params, {}, name) is None:
            errors[name] = [_("Enter true or false.")]
    return errors


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's backend, but a boolean filter's unreadable value is a 400 like any other
    filter's."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = unreadable_booleans(filterset, request.query_params)
        if errors:
            raise serializers.ValidationError(errors)
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
