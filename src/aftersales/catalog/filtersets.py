"""The one filter of each catalog list (parts, price lists and their items, fee schedules): the
list page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, search_box

from .choices import FeeApproval, PartCategory, PeriodStatus
from .models import FeeSchedule, Part, PriceList, PriceListItem, ProductModel


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


# --- price lists and fee schedules ----------------------------------------------------------------

NATIONAL = "national"


def period_filter(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """Lists or editions upcoming, in effect, ended (active ones) or inactive, as of today."""
    today = timezone.localdate()
    if value == PeriodStatus.INACTIVE:
        return queryset.filter(is_active=False)
    active = queryset.filter(is_active=True)
    if value == PeriodStatus.UPCOMING:
        return active.filter(effective_from__gt=today)
    if value == PeriodStatus.ENDED:
        return active.filter(effective_until__lt=today)
    if value == PeriodStatus.IN_EFFECT:
        return active.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=today), effective_from__lte=today
        )
    return queryset


def _region_choices() -> list[tuple[str, str]]:
    provinces = PriceList.objects.exclude(province="").order_by("province").values_list("province", flat=True)
    return [(NATIONAL, str(_("National"))), *((p, p) for p in dict.fromkeys(provinces))]


class PriceListFilterSet(ListFilterSet):
    q = search_box(text=("name", "notes"), placeholder=_("Price list name"))
    status = django_filters.ChoiceFilter(
        choices=PeriodStatus.choices, method=period_filter, label=_("Status"), empty_label=_("All")
    )
    region = django_filters.ChoiceFilter(
        choices=_region_choices, method="filter_region", label=_("Region"), empty_label=_("All regions")
    )
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    ordering = SortFilter(
        fields=(
            ("name", "name"),
            ("version", "version"),
            ("effective_from", "effective_from"),
            ("province", "province"),
            ("updated_at", "updated"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = PriceList
        fields = ["q", "status", "region", "active"]

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(province="" if value == NATIONAL else value)


class PriceListItemFilterSet(ListFilterSet):
    """The prices of one list (its page, its export and `/api/price-lists/<id>/items/`)."""

    q = search_box(text=("part__number", "part__name"), placeholder=_("Part number or name"))
    ordering = SortFilter(
        fields=(("part__number", "part"), ("retail_price", "retail"), ("cost_price", "cost")),
        label=_("Sort by"),
    )

    class Meta:
        model = PriceListItem
        fields = ["q"]


class FeeScheduleFilterSet(ListFilterSet):
    q = search_box(text=("code", "name"), placeholder=_("Code or name"))
    status = django_filters.ChoiceFilter(
        choices=PeriodStatus.choices, method=period_filter, label=_("Status"), empty_label=_("All")
    )
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    # R30: a dealer's local standards, awaiting HQ's approval or decided.
    approval_state = django_filters.MultipleChoiceFilter(
        choices=FeeApproval.choices, label=_("Approval"), distinct=False
    )
    dealer = IdFilter(field_name="dealer_id", label=_("Dealer"))
    dealers_only = django_filters.BooleanFilter(
        field_name="dealer", lookup_expr="isnull", exclude=True, label=_("Dealers' own standards")
    )
    ordering = SortFilter(
        fields=(("code", "code"), ("effective_from", "effective_from"), ("updated_at", "updated")),
        label=_("Sort by"),
    )

    class Meta:
        model = FeeSchedule
        fields = ["q", "status", "active", "approval_state", "dealer", "dealers_only"]
