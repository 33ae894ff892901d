"""The one filter of each servicing list: used by its page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductLine
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box

from .choices import DepotState, ExternalState, PlanState, RemoteState
from .models import DepotRepair, ExternalRepair, RemoteSession, ServicePlan, Vendor


class WorkOrderNumberFilterSet(ListFilterSet):
    """`?work_order=<id>` or `?work_order_number=WO…` on the records hanging off a work order."""

    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    work_order_number = django_filters.CharFilter(
        field_name="work_order__number", lookup_expr="iexact", label=_("Work-order number")
    )


class RemoteSessionFilterSet(WorkOrderNumberFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=RemoteState.choices, label=_("State"), distinct=False)

    class Meta:
        model = RemoteSession
        fields = ["work_order", "work_order_number", "state", "method"]


class ServicePlanFilterSet(WorkOrderNumberFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=PlanState.choices, label=_("State"), distinct=False)

    class Meta:
        model = ServicePlan
        fields = ["work_order", "work_order_number", "state", "needs_approval"]


class DepotRepairFilterSet(WorkOrderNumberFilterSet):
    q = search_box(
        text=("number", "work_order__number", "work_order__customer__name", "work_order__serial_number")
    )
    state = django_filters.MultipleChoiceFilter(choices=DepotState.choices, label=_("State"), distinct=False)
    received_after, received_before = date_range("received_at", _("Received from"), _("Received until"))
    ordering = SortFilter(
        fields=(("received_at", "received_at"), ("number", "number"), ("state", "state")),
        label=_("Sort by"),
    )

    class Meta:
        model = DepotRepair
        fields = ["q", "state", "work_order", "work_order_number"]


class ExternalRepairFilterSet(WorkOrderNumberFilterSet):
    q = search_box(
        text=("voucher_number", "work_order__number", "vendor__name", "work_order__customer__name")
    )
    state = django_filters.MultipleChoiceFilter(
        choices=ExternalState.choices, label=_("State"), distinct=False
    )
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("Vendor"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    ordering = SortFilter(
        fields=(("sent_at", "sent_at"), ("expected_back_on", "expected_back_on"), ("state", "state")),
        label=_("Sort by"),
    )

    class Meta:
        model = ExternalRepair
        fields = ["q", "state", "vendor", "overdue", "work_order", "work_order_number"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Still at the vendor after the expected day (or, with false, not overdue)."""
        if value is None:
            return queryset
        late = Q(state=ExternalState.SENT, expected_back_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class VendorFilterSet(ListFilterSet):
    q = search_box(text=("name", "contact_name", "address"))
    product_line = django_filters.ModelChoiceFilter(
        field_name="product_lines",
        queryset=ProductLine.objects.all(),
        label=_("Product line"),
        empty_label=_("All product lines"),
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = SortFilter(fields=(("name", "name"), ("lead_time_days", "lead_time_days")), label=_("Sort by"))

    class Meta:
        model = Vendor
        fields = ["q", "product_line", "is_active"]
