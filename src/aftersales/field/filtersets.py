"""The filters of field service's lists: supervision cards (R19: the page, its Excel export and the
API), engineers' leave and the areas service points cover (R5: the API), appointments and visits
(R12: the API's lists; the calendar page and Today's jobs show the same rows as a week grid and a
day's list)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import engineer_search
from aftersales.core.autocomplete import autocomplete_filter
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box

from .choices import SupervisionState, VisitState
from .models import Appointment, AppointmentState, EngineerLeave, ServiceArea, SupervisionCard, Visit


class SupervisionCardFilterSet(ListFilterSet):
    """Over `selectors.supervision_list(user)`, whose rows carry `late` (computed in SQL)."""

    q = search_box(text=("visit__number", "visit__work_order__number", "visit__work_order__customer__name"))
    state = django_filters.MultipleChoiceFilter(
        choices=SupervisionState.choices, label=_("State"), distinct=False
    )
    late = django_filters.BooleanFilter(field_name="late", label=_("Late"))
    engineer = autocomplete_filter(
        "engineers", model=Engineer, field_name="visit__engineer", label=_("Engineer")
    )
    service_point = autocomplete_filter(
        "service-points",
        model=ServicePoint,
        field_name="visit__engineer__service_point",
        label=_("Service point"),
    )
    visit_from, visit_until = date_range(
        "visit__planned_date", _("Visits from"), _("Visits until"), of_datetime=False
    )
    ordering = SortFilter(
        fields=(
            ("due_at", "due"),
            ("submitted_at", "submitted"),
            ("state", "state"),
            ("visit__number", "visit"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = SupervisionCard
        fields = ["q", "state", "late", "engineer", "service_point"]


class AppointmentFilterSet(ListFilterSet):
    """Over `selectors.appointment_list(user)`: by engineer, service point, work order, state and
    day range (the calendar's week is `date_from`..`date_until`)."""

    engineer = autocomplete_filter("engineers", model=Engineer, label=_("Engineer"))
    service_point = autocomplete_filter(
        "service-points", model=ServicePoint, field_name="engineer__service_point", label=_("Service point")
    )
    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    state = django_filters.MultipleChoiceFilter(
        choices=AppointmentState.choices, label=_("State"), distinct=False
    )
    date_from, date_until = date_range("date", _("From"), _("Until"), of_datetime=False)

    class Meta:
        model = Appointment
        fields = ["engineer", "service_point", "work_order", "state"]


class VisitFilterSet(ListFilterSet):
    """Over `selectors.visit_scope(user)`: by engineer, work order, state and planned day (an
    engineer's day is Today's jobs: `engineer`, `planned_from` = `planned_until` = the day)."""

    engineer = autocomplete_filter("engineers", model=Engineer, label=_("Engineer"))
    work_order = IdFilter(field_name="work_order_id", label=_("Work order"))
    state = django_filters.MultipleChoiceFilter(choices=VisitState.choices, label=_("State"), distinct=False)
    planned_from, planned_until = date_range("planned_date", _("From"), _("Until"), of_datetime=False)

    class Meta:
        model = Visit
        fields = ["engineer", "work_order", "state"]


class EngineerLeaveFilterSet(ListFilterSet):
    """Over `selectors.engineer_leave_list(user)`: `?on=2026-11-23` who is away that day,
    `?date_from=…&date_until=…` the leave with a day in that period (both days included)."""

    q = search_box(
        text=("reason",),
        also=lambda value: Q(engineer__in=engineer_search(Engineer.objects.all(), value)),
    )
    engineer = IdFilter(field_name="engineer_id", label=_("Engineer"))
    service_point = IdFilter(field_name="engineer__service_point_id", label=_("Service point"))
    dealer = IdFilter(field_name="engineer__service_point__dealer_id", label=_("Dealer"))
    date_from = django_filters.DateFilter(
        field_name="end", lookup_expr="gte", label=_("With a day on or after")
    )
    date_until = django_filters.DateFilter(
        field_name="start", lookup_expr="lte", label=_("With a day on or before")
    )
    on = django_filters.DateFilter(method="away_on", label=_("Away on the day"))

    class Meta:
        model = EngineerLeave
        fields = ["q", "engineer", "service_point", "dealer", "date_from", "date_until", "on"]

    def away_on(self, queryset: QuerySet[EngineerLeave], name: str, value) -> QuerySet[EngineerLeave]:
        return queryset.filter(start__lte=value, end__gte=value)


class ServiceAreaFilterSet(ListFilterSet):
    """Over `selectors.service_area_list(user)`: by point, dealer and province; `q` searches the
    region and the point's code and name."""

    q = search_box(text=("province", "city", "district", "service_point__code", "service_point__name"))
    service_point = IdFilter(field_name="service_point_id", label=_("Service point"))
    dealer = IdFilter(field_name="service_point__dealer_id", label=_("Dealer"))
    province = django_filters.CharFilter(label=_("Province"))

    class Meta:
        model = ServiceArea
        fields = ["q", "service_point", "dealer", "province"]
