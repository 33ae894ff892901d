"""The filters of the accounts lists: the organisation (R37, R38: dealers, service points,
engineers; rows already scoped to the user by the selectors, so another dealer's id matches
nothing), staff users (API), sign-in lock-outs (the page, its export and the API) and failed
sign-ins (API)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box
from aftersales.core.phones import search_condition

from .choices import Role
from .models import Dealer, Engineer, LoginFailure, LoginThrottle, Qualification, ServicePoint, User
from .selectors import engineer_search, login_key


class DealerFilterSet(ListFilterSet):
    q = search_box(text=("code", "name", "contact_name"), phones=("phone",))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Dealer
        fields = ["q", "is_active"]


class ServicePointFilterSet(ListFilterSet):
    q = search_box(text=("code", "name", "city", "district", "address"), phones=("phone",))
    dealer = IdFilter(field_name="dealer_id", label=_("Dealer"))
    hq = django_filters.BooleanFilter(
        field_name="dealer", lookup_expr="isnull", label=_("Run by HQ (no dealer)")
    )
    product_line = IdFilter(
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
    dealer = IdFilter(field_name="service_point__dealer_id", label=_("Dealer"))
    service_point = IdFilter(field_name="service_point_id", label=_("Service point"))
    product_line = IdFilter(method="qualified", label=_("Qualified for the product line"))
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


class UserFilterSet(ListFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.MultipleChoiceFilter(choices=Role.choices, label=_("Role"))
    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.all(), label=_("Dealer"))
    service_point = django_filters.ModelChoiceFilter(
        queryset=ServicePoint.objects.all(), label=_("Service point")
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = SortFilter(
        fields=(
            ("username", "username"),
            ("last_name", "name"),
            ("role", "role"),
            ("date_joined", "joined"),
            ("last_login", "last_login"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = User
        fields = ["q", "role", "dealer", "service_point", "is_active"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """User name, name (family name first, as written in Chinese), email, or phone digits."""
        value = value.strip()
        if not value:
            return queryset
        condition = search_condition(
            value, text=("username", "full_name", "first_name", "email"), phones=("phone",)
        )
        return queryset.alias(full_name=Concat("last_name", "first_name")).filter(condition)


class IPAddressFilter(django_filters.CharFilter):
    """An IP address, checked as one (PostgreSQL's `inet` column refuses anything else)."""

    field_class = forms.GenericIPAddressField


class LoginLockoutFilterSet(ListFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    username = django_filters.CharFilter(method="of_username", label=_("Username"))
    ip_address = django_filters.CharFilter(label=_("IP address"))
    ordering = SortFilter(
        fields=(("locked_until", "locked_until"), ("username", "username"), ("failures", "failures")),
        label=_("Sort by"),
    )

    class Meta:
        model = LoginThrottle
        fields = ["q", "username", "ip_address"]

    def search(self, queryset: QuerySet[LoginThrottle], name: str, value: str) -> QuerySet[LoginThrottle]:
        """Part of the name (kept case-folded) or the start of the address."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__contains=login_key(value)) | Q(ip_address__startswith=value))

    def of_username(
        self, queryset: QuerySet[LoginThrottle], name: str, value: str
    ) -> QuerySet[LoginThrottle]:
        """The name as typed at sign-in: "Agent " and "agent" are one."""
        return queryset.filter(username=login_key(value)) if value.strip() else queryset


class LoginFailureFilterSet(ListFilterSet):
    username = django_filters.CharFilter(lookup_expr="iexact", label=_("Username tried"))
    user = IdFilter(field_name="user_id", label=_("User"))
    ip_address = IPAddressFilter(label=_("IP address"))
    locked_out = django_filters.BooleanFilter(label=_("Locked out"))
    created_after, created_before = date_range("created_at", _("From"), _("Until"))
    ordering = SortFilter(fields=(("created_at", "created_at"),), label=_("Sort by"))

    class Meta:
        model = LoginFailure
        fields = ["username", "user", "ip_address", "locked_out"]
