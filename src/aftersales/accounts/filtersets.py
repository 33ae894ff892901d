"""The one filter of each accounts list: staff users (API), sign-in lock-outs (the page, its
export and the API) and failed sign-ins (API)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import ListFilterSet, SortFilter, date_range
from aftersales.core.phones import search_condition

from .choices import Role
from .models import Dealer, LoginFailure, LoginThrottle, ServicePoint, User
from .selectors import login_key


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
    user = django_filters.NumberFilter(field_name="user_id", label=_("User"))
    ip_address = IPAddressFilter(label=_("IP address"))
    locked_out = django_filters.BooleanFilter(label=_("Locked out"))
    created_after, created_before = date_range("created_at", _("From"), _("Until"))
    ordering = SortFilter(fields=(("created_at", "created_at"),), label=_("Sort by"))

    class Meta:
        model = LoginFailure
        fields = ["username", "user", "ip_address", "locked_out"]
