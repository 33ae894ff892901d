"""Reads of in-app notifications: always the requesting user's own."""

from __future__ import annotations

from django.db.models import BooleanField, Case, QuerySet, Value, When

from .models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's notices, unread first, then newest first."""
    unread = Case(
        When(read_at__isnull=True, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return Notification.objects.filter(recipient_id=user.pk).order_by(unread.desc(), "-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    """How many of the user's notices are unread (the bell's badge; one indexed count)."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_get(*, user, notification_id: int) -> Notification:
    """One of the user's own notices; another user's raises `Notification.DoesNotExist`."""
    return Notification.objects.get(pk=notification_id, recipient_id=user.pk)
