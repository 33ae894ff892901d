"""Reads of devices and of the service contracts on them (R35), scoped through their customer
(R37)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from aftersales.customers.selectors import customer_scope

from .models import ContractEvent, Device, MaintenancePlan, ServiceContract
from .search import INDEX


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


def device_find(user, text: str, limit: int = 10) -> QuerySet[Device]:
    """The global search's devices: by serial number (a part of it), or by the words of their
    model, customer and installation address (core.search)."""
    text = (text or "").strip()
    if len(text) < 2:
        return Device.objects.none()
    condition = Q(serial_number__icontains=text.upper()) | (INDEX.condition(text) or Q(pk__in=[]))
    return (
        device_scope(user)
        .filter(condition)
        .select_related("product_model", "customer")
        .order_by("serial_number")[:limit]
    )


def contract_scope(user, queryset: QuerySet[ServiceContract] | None = None) -> QuerySet[ServiceContract]:
    """R35, R37: the contracts of the customers the user may see."""
    queryset = ServiceContract.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.sees_whole_company:
        return queryset
    return queryset.filter(customer__in=customer_scope(user).values("pk"))


def contract_list(user) -> QuerySet[ServiceContract]:
    """The contracts in the user's scope with their customer and seller joined, devices and their
    models prefetched (one query each per page), newest first."""
    return (
        contract_scope(user)
        .select_related("customer", "sold_by")
        .prefetch_related(
            Prefetch(
                "devices", queryset=Device.objects.select_related("product_model").order_by("serial_number")
            )
        )
        .order_by("-created_at", "-id")
    )


def contract_get(user, pk: int) -> ServiceContract:
    """One contract the user may see, with its devices and plans, or 404 (not disclosed)."""
    queryset = contract_list(user).prefetch_related(
        Prefetch("plans", queryset=MaintenancePlan.objects.select_related("created_by").order_by("pk"))
    )
    return get_object_or_404(queryset, pk=pk)


def contract_history(contract: ServiceContract) -> QuerySet[ContractEvent]:
    return contract.events.select_related("actor").order_by("created_at", "id")


def contracts_of_device(user, device: Device) -> QuerySet[ServiceContract]:
    """R35: the contracts sold on a device (in the user's scope), the latest ending first."""
    return (
        contract_scope(user)
        .filter(
            pk__in=ServiceContract.devices.through.objects.filter(device=device).values("servicecontract_id")
        )
        .select_related("sold_by")
        .order_by("-ends_on", "-id")
    )


def plans_of_contract(contract: ServiceContract) -> QuerySet[MaintenancePlan]:
    return contract.plans.select_related("created_by").order_by("pk")
