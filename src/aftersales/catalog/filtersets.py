"""The one filter of the parts list: the list page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import ListFilterSet, SortFilter, search_box

from .choices import PartCategory
from .models import Part, ProductModel


class PartFilterSet(ListFilterSet):
    q = search_box(text=("number", "name"), placeholder=_("Part number or name"))
    category = django_filters.ChoiceFilter(
        choices=PartCategory.choices, label=_("Part category"), empty_label=_("All categories")
    )
    fits = django_filters.ModelChoiceFilter(
        field_name="fits",
        queryset=ProductModel.objects.order_by("code"),
        label=_("Fits model"),
        empty_label=_("All models"),
    )
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    ordering = SortFilter(
        fields=(("number", "number"), ("name", "name"), ("category", "category"), ("updated_at", "updated")),
        label=_("Sort by"),
    )

    class Meta:
        model = Part
        fields = ["q", "category", "fits", "active"]
