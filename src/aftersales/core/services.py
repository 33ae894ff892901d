"""Shared write helpers: readable numbers, field-level change records, access logging."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import AccessLog, ChangeRecord, NumberSequence


@transaction.atomic
def number_next(*, prefix: str, day: date | None = None, width: int = 4) -> str:
    """Next readable number for the prefix and day, e.g. WO202611220001 (row locked on PostgreSQL)."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(prefix=prefix, day=day)
    except IntegrityError:
        pass  # created concurrently; the locked read below sees it
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, day=day)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{prefix}{day:%Y%m%d}{sequence.last_value:0{width}d}"


def display_value(instance: models.Model, field: models.Field) -> str:
    """How a field's value reads in the history: choice labels and related objects' names."""
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = getattr(instance, field.name)
        return str(related) if related is not None else ""
    return str(value)


def concrete_field(instance: models.Model, name: str) -> models.Field:
    """A field of the model by name (history is kept for concrete fields only)."""
    field = instance._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a concrete field of {instance._meta.label}")
    return field


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, str]:
    """The displayed values of the named fields, to compare before and after a change."""
    return {name: display_value(instance, concrete_field(instance, name)) for name in fields}


def changes_record(
    *, instance: models.Model, before: dict[str, str], after: dict[str, str], actor
) -> list[ChangeRecord]:
    """Write one history row per field whose displayed value changed."""
    content_type = ContentType.objects.get_for_model(instance)
    rows = [
        ChangeRecord(
            content_type=content_type,
            object_id=instance.pk,
            actor=actor,
            field=name,
            field_label=str(concrete_field(instance, name).verbose_name),
            old_value=before.get(name, ""),
            new_value=new,
        )
        for name, new in after.items()
        if before.get(name, "") != new
    ]
    return ChangeRecord.objects.bulk_create(rows)


def access_log(*, actor, action: str, resource: str, detail: str = "") -> AccessLog:
    return AccessLog.objects.create(actor=actor, action=action, resource=resource, detail=detail)
