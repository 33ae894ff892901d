"""The one filter of return-visit lists: used by the queue page, its Excel export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import ListFilterSet, SortFilter, date_range, search_box

from .choices import ReturnVisitKind, ReturnVisitState
from .models import ReturnVisit
from .selectors import end_of_today

DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("today", _("To call today")),
    ("later", _("Later")),
]


class ReturnVisitFilterSet(ListFilterSet):
    q = search_box(
        text=("number", "work_order__number", "work_order__customer__name", "work_order__contact_name"),
        phones=("work_order__contact_phone",),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=ReturnVisitState.choices, label=_("State"), distinct=False
    )
    kind = django_filters.ChoiceFilter(choices=ReturnVisitKind.choices, label=_("Kind"))
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", label=_("Due"))
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=_("Assigned to me"),
        # A box that sends "true" when ticked (a plain one sends "on", which reads as unknown).
        widget=forms.CheckboxInput(attrs={"value": "true"}, check_test=lambda value: value in ("true", True)),
    )
    engineer = autocomplete_filter("engineers", model=Engineer, label=_("Engineer"))
    service_point = autocomplete_filter("service-points", model=ServicePoint, label=_("Service point"))
    due_after, due_before = date_range("due_at", _("Due from"), _("Due until"))
    ordering = SortFilter(
        fields=(
            ("next_call_at", "next_call_at"),
            ("due_at", "due_at"),
            ("number", "number"),
            ("work_order__number", "work_order"),
            ("finished_at", "finished_at"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = ReturnVisit
        fields = ["q", "state", "kind", "due", "mine", "engineer", "service_point"]

    def filter_due(self, queryset, name, value):
        """Pending visits past their due time, to call by the end of today, or later."""
        pending = queryset.filter(state=ReturnVisitState.PENDING)
        if value == "overdue":
            return pending.filter(due_at__lt=timezone.now())
        if value == "today":
            return pending.filter(next_call_at__lt=end_of_today())
        return pending.filter(next_call_at__gte=end_of_today())

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(assignee=user)
