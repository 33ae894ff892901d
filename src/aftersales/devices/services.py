"""Writes of installed devices."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import Device


@transaction.atomic
def device_create(
    *,
    product_model,
    serial_number: str,
    customer,
    purchase_date: date | None = None,
    install_address: str = "",
    actor=None,
) -> Device:
    """A device on file; the serial number is unique within its model (validated, not crashed on)."""
    device = Device(
        product_model=product_model,
        serial_number=(serial_number or "").strip().upper(),
        customer=customer,
        purchase_date=purchase_date,
        install_address=install_address,
    )
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def device_update(*, device: Device, actor=None, **fields) -> Device:
    """Edit a device; the serial stays upper-case and unique within its model."""
    if "serial_number" in fields:
        fields["serial_number"] = (fields["serial_number"] or "").strip().upper()
    for name, value in fields.items():
        setattr(device, name, value)
    device.full_clean()
    device.save()
    return device
