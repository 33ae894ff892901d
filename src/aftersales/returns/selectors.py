"""Reads of returns and exchanges, scoped in SQL (R33, R37): the company's staff see every request,
a dealer's staff their dealer's (its work orders' and its customers'), engineers those of the work
orders assigned to them and those they drew up; anyone else nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from aftersales.accounts.choices import Role

from .choices import AWAITING_FOLLOW_UP
from .models import ReturnEvent, ReturnPhoto, ReturnRequest


def return_scope(user: Any, queryset: QuerySet[ReturnRequest] | None = None) -> QuerySet[ReturnRequest]:
    queryset = ReturnRequest.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_company:
        return queryset
    if user.role == Role.DEALER_STAFF and user.dealer_id:
        return queryset.filter(dealer_id=user.dealer_id)
    if user.role == Role.ENGINEER:
        return queryset.filter(Q(work_order__engineer__user_id=user.pk) | Q(requested_by_id=user.pk))
    return queryset.none()


# What the API's list shows of each row besides the page's columns: the people of each step.
PEOPLE = (
    "approved_by",
    "refused_by",
    "exception_by",
    "inspected_by",
    "refunded_by",
    "followed_up_by",
    "returned_part",
    "returned_to",
    "work_order__engineer",
)


def return_list(user: Any, *, full: bool = False) -> QuerySet[ReturnRequest]:
    """The list rows with what the list shows joined in (one query a page, whatever its size);
    `full` adds what the API shows of each row."""
    rows = return_scope(user).select_related("customer", "work_order", "product_model", "requested_by")
    return rows.select_related(*PEOPLE) if full else rows


def return_get(user: Any, pk: int) -> ReturnRequest:
    """One request the user may see, with its photos and steps (404 otherwise: another dealer's
    request is not disclosed)."""
    return get_object_or_404(
        return_scope(user)
        .select_related(
            "customer",
            "work_order__engineer__user",
            "work_order__service_point",
            "device",
            "product_model",
            "requested_by",
            "approved_by",
            "refused_by",
            "exception_by",
            "inspected_by",
            "refunded_by",
            "followed_up_by",
            "returned_part",
            "returned_to",
        )
        .prefetch_related(
            Prefetch("photos", queryset=ReturnPhoto.objects.order_by("created_at", "id")),
            Prefetch(
                "events", queryset=ReturnEvent.objects.select_related("actor").order_by("created_at", "id")
            ),
        ),
        pk=pk,
    )


def follow_up_overdue(
    queryset: QuerySet[ReturnRequest], today: date | None = None
) -> QuerySet[ReturnRequest]:
    """Refunded or delivered, and not followed up by the day the rules give (R33)."""
    today = today or timezone.localdate()
    return queryset.filter(state__in=AWAITING_FOLLOW_UP, follow_up_due_on__lt=today)


def is_follow_up_overdue(request: ReturnRequest, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        request.state in AWAITING_FOLLOW_UP
        and request.follow_up_due_on is not None
        and request.follow_up_due_on < today
    )


def returns_of(user: Any, work_order) -> list[ReturnRequest]:
    """The requests of a work order the user may see, newest first (the work order's panel)."""
    return list(
        return_scope(user)
        .filter(work_order=work_order)
        .select_related("product_model")
        .order_by("-created_at", "-id")
    )
