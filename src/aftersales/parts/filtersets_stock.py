"""The one filter of each stock-desk list (R32): used by its page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import ServicePoint
from aftersales.catalog.models import Part
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box

from .choices import CountState, MoveKind, TransferState, WarehouseKind
from .models import ReorderRule, StockAlert, StockBalance, StockCount, StockMove, StockTransfer, Warehouse


def _warehouse(label=None, field_name: str = "warehouse") -> django_filters.Filter:
    return autocomplete_filter(
        "warehouses", model=Warehouse, label=label or _("Warehouse"), field_name=field_name
    )


def _part(field_name: str = "part") -> django_filters.Filter:
    return autocomplete_filter("parts", model=Part, label=_("Part"), field_name=field_name)


def _kind(field_name: str = "warehouse__kind") -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        field_name=field_name, choices=WarehouseKind.choices, label=_("Warehouse kind"), distinct=False
    )


def _at_point(queryset: QuerySet, name: str, value) -> QuerySet:
    """A service point's warehouses: its store and defective location, and its engineers' vans."""
    if not value:
        return queryset
    return queryset.filter(Q(warehouse__service_point=value) | Q(warehouse__engineer__service_point=value))


class WarehouseFilterSet(ListFilterSet):
    """`?kind=van&service_point=<id>`, `?q=<code or name>`."""

    q = search_box(text=("name", "code"), placeholder=_("Code or name"))
    kind = _kind("kind")
    service_point = autocomplete_filter(
        "service-points", model=ServicePoint, label=_("Service point"), method="filter_point"
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = SortFilter(
        fields=(("code", "code"), ("name", "name"), ("kind", "kind"), ("unit_count", "units")),
        label=_("Sort by"),
    )

    class Meta:
        model = Warehouse
        fields = ["q", "kind", "service_point", "is_active"]

    def filter_point(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Q(service_point=value) | Q(engineer__service_point=value))


class BalanceFilterSet(ListFilterSet):
    """On hand (R32): `?warehouse=<id>&below=true` are the parts at or under their reorder point
    (by projected quantity); `?q=` a part number or name."""

    q = search_box(text=("part__number", "part__name"), placeholder=_("Part number or name"))
    kind = _kind()
    warehouse = _warehouse()
    service_point = autocomplete_filter(
        "service-points",
        model=ServicePoint,
        label=_("Service point"),
        method=_at_point,
        field_name="warehouse__service_point",
    )
    part = _part()
    below = django_filters.BooleanFilter(method="filter_below", label=_("At or below the reorder point"))
    held = django_filters.BooleanFilter(method="filter_held", label=_("In stock"))
    ordering = SortFilter(
        fields=(
            ("part__number", "part"),
            ("warehouse__code", "warehouse"),
            ("on_hand", "on_hand"),
            ("in_transit", "in_transit"),
            ("projected_quantity", "projected"),
            ("value", "value"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = StockBalance
        fields = ["q", "kind", "warehouse", "service_point", "part", "below", "held"]

    def filter_below(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Balances with a reorder rule whose projected quantity is at or under its point (the
        rows come from `balance_scope`, which annotates both)."""
        if value is None:
            return queryset
        low = Q(reorder_minimum__isnull=False, projected_quantity__lte=F("reorder_minimum"))
        return queryset.filter(low) if value else queryset.exclude(low)

    def filter_held(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(on_hand__gt=0) if value else queryset.filter(on_hand=0)


class MoveFilterSet(ListFilterSet):
    """The ledger (R32, R41): by warehouse, part, kind, document or work order, and day."""

    q = search_box(
        text=("part__number", "part__name", "note"),
        exact=("reference", "work_order__number"),
        placeholder=_("Part, document, work order or note"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=MoveKind.choices, label=_("Kind"), distinct=False)
    warehouse = _warehouse()
    part = _part()
    reference = django_filters.CharFilter(field_name="reference", lookup_expr="iexact", label=_("Document"))
    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    posted_after, posted_before = date_range("posted_at", _("From"), _("Until"))
    ordering = SortFilter(
        fields=(("posted_at", "time"), ("quantity", "quantity"), ("value", "value")), label=_("Sort by")
    )

    class Meta:
        model = StockMove
        fields = ["q", "kind", "warehouse", "part", "reference", "work_order"]


class TransferFilterSet(ListFilterSet):
    """Transfers (调拨单): `?state=shipped` are in transit; `?warehouse=` from or to a warehouse."""

    q = search_box(
        text=("note",), exact=("number", "tracking_number"), placeholder=_("Number, tracking number or note")
    )
    state = django_filters.MultipleChoiceFilter(
        choices=TransferState.choices, label=_("State"), distinct=False
    )
    source = _warehouse(_("From"), "source")
    destination = _warehouse(_("To"), "destination")
    warehouse = autocomplete_filter(
        "warehouses", model=Warehouse, label=_("From or to"), method="filter_either", field_name="source"
    )
    created_after, created_before = date_range("created_at", _("Created from"), _("Created until"))
    ordering = SortFilter(fields=(("created_at", "created"), ("number", "number")), label=_("Sort by"))

    class Meta:
        model = StockTransfer
        fields = ["q", "state", "source", "destination", "warehouse"]

    def filter_either(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(source=value) | Q(destination=value)) if value else queryset


class CountFilterSet(ListFilterSet):
    """Stock counts (盘点): `?state=submitted` wait for approval."""

    q = search_box(text=("note",), exact=("number",), placeholder=_("Number or note"))
    state = django_filters.MultipleChoiceFilter(choices=CountState.choices, label=_("State"), distinct=False)
    warehouse = _warehouse()
    created_after, created_before = date_range("created_at", _("Created from"), _("Created until"))
    ordering = SortFilter(fields=(("created_at", "created"), ("number", "number")), label=_("Sort by"))

    class Meta:
        model = StockCount
        fields = ["q", "state", "warehouse"]


class AlertFilterSet(ListFilterSet):
    """Stock alerts (R32): `?open=true` are those not resolved yet."""

    q = search_box(text=("part__number", "part__name"), placeholder=_("Part number or name"))
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label=_("Open"))
    kind = _kind()
    warehouse = _warehouse()
    part = _part()
    ordering = SortFilter(
        fields=(("created_at", "raised"), ("projected", "projected"), ("suggested_quantity", "suggested")),
        label=_("Sort by"),
    )

    class Meta:
        model = StockAlert
        fields = ["q", "open", "kind", "warehouse", "part"]


class ReorderRuleFilterSet(ListFilterSet):
    """Reorder rules (R32) by warehouse and part."""

    q = search_box(text=("part__number", "part__name"), placeholder=_("Part number or name"))
    kind = _kind()
    warehouse = _warehouse()
    part = _part()
    ordering = SortFilter(
        fields=(("part__number", "part"), ("warehouse__code", "warehouse"), ("minimum", "minimum")),
        label=_("Sort by"),
    )

    class Meta:
        model = ReorderRule
        fields = ["q", "kind", "warehouse", "part"]
