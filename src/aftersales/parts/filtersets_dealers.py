"""The one filter of each list of the dealer network, used by its page, its Excel export and the API:
part requests (R28), the dealers' accounts and an account's ledger (R28-R31)."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Dealer, ServicePoint
from aftersales.core.lists import IdFilter, ListFilterSet, SortFilter, date_range, search_box

from .choices import EntryKind, PartRequestState
from .models import AccountEntry, PartRequest, PartRequestLine


def _dealers(request) -> QuerySet[Dealer]:
    from aftersales.accounts.selectors import dealers_in_scope

    return dealers_in_scope(request.user) if request is not None else Dealer.objects.none()


def _points(request) -> QuerySet[ServicePoint]:
    from aftersales.accounts.selectors import service_points_in_scope

    return service_points_in_scope(request.user) if request is not None else ServicePoint.objects.none()


class PartRequestFilterSet(ListFilterSet):
    """R28: `?state=submitted`, `?dealer=<id>`, `?service_point=<id>`, by day drawn up; search by
    number (or part number)."""

    q = search_box(
        text=("note",),
        exact=("number",),
        also=lambda value: Q(
            pk__in=PartRequestLine.objects.filter(part__number__iexact=value).values("request_id")
        ),
        placeholder=_("Request number or part number"),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=PartRequestState.choices, label=_("State"), distinct=False
    )
    dealer = django_filters.ModelChoiceFilter(queryset=_dealers, label=_("Dealer"))
    service_point = django_filters.ModelChoiceFilter(queryset=_points, label=_("Service point"))
    created_after, created_before = date_range("created_at", _("Drawn up from"), _("Drawn up until"))
    needs_credit_approval = django_filters.BooleanFilter(label=_("Over the credit limit"))
    ordering = SortFilter(
        fields=(("created_at", "created"), ("number", "number"), ("total", "total"), ("state", "state")),
        label=_("Sort by"),
    )

    class Meta:
        model = PartRequest
        fields = ["q", "state", "dealer", "service_point", "needs_credit_approval"]


class DealerAccountFilterSet(ListFilterSet):
    """R28: the dealers' accounts; `?over_limit=true` are the ones owing more than their limit."""

    q = search_box(text=("name", "code"), placeholder=_("Dealer name or code"))
    over_limit = django_filters.BooleanFilter(method="filter_over_limit", label=_("Over the credit limit"))
    ordering = SortFilter(
        fields=(("code", "code"), ("account__balance", "balance"), ("account__credit_limit", "limit")),
        label=_("Sort by"),
    )

    class Meta:
        model = Dealer
        fields = ["q", "over_limit"]

    def filter_over_limit(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        over = Q(account__credit_limit__isnull=False, account__balance__gt=F("account__credit_limit"))
        return queryset.filter(over) if value else queryset.exclude(over)


class AccountEntryFilterSet(ListFilterSet):
    """R41: an account's entries by kind and day posted; search by document or reason."""

    q = search_box(text=("reason",), exact=("reference",), placeholder=_("Document or reason"))
    dealer = IdFilter(field_name="account__dealer_id", label=_("Dealer"))
    kind = django_filters.MultipleChoiceFilter(choices=EntryKind.choices, label=_("Kind"), distinct=False)
    posted_after, posted_before = date_range("posted_at", _("Posted from"), _("Posted until"))
    ordering = SortFilter(fields=(("posted_at", "posted"), ("amount", "amount")), label=_("Sort by"))

    class Meta:
        model = AccountEntry
        fields = ["q", "dealer", "kind"]
