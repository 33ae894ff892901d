"""The one filter of the quote list: used by the API (and the finance pages later)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import ListFilterSet

from .choices import QuoteState
from .models import Quote


class QuoteFilterSet(ListFilterSet):
    """`?work_order=<id>`, `?work_order_number=WO…`, `?state=sent&state=approved`."""

    work_order = django_filters.NumberFilter(field_name="work_order_id", label=_("Work order"))
    work_order_number = django_filters.CharFilter(
        field_name="work_order__number", lookup_expr="iexact", label=_("Work-order number")
    )
    state = django_filters.MultipleChoiceFilter(choices=QuoteState.choices, label=_("State"), distinct=False)

    class Meta:
        model = Quote
        fields = ["work_order", "work_order_number", "state"]
