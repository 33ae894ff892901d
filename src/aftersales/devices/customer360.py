"""The devices section of the customer page (customer 360): the customer's devices with their
warranty state, and their count at the top (core.panels)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.panels import Fact, register_object_facts, register_object_panel

from .entitlement import contracts_in_force_prefetch, device_warranty, warranty_state
from .selectors import device_scope

# Rows a section of the customer page shows at most; the link opens the whole filtered list.
SECTION_SIZE = 10


def customer_devices(user, customer, *, limit: int = SECTION_SIZE) -> list:
    """The customer's devices in the user's scope (R37), at most `limit`, each with `warranty`
    (its entitlement today) and `warranty_state`: two queries however many devices."""
    devices = list(
        device_scope(user)
        .filter(customer=customer)
        .select_related("product_model__product_line", "customer")
        .prefetch_related(contracts_in_force_prefetch())
        .order_by("serial_number", "pk")[:limit]
    )
    today = timezone.localdate()
    for device in devices:
        device.warranty = device_warranty(device, day=today)
        device.warranty_state = warranty_state(device.warranty)
    return devices


def _devices_panel(request, customer) -> dict:
    return {
        "devices": customer_devices(request.user, customer),
        "more_url": reverse("devices:list") + f"?customer={customer.pk}",
        "size": SECTION_SIZE,
    }


def _device_facts(user, customer) -> list[Fact]:
    count = device_scope(user).filter(customer=customer).count()
    return [Fact("devices", _("Devices"), count, url=reverse("devices:list") + f"?customer={customer.pk}")]


register_object_panel("customer", "devices/_customer_devices.html", _devices_panel, order=10)
register_object_facts("customer", _device_facts, order=10)
