"""Writes of the areas service points cover (R5): dispatch sends a work order to a point covering
the customer's region. An area names a province, and optionally a city of it and a district of
that city (blank: the whole province or city), as China's divisions name them. Kept by HQ admins
and supervisors; the history keeps every area added, changed or removed (R41), and saving one
makes the routing cache reload (field.suggestions.ROUTING_POINTS)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import ServicePoint
from aftersales.accounts.services_org import region_validate
from aftersales.core.errors import DomainError
from aftersales.core.services import record_delete, record_save

from ..models import ServiceArea

AREA_FIELDS = ("service_point", "province", "city", "district")


def _area_write(area: ServiceArea, fields: dict[str, Any], actor) -> ServiceArea:
    errors: dict[str, ValidationError] = {}
    region_validate(area, fields, errors)
    if errors:
        raise ValidationError(errors)
    return record_save(instance=area, data=fields, actor=actor, audit_creation=True)


@transaction.atomic
def service_area_create(
    *, service_point: ServicePoint, province: str, city: str = "", district: str = "", actor
) -> ServiceArea:
    """The point also covers this region (once: the same area twice is refused)."""
    fields = {"service_point": service_point, "province": province, "city": city, "district": district}
    return _area_write(ServiceArea(), fields, actor)


@transaction.atomic
def service_area_update(*, area: ServiceArea, actor, **fields: Any) -> ServiceArea:
    """Another region for the area; the point stays (another point's area is a new one)."""
    if "service_point" in fields and fields.pop("service_point") != area.service_point:
        raise DomainError(
            _("An area stays with its service point: add a new one to the other point."),
            code="invalid",
            field="service_point",
        )
    return _area_write(area, fields, actor)


@transaction.atomic
def service_area_delete(*, area: ServiceArea, actor) -> None:
    """The point no longer covers the region."""
    record_delete(instance=area, actor=actor, audited=AREA_FIELDS)
