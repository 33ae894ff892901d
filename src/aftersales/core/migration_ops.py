"""Migration operations shared by the apps: database-level guards for append-only history."""

from __future__ import annotations

from django.db import migrations


def append_only(table: str) -> migrations.RunPython:
    """On PostgreSQL a trigger refuses every UPDATE and DELETE of the table's rows, bulk ones
    included (R41). SQLite relies on AppendOnlyModel's per-row guard: its test flush deletes rows.
    TRUNCATE, used only when PostgreSQL test databases are flushed, fires no row trigger."""
    function = f"{table}_append_only"

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'rows of {table} are append-only (%%)', TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {function}();
            """
        )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();"
        )

    return migrations.RunPython(create, drop)


def postgres_index(table: str, name: str, columns: str, *, using: str = "btree") -> migrations.RunPython:
    """An index only PostgreSQL can declare (e.g. `"due" DESC NULLS LAST`, or a trigram GIN index
    serving `LIKE '%…%'`), created there and skipped on SQLite, which serves its few rows
    without it."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING {using} ({columns})'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop)


def fill_uuids(app_label: str, model_name: str, field: str = "uuid") -> migrations.RunPython:
    """Give every existing row its own random identifier (a field added null first, made unique and
    required by the next migration): the rows addressed by it in URLs are never enumerable (R41)."""
    import uuid

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for pk in model.objects.filter(**{f"{field}__isnull": True}).values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(**{field: uuid.uuid4()})

    return migrations.RunPython(forwards, migrations.RunPython.noop)
