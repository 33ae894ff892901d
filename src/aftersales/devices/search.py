"""Finding devices by their words (core.search, issue 12): serial number, model, customer and
installation address."""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.core.search import SearchIndex, document

from .models import Device

INDEX = SearchIndex("devices.DeviceSearch", table="devices_devicesearch", key="device_id")


def device_search_refresh(device_ids: Iterable[int]) -> None:
    """Rebuild these devices' words (one read and one write, whatever their number)."""
    ids = sorted(set(device_ids))
    if not ids:
        return
    rows = Device.objects.filter(pk__in=ids).values_list(
        "pk",
        "serial_number",
        "product_model__code",
        "product_model__name",
        "customer__name",
        "install_address",
    )
    INDEX.store({pk: document(texts) for pk, *texts in rows})
