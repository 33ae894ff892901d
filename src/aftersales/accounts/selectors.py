"""Reads of the organisation, scoped to what the user works with (R37)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from .choices import Role
from .models import Engineer, Qualification, ServicePoint


def service_points_in_scope(user) -> QuerySet[ServicePoint]:
    """Active service points the user works with: all, their dealer's, or their own (R37)."""
    points = ServicePoint.objects.filter(is_active=True)
    if user.sees_whole_company:
        return points
    if user.role == Role.DEALER_STAFF and user.dealer_id:
        return points.filter(dealer_id=user.dealer_id)
    engineer = getattr(user, "engineer", None)
    if engineer is not None:
        return points.filter(pk=engineer.service_point_id)
    return points.none()


def engineers_in_scope(user) -> QuerySet[Engineer]:
    """Active engineers of the service points in the user's scope."""
    return (
        Engineer.objects.filter(is_active=True, service_point__in=service_points_in_scope(user))
        .select_related("user", "service_point")
        .order_by("service_point__code", "employee_no")
    )


def engineer_qualified_on(engineer: Engineer, product_line, day: date) -> bool:
    """R38: a qualification for the product line, valid on the day."""
    return Qualification.objects.filter(
        engineer=engineer, product_line=product_line, certified_on__lte=day, expires_on__gte=day
    ).exists()
