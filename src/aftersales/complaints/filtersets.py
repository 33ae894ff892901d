"""The one filter of each list (complaints, difficult cases): used by the page, the API and the
Excel export."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.lists import ListFilterSet, SmallNumberFilter, SortFilter, date_range, search_box

from .choices import (
    CaseState,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintState,
    ResponseRisk,
    Severity,
)
from .models import Complaint, DifficultCase
from .selectors import response_condition


class ComplaintFilterSet(ListFilterSet):
    q = search_box(
        text=("number", "customer__name", "work_order__number", "contact_name", "description"),
        phones=("contact_phone",),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=ComplaintState.choices, label=_("State"), distinct=False
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    category = django_filters.ChoiceFilter(choices=ComplaintCategory.choices, label=_("Category"))
    source = django_filters.ChoiceFilter(choices=ComplaintSource.choices, label=_("Source"))
    outcome = django_filters.ChoiceFilter(
        choices=[c for c in ComplaintOutcome.choices if c[0]], label=_("Assessment")
    )
    response = django_filters.ChoiceFilter(
        choices=ResponseRisk.choices, method="filter_response", label=_("Response")
    )
    created_after, created_before = date_range("created_at", _("Registered from"), _("Registered until"))
    ordering = SortFilter(
        fields=(
            ("created_at", "created_at"),
            ("number", "number"),
            ("state", "state"),
            ("response_due_at", "response_due_at"),
            ("customer__name", "customer"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Complaint
        fields = ["q", "state", "severity", "category", "source", "outcome", "response"]

    def filter_response(self, queryset, name, value):
        return queryset.filter(response_condition(value, timezone.now())) if value else queryset


class DifficultCaseFilterSet(ListFilterSet):
    q = search_box(text=("number", "work_order__number", "work_order__customer__name"))
    state = django_filters.MultipleChoiceFilter(choices=CaseState.choices, label=_("State"), distinct=False)
    level = SmallNumberFilter(label=_("Level"))
    handler = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(difficult_cases__isnull=False).distinct(), label=_("Handler")
    )
    ordering = SortFilter(
        fields=(
            ("created_at", "created_at"),
            ("number", "number"),
            ("state", "state"),
            ("level", "level"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = DifficultCase
        fields = ["q", "state", "level", "handler"]
