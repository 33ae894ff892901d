"""The filters of the organisation's lists (R37, R38): dealers, service points, engineers. The
rows are already scoped to the user (selectors); an id of another dealer's row simply matches
nothing."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import ListFilterSet, search_box

from .models import Dealer, Engineer, Qualification, ServicePoint
from .selectors import engineer_search


class DealerFilterSet(ListFilterSet):
    q = search_box(text=("code", "name", "contact_name"), phones=("phone",))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Dealer
        fields = ["q", "is_active"]


class ServicePointFilterSet(ListFilterSet):
    q = search_box(text=("code", "name", "city", "district", "address"), phones=("phone",))
    dealer = django_filters.NumberFilter(field_name="dealer_id", label=_("Dealer"))
    hq = django_filters.BooleanFilter(
        field_name="dealer", lookup_expr="isnull", label=_("Run by HQ (no dealer)")
    )
    product_line = django_filters.NumberFilter(
        method="serving",
        label=_("Serves the product line (points serving every line included)"),
    )
    province = django_filters.CharFilter(label=_("Province"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ServicePoint
        fields = ["q", "dealer", "hq", "product_line", "province", "is_active"]

    def serving(self, queryset: QuerySet[ServicePoint], name: str, value: int) -> QuerySet[ServicePoint]:
        """R5: a point with no product line serves every line."""
        with_lines = ServicePoint.product_lines.through.objects.values("servicepoint_id")
        serving = with_lines.filter(productline_id=value)
        return queryset.filter(Q(pk__in=serving) | ~Q(pk__in=with_lines))


class EngineerFilterSet(ListFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    dealer = django_filters.NumberFilter(field_name="service_point__dealer_id", label=_("Dealer"))
    service_point = django_filters.NumberFilter(field_name="service_point_id", label=_("Service point"))
    product_line = django_filters.NumberFilter(method="qualified", label=_("Qualified for the product line"))
    qualified_on = django_filters.DateFilter(
        method="qualified",
        label=_("Holds a qualification valid on the day (with product_line: for that line)"),
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Engineer
        fields = ["q", "dealer", "service_point", "product_line", "qualified_on", "is_active"]

    def search(self, queryset: QuerySet[Engineer], name: str, value: str) -> QuerySet[Engineer]:
        value = value.strip()
        return engineer_search(queryset, value) if value else queryset

    def qualified(self, queryset: QuerySet[Engineer], name: str, value) -> QuerySet[Engineer]:
        """R38: one qualification that is for the line and valid on the day, when both are given
        (each filter runs this; the second time it changes nothing)."""
        data = self.form.cleaned_data
        line, day = data.get("product_line"), data.get("qualified_on")
        held = Qualification.objects.all()
        if line is not None:
            held = held.filter(product_line_id=line)
        if day is not None:
            held = held.filter(certified_on__lte=day, expires_on__gte=day)
        return queryset.filter(pk__in=held.values("engineer_id"))
