"""Reads of devices, scoped through their customer (R37)."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.customers.selectors import customer_scope

from .models import Device


def device_scope(user, queryset: QuerySet[Device] | None = None) -> QuerySet[Device]:
    queryset = Device.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.sees_whole_company:
        return queryset
    return queryset.filter(customer__in=customer_scope(user).values("pk"))


def device_search(user, serial: str, limit: int = 10) -> QuerySet[Device]:
    """Autocomplete by serial number prefix/substring, with model and customer joined."""
    serial = (serial or "").strip().upper()
    if len(serial) < 2:
        return Device.objects.none()
    return (
        device_scope(user)
        .filter(serial_number__icontains=serial)
        .select_related("product_model", "customer")
        .order_by("serial_number")[:limit]
    )
