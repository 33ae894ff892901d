"""The one filter of each old-part and claim list (R29, R31): used by its page, its Excel export and
the API. Choices of related rows (service points, dealers) are scoped to the user (another
dealer's id is refused as an invalid choice)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Dealer, ServicePoint
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box

from .choices import ClaimState, EntryKind, InspectionResult, LineDecision, OldPartState, ShipmentState
from .models import AccountEntry, ClaimLine, OldPart, OldPartShipment, ReimbursementClaim


class OldPartFilterSet(ListFilterSet):
    """`?state=registered&overdue=true`, `?service_point=<id>`, `?due_before=2026-11-30`,
    `?inspection_result=not_faulty`, `?q=` a number, a part or a work order."""

    q = search_box(
        text=("part__number", "part__name", "serial_number"),
        exact=("number", "work_order__number", "shipment__number"),
        placeholder=_("Old part, part, serial or work order number"),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=OldPartState.choices, label=_("State"), distinct=False
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    charged = django_filters.BooleanFilter(method="filter_charged", label=_("Penalty charged"))
    inspection_result = django_filters.MultipleChoiceFilter(
        choices=InspectionResult.choices, label=_("Inspection result"), distinct=False
    )
    service_point = autocomplete_filter("service-points", model=ServicePoint, label=_("Service point"))
    dealer = autocomplete_filter("dealers", model=Dealer, label=_("Dealer"))
    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    shipment = IdFilter(field_name="shipment_id", label=_("Shipment"))
    due_after, due_before = date_range("report_due", _("Due from"), _("Due until"), of_datetime=False)
    replaced_after, replaced_before = date_range("replaced_at", _("Replaced from"), _("Replaced until"))
    ordering = SortFilter(
        fields=(
            ("number", "number"),
            ("replaced_at", "replaced"),
            ("report_due", "due"),
            ("state", "state"),
            ("part__number", "part"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = OldPart
        fields = ["q", "state", "overdue", "charged", "inspection_result", "service_point", "dealer"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """R29: still registered (not reported) after the deadline; with false, the others."""
        if value is None:
            return queryset
        late = Q(state=OldPartState.REGISTERED, report_due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_charged(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """R29: the dealer was charged for it (a penalty entry, reversed or not)."""
        if value is None:
            return queryset
        penalised = AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY, old_part__isnull=False)
        charged = Q(pk__in=penalised.values("old_part_id"))
        return queryset.filter(charged) if value else queryset.exclude(charged)


class OldPartLabelFilterSet(OldPartFilterSet):
    """The old parts whose labels to print (`parts:old_part_labels`, `/api/old-parts/labels/`): the
    list's filters, without its sort (the labels come in the order of their ids)."""

    ordering = None  # type: ignore[assignment]  # django-filter drops an inherited filter set to None


class OldPartShipmentFilterSet(ListFilterSet):
    """`?state=shipped` (on their way to HQ), `?service_point=<id>`, `?q=` number or tracking."""

    q = search_box(
        text=("carrier",), exact=("number", "tracking_number"), placeholder=_("Shipment or tracking number")
    )
    state = django_filters.MultipleChoiceFilter(
        choices=ShipmentState.choices, label=_("State"), distinct=False
    )
    service_point = autocomplete_filter("service-points", model=ServicePoint, label=_("Service point"))
    shipped_after, shipped_before = date_range("shipped_at", _("Shipped from"), _("Shipped until"))
    ordering = SortFilter(
        fields=(("created_at", "created"), ("shipped_at", "shipped"), ("number", "number")),
        label=_("Sort by"),
    )

    class Meta:
        model = OldPartShipment
        fields = ["q", "state", "service_point"]


class ClaimFilterSet(ListFilterSet):
    """`?state=in_review`, `?dealer=<id>`, `?month_after=2026-10-01`, `?q=` the claim number."""

    q = search_box(text=("dealer__name",), exact=("number",), placeholder=_("Claim number or dealer"))
    state = django_filters.MultipleChoiceFilter(choices=ClaimState.choices, label=_("State"), distinct=False)
    dealer = autocomplete_filter("dealers", model=Dealer, label=_("Dealer"))
    month_after, month_before = date_range("month", _("Month from"), _("Month until"), of_datetime=False)
    ordering = SortFilter(
        fields=(("month", "month"), ("claimed_total", "claimed"), ("approved_total", "approved")),
        label=_("Sort by"),
    )

    class Meta:
        model = ReimbursementClaim
        fields = ["q", "state", "dealer"]


class ClaimLineFilterSet(ListFilterSet):
    """A claim's lines: `?decision=pending` are still to review."""

    decision = django_filters.MultipleChoiceFilter(
        choices=LineDecision.choices, label=_("Decision"), distinct=False
    )

    class Meta:
        model = ClaimLine
        fields = ["decision"]
