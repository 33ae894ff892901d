"""The access log of personal data (R41) as a list: one FilterSet for the compliance page, its
Excel export and the API, read by the roles that audit it (`user.reads_access_log`)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .autocomplete import autocomplete_filter
from .lists import ListFilterSet, SortFilter, date_range
from .models import AccessLog


def access_log_list(user) -> QuerySet[AccessLog]:
    """Every entry for those who audit personal data; nothing for anyone else."""
    if not getattr(user, "reads_access_log", False):
        return AccessLog.objects.none()
    return AccessLog.objects.select_related("actor")


class AccessLogFilterSet(ListFilterSet):
    actor = autocomplete_filter("users", model=get_user_model(), label=_("User"))
    action = django_filters.MultipleChoiceFilter(choices=AccessLog.Action.choices, label=_("Action"))
    resource = django_filters.CharFilter(field_name="resource", lookup_expr="startswith", label=_("Resource"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Record"))
    reason = django_filters.MultipleChoiceFilter(choices=AccessLog.Reason.choices, label=_("Reason"))
    created_after, created_before = date_range("created_at", _("From"), _("Until"))

    ordering = SortFilter(
        fields=(("created_at", "created_at"), ("actor__username", "actor"), ("resource", "resource")),
        label=_("Sort by"),
    )

    class Meta:
        model = AccessLog
        fields = ["actor", "action", "resource", "object_id", "reason"]
