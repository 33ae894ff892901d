"""Shared write helpers: readable numbers, field-level change records, access logging, the
users' own list settings (columns shown, saved filters), and forgetting old idempotency keys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    IDEMPOTENCY_KEY_LIFETIME,
    AccessLog,
    ChangeRecord,
    IdempotencyKey,
    ListPreference,
    NumberSequence,
    SavedFilter,
)

# One statement takes the next number of a prefix and day, creating the day's counter on first use
# (SQLite has INSERT ... ON CONFLICT ... RETURNING since 3.35).
_NUMBER_SQL = (
    f"INSERT INTO {NumberSequence._meta.db_table} (prefix, day, last_value) VALUES (%s, %s, 1) "
    f"ON CONFLICT (prefix, day) DO UPDATE SET last_value = {NumberSequence._meta.db_table}.last_value + 1 "
    "RETURNING last_value"
)
# The connection (settings.DATABASES) that takes numbers outside the creating transaction: the
# same database, in autocommit, so its counter row is locked for one statement only.
NUMBERS_ALIAS = "numbers"


def number_next(*, prefix: str, day: date | None = None, width: int = 4, gapless: bool = False) -> str:
    """The next readable number of a prefix and day, e.g. WO202611220001.

    Taking a number never makes concurrent creates wait for each other: on PostgreSQL it is taken
    in a statement of its own, committed at once (NUMBERS_OUTSIDE_TRANSACTION). A create rolled
    back afterwards leaves its number unused — a gap, harmless for work orders, visits or
    complaints, whose numbers only need to be unique and readable. Documents that must have no
    gap (receipts, invoices) ask for `gapless=True`: the number is then taken inside the caller's
    transaction and given back on rollback, and its counter row stays locked until the commit,
    so callers take it as their last step. SQLite has one writer at a time anyway: there (no
    "numbers" connection) the number is always taken in the caller's transaction, gap-free."""
    day = day or timezone.localdate()
    outside = not gapless and settings.NUMBERS_OUTSIDE_TRANSACTION and NUMBERS_ALIAS in settings.DATABASES
    target = connections[NUMBERS_ALIAS] if outside else connection
    with target.cursor() as cursor:
        cursor.execute(_NUMBER_SQL, [prefix, day])
        (value,) = cursor.fetchone()
    return f"{prefix}{day:%Y%m%d}{value:0{width}d}"


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


# --- reference data ---------------------------------------------------------------------------


def _many_names(instance: models.Model, names: Iterable[str]) -> dict[str, str]:
    """How many-to-many values read in the history: the related rows' names, in their order."""
    if instance.pk is None:
        return {name: "" for name in names}
    return {name: ", ".join(str(row) for row in getattr(instance, name).all()) for name in names}


RecordT = TypeVar("RecordT", bound=models.Model)


@transaction.atomic
def record_save(*, instance: RecordT, data: dict, actor, audit_creation: bool = False) -> RecordT:
    """Write plain reference data: the values set (many-to-many ones once the row exists), the
    whole row validated (`full_clean`: its fields, `clean()` and constraints) and saved. An edit
    writes one history row per field it changed (R41), many-to-many ones included; a new row
    only with `audit_creation` (its first values, from nothing)."""
    many_names = {field.name for field in instance._meta.many_to_many}
    plain = {name: value for name, value in data.items() if name not in many_names}
    many = {name: value for name, value in data.items() if name in many_names}
    creating = instance.pk is None
    before = {} if creating else {**snapshot(instance, plain), **_many_names(instance, many)}
    for name, value in plain.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, values in many.items():
        getattr(instance, name).set(values)
    if audit_creation or not creating:
        after = {**snapshot(instance, plain), **_many_names(instance, many)}
        changes_record(instance=instance, before=before, after=after, actor=actor)
    return instance


@transaction.atomic
def record_delete(*, instance: models.Model, actor, audited: Iterable[str] = ()) -> None:
    """Delete a row, keeping the last values of its `audited` fields in the history (who removed
    what). A row still referenced raises `ProtectedError`, and nothing is written."""
    fields = list(audited)
    if fields:
        gone = dict.fromkeys(fields, "")
        changes_record(instance=instance, before=snapshot(instance, fields), after=gone, actor=actor)
    instance.delete()


def access_log(
    *,
    actor,
    action: str,
    resource: str,
    object_id: str = "",
    field: str = "",
    reason: str = "",
    reason_text: str = "",
    ip_address: str | None = None,
    detail: str = "",
) -> AccessLog:
    """Record that `actor` viewed, revealed or exported personal data (R41): the record and field,
    why (reveals) and from which address."""
    return AccessLog.objects.create(
        actor=actor,
        action=action,
        resource=resource,
        object_id=str(object_id),
        field=field,
        reason=reason,
        reason_text=reason_text,
        ip_address=ip_address or None,  # "": unknown
        detail=detail,
    )


# --- list preferences -------------------------------------------------------------------------


def list_columns_choose(*, user, list_key: str, shown: set[str], choosable: set[str]) -> ListPreference:
    """Keep the columns `user` wants on a list; the other choosable ones are hidden."""
    if not shown & choosable:
        raise ValidationError({"columns": [_("Keep at least one column.")]})
    preference, _created = ListPreference.objects.update_or_create(
        user=user, list_key=list_key, defaults={"hidden_columns": sorted(choosable - shown)}
    )
    return preference


@transaction.atomic
def saved_filter_save(*, user, list_key: str, name: str, query: str) -> SavedFilter:
    """Save (or replace) a user's named filter of a list: the list's query string without paging,
    exports and empty values."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the filter a name.")]})
    kept = QueryDict(mutable=True)
    for key, values in QueryDict(query).lists():
        if key not in ("page", "export", "ids"):
            kept.setlist(key, [value for value in values if value])
    for key in [key for key, values in kept.lists() if not values]:
        del kept[key]
    saved = SavedFilter(user=user, list_key=list_key, name=name, query=kept.urlencode())
    saved.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    SavedFilter.objects.filter(user=user, list_key=list_key, name=name).delete()
    saved.save()
    return saved


def saved_filter_delete(*, user, filter_id: int) -> None:
    """Delete one of the user's own saved filters (someone else's is "not found")."""
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=filter_id).delete()
    if not deleted:
        raise SavedFilter.DoesNotExist


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget the Idempotency-Keys older than IDEMPOTENCY_KEY_LIFETIME (24 hours): a request sent
    again under such a key is a new request. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_LIFETIME
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
