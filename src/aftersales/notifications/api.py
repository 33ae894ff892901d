"""The bell and "my notifications" through the API, as the pages offer them (views.py): the user's
own notices, unread first, with an `unread` filter; the unread count; marking one or all read.
Always the requesting user's own: another user's notice is 404, as on the page (R37). The same
selectors and services as the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import problem_responses
from aftersales.core.api_filters import ListFilterBackend

from .models import Notification
from .selectors import notification_get, notification_list, notification_unread_count
from .services import notification_mark_read, notifications_mark_all_read


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Only unread (true) or only read (false)")
    )

    class Meta:
        model = Notification
        fields = ["unread"]


class NotificationSerializer(serializers.ModelSerializer):
    """A notice as the page shows it: heading and body in the reader's language."""

    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "created_at", "title", "body", "url", "is_read", "read_at"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text=_("How many of your notifications are unread."))


class MarkedAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many unread notifications were marked read."))


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My notifications (any signed-in user): unread first, then newest first, 25 a page."""

    queryset = Notification.objects.none()  # for the schema; get_queryset is the user's own
    serializer_class = NotificationSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        return notification_list(user=self.request.user)

    @extend_schema(
        summary=_("My notifications"),
        description="The signed-in user's own notifications, unread first and then newest first, "
        "as the notifications page lists them; `unread=true` for the unread only, `false` for the "
        "read only. Keyset pages (`cursor`) do not follow this sort: 400 `unsupported_ordering`.",
        responses={200: NotificationSerializer(many=True), **problem_responses(400)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("How many of my notifications are unread"),
        description="The bell's count.",
        filters=False,
        responses={200: UnreadCountSerializer},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="unread-count",
        url_name="unread-count",
        filter_backends=[],
        pagination_class=None,
    )
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": notification_unread_count(user=request.user)})

    @extend_schema(
        summary=_("Mark one of my notifications read"),
        description="As opening it on the page does (a notification already read keeps its first "
        "read time). Another user's notification is 404.",
        request=None,
        responses={200: NotificationSerializer, **problem_responses(404)},
    )
    @action(detail=True, methods=["post"], url_path="read", url_name="read", filter_backends=[])
    def read(self, request: Request, pk: str | None = None) -> Response:
        try:
            notice = notification_get(user=request.user, notification_id=int(pk or 0))
        except Notification.DoesNotExist as error:
            raise NotFound from error
        notice = notification_mark_read(notification_id=notice.pk, actor=request.user)
        return Response(NotificationSerializer(notice, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Mark all my notifications read"),
        description="Returns how many were unread.",
        request=None,
        responses={200: MarkedAllSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        url_name="read-all",
        filter_backends=[],
        pagination_class=None,
    )
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(actor=request.user)})


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
