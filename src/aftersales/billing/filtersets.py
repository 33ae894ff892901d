"""The one filter of each billing list: used by its finance page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box

from .choices import (
    InvoiceState,
    PaymentKind,
    PaymentMethod,
    QuoteState,
    SettlementState,
    WaiverKind,
    WaiverState,
)
from .models import InvoiceRequest, Payment, Quote, QuoteLine, Settlement, WaiverRequest


class QuoteFilterSet(ListFilterSet):
    """`?work_order=<id>`, `?work_order_number=WO…`, `?state=sent&state=approved`."""

    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    work_order_number = django_filters.CharFilter(
        field_name="work_order__number", lookup_expr="iexact", label=_("Work-order number")
    )
    state = django_filters.MultipleChoiceFilter(choices=QuoteState.choices, label=_("State"), distinct=False)

    class Meta:
        model = Quote
        fields = ["work_order", "work_order_number", "state"]


class SettlementFilterSet(ListFilterSet):
    """Receivables (R15): `?state=open` are the ones still owed."""

    q = search_box(
        text=("work_order__number", "work_order__customer__name"), placeholder=_("Work order or customer")
    )
    state = django_filters.MultipleChoiceFilter(
        choices=SettlementState.choices, label=_("State"), distinct=False
    )
    created_after, created_before = date_range("created_at", _("Settled from"), _("Settled until"))
    ordering = SortFilter(
        fields=(("created_at", "created"), ("customer_total", "owed"), ("state", "state")), label=_("Sort by")
    )

    class Meta:
        model = Settlement
        fields = ["q", "state"]


class PaymentFilterSet(ListFilterSet):
    """Payments and refunds (R15) by method, kind and day."""

    q = search_box(
        text=("reference", "settlement__work_order__customer__name"),
        exact=("receipt_number", "settlement__work_order__number"),
        placeholder=_("Receipt, work order, reference or customer"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=PaymentKind.choices, label=_("Kind"), distinct=False)
    method = django_filters.MultipleChoiceFilter(
        choices=PaymentMethod.choices, label=_("Method"), distinct=False
    )
    recorded_after, recorded_before = date_range("created_at", _("Recorded from"), _("Recorded until"))
    ordering = SortFilter(fields=(("created_at", "recorded"), ("amount", "amount")), label=_("Sort by"))

    class Meta:
        model = Payment
        fields = ["q", "kind", "method"]


class InvoiceListFilterSet(ListFilterSet):
    """Invoice requests (R10): the ones still to issue or send, the overdue ones."""

    q = search_box(
        text=("title", "settlement__work_order__customer__name"),
        exact=("invoice_number", "tax_number", "settlement__work_order__number"),
        placeholder=_("Title, tax number, invoice or work order"),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=InvoiceState.choices, label=_("State"), distinct=False
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    work_order = IdFilter(field_name="settlement__work_order_id", label=_("Work order"))
    ordering = SortFilter(fields=(("due_on", "due"), ("amount", "amount")), label=_("Sort by"))

    class Meta:
        model = InvoiceRequest
        fields = ["q", "state", "overdue", "work_order"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Not sent by the due day (or, with false, not overdue)."""
        if value is None:
            return queryset
        late = Q(state__in=(InvoiceState.REQUESTED, InvoiceState.ISSUED), due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class WaiverFilterSet(ListFilterSet):
    """Refusals and waiver requests (R11): `?state=requested` wait for a supervisor."""

    q = search_box(
        text=("reason", "settlement__work_order__customer__name"),
        exact=("settlement__work_order__number",),
        placeholder=_("Work order, customer or reason"),
    )
    state = django_filters.MultipleChoiceFilter(choices=WaiverState.choices, label=_("State"), distinct=False)
    kind = django_filters.MultipleChoiceFilter(
        choices=WaiverKind.choices, label=_("The customer asks"), distinct=False
    )
    ordering = SortFilter(
        fields=(("created_at", "requested"), ("amount_requested", "amount")), label=_("Sort by")
    )

    class Meta:
        model = WaiverRequest
        fields = ["q", "state", "kind"]


class UnapprovedFeeFilterSet(ListFilterSet):
    """R30: fees charged on a dealer's fee standard HQ had not approved, by dealer and day."""

    q = search_box(
        text=("description", "quote__work_order__customer__name"),
        exact=("quote__work_order__number",),
        placeholder=_("Work order, customer or fee"),
    )
    dealer = IdFilter(field_name="fee_schedule__dealer_id", label=_("Dealer"))
    created_after, created_before = date_range("created_at", _("Charged from"), _("Charged until"))
    ordering = SortFilter(fields=(("created_at", "charged"), ("amount", "amount")), label=_("Sort by"))

    class Meta:
        model = QuoteLine
        fields = ["q", "dealer"]
