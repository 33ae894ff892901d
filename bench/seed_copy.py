"""Writing the seeded rows (bench/seed.py) with PostgreSQL COPY, the columns named through the
models' `_meta` so that a renamed field fails loudly."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Copier:
    """COPY rows into a model's table, the columns named by field through `_meta`. A concrete
    field left out gets its default; one with no default (required) fails loudly."""

    def __init__(self, cursor: Any, model: Any, names: str) -> None:
        from django.db.models import NOT_PROVIDED

        fields = names.split()
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.columns = [meta.get_field(name).column for name in fields]
        self.defaults: list[Any] = []
        for f in meta.concrete_fields:
            if f.name in fields or f.attname in fields or f.primary_key:
                continue
            if f.has_default() or (f.blank and f.empty_strings_allowed):  # blank text: ""
                value = f.get_default()
                self.columns.append(f.column)
                self.defaults.append(json.dumps(value) if isinstance(value, dict | list) else value)
            elif not f.null and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED:
                raise RuntimeError(f"bench/seed.py: {meta.label}.{f.name} is required: seed it")
        self.cursor = cursor
        self.rows = 0

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """COPY the rows (`id` first, then the fields in order); returns how many."""
        columns = ", ".join(f'"{name}"' for name in ["id", *self.columns])
        extra = tuple(self.defaults)
        count = 0
        with self.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row((*row, *extra))
                count += 1
        self.rows += count
        return count


def raw_cursor(connection: Any) -> Any:
    """The psycopg cursor under Django's connection (COPY runs in the caller's transaction)."""
    connection.ensure_connection()
    return connection.connection.cursor()


def next_id(cursor: Any, model: Any) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return cursor.fetchone()[0]


def reset_sequence(cursor: Any, model: Any) -> None:
    """Explicit ids were written: move the identity on so the app's inserts continue after them."""
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
    )
