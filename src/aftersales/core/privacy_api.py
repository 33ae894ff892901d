"""Personal data on purpose through the API (R41), as the pages offer it:
`POST /api/privacy/reveal/` (one masked value, for a reason; logged and rate-limited) and
`GET /api/privacy/access-log/` (the access log, for quality & compliance and HQ admins)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api_filters import ListFilterBackend

from .api import RejectUnknownFieldsMixin, export_action, problem_responses
from .client import client_ip
from .models import AccessLog
from .privacy import personal_data_reveal
from .privacy_lists import AccessLogFilterSet, access_log_list
from .privacy_views import AccessLogListView


class RevealInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    resource = serializers.CharField(max_length=64, help_text=_("The kind of record: workorder, customer, …"))
    object_id = serializers.CharField(max_length=64, help_text=_("The record's id."))
    field = serializers.CharField(
        max_length=64, help_text=_("The personal field: contact_phone, phone, address, …")
    )
    reason = serializers.ChoiceField(choices=AccessLog.Reason.choices)
    reason_text = serializers.CharField(
        max_length=255, required=False, allow_blank=True, help_text=_("Required when the reason is 'other'.")
    )


class RevealedSerializer(serializers.Serializer):
    resource = serializers.CharField()
    object_id = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField(help_text=_("The value in full."))


class RevealViewSet(viewsets.ViewSet):
    """Reveal one masked personal value (R41)."""

    @extend_schema(
        request=RevealInputSerializer,
        responses={200: RevealedSerializer, **problem_responses(400, 404, 429)},
        summary=_("Reveal a masked phone number or address, for a reason"),
        description="Logged in the access log (who, record, field, when, why, IP). Each user may "
        "reveal PRIVACY_REVEALS_PER_HOUR values in any hour; beyond, 429 with the code "
        "`reveal_limit`. A record outside the user's scope is 404 (R37). Revealable fields: "
        "workorder.contact_phone, workorder.customer_phone, workorder.customer_address, "
        "workorder.service_address, customer.phone, customer.address, contact.phone, "
        "complaint.contact_phone.",
    )
    def create(self, request: Request) -> Response:
        serializer = RevealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = personal_data_reveal(
            actor=request.user, ip_address=client_ip(request), **serializer.validated_data
        )
        data = {key: serializer.validated_data[key] for key in ("resource", "object_id", "field")}
        return Response(RevealedSerializer({**data, "value": value}).data)


class AccessLogSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_name",
            "action",
            "action_display",
            "resource",
            "object_id",
            "field",
            "reason",
            "reason_display",
            "reason_text",
            "ip_address",
            "detail",
        ]
        read_only_fields = fields


class ReadsAccessLog(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.user, "reads_access_log", False))


class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who viewed, revealed or exported personal data (R41), newest first; for quality &
    compliance and HQ admins (others get 403). Filters as on the page: `actor`, `action`,
    `resource`, `object_id`, `reason`, `created_after`/`created_before`, `ordering`."""

    queryset = AccessLog.objects.none()  # for the schema; get_queryset is the auditors' view
    serializer_class = AccessLogSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsAccessLog]
    filter_backends = [ListFilterBackend]
    filterset_class = AccessLogFilterSet
    export = export_action(AccessLogListView, summary=_("Export the access log to Excel"))

    def get_queryset(self):
        return access_log_list(self.request.user)

    @extend_schema(responses={200: AccessLogSerializer(many=True), **problem_responses(400, 403)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


def register(router) -> None:
    router.register("privacy/reveal", RevealViewSet, basename="privacy-reveal")
    router.register("privacy/access-log", AccessLogViewSet, basename="privacy-access-log")
