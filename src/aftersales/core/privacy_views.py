"""Pages of personal data on purpose (R41): the reveal of one masked value in place (the 显示
button: a reason, then the value) and the access log the compliance role audits."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .client import client_ip
from .errors import DomainError
from .lists import Column, ObjectListView
from .models import AccessLog
from .privacy import REVEALABLE, personal_data_reveal
from .privacy_lists import AccessLogFilterSet, access_log_list


class RevealForm(forms.Form):
    resource = forms.CharField(max_length=64)
    object_id = forms.CharField(max_length=64)
    field = forms.CharField(max_length=64)
    reason = forms.ChoiceField(choices=[("", ""), *AccessLog.Reason.choices], required=False)
    reason_text = forms.CharField(max_length=255, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def reveal_view(request: HttpRequest) -> HttpResponse:
    """`/privacy/reveal/`: GET asks why (the form replaces the masked value); POST reveals the
    value in its place, or answers the form again with the refusal (400, or 429 past the hourly
    limit)."""
    form = RevealForm(request.POST if request.method == "POST" else request.GET)
    if request.method == "GET" or not form.is_valid():
        return _reveal_form(request, form, [], status=200 if request.method == "GET" else 400)
    try:
        value = personal_data_reveal(actor=request.user, ip_address=client_ip(request), **form.cleaned_data)
    except DomainError as error:
        return _reveal_form(request, form, [error.message], status=error.status)
    return render(request, "core/_revealed_value.html", {"value": value})


def _reveal_form(request: HttpRequest, form: RevealForm, errors: list[str], *, status: int) -> HttpResponse:
    data = form.data
    return render(
        request,
        "core/_reveal_form.html",
        {
            "form": form,
            "errors": errors,
            "masked": data.get("masked", ""),
            "label": REVEALABLE.get((data.get("resource", ""), data.get("field", ""))),
        },
        status=status,
    )


def _record(entry: AccessLog, user) -> str:
    return f"{entry.resource}:{entry.object_id}" if entry.object_id else entry.resource


ACCESS_LOG_COLUMNS = (
    Column(
        "created_at", gettext_lazy("Time"), value=lambda e, user: e.created_at, sort="created_at", fixed=True
    ),
    Column("actor", gettext_lazy("User"), value=lambda e, user: e.actor.display_name, sort="actor"),
    Column("action", gettext_lazy("Action"), value=lambda e, user: e.get_action_display()),
    Column("resource", gettext_lazy("Record"), value=_record, sort="resource"),
    Column("field", gettext_lazy("Field"), value=lambda e, user: e.field),
    Column("reason", gettext_lazy("Reason"), value=lambda e, user: e.get_reason_display()),
    Column("reason_text", gettext_lazy("Reason (details)"), value=lambda e, user: e.reason_text),
    Column("ip_address", gettext_lazy("IP address"), value=lambda e, user: e.ip_address or ""),
    Column("detail", gettext_lazy("Detail"), value=lambda e, user: e.detail, default=False),
)


class AccessLogListView(ObjectListView):
    """`/privacy/access-log/`: who viewed, revealed or exported personal data, for quality &
    compliance and HQ admins (R41); filtered, sorted, paged and exported like every list (the
    export is itself logged)."""

    list_key = "access-log"
    title = gettext_lazy("Personal data access log")
    filterset_class = AccessLogFilterSet
    columns = ACCESS_LOG_COLUMNS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.reads_access_log:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return access_log_list(request.user)
