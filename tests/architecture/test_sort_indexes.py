"""Issue 9: every column a list sorts on has an index that starts with it, so a sort never reads
and orders a whole table (small reference tables excepted). Sorts across a join (customer name)
are served by the related table's index and the foreign key's."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from aftersales.core.lists import ListFilterSet

FILTERSETS = [
    "complaints.filtersets",
    "customers.filtersets",
    "devices.filtersets",
    "feedback.filtersets",
    "field.filtersets",
    "servicing.filtersets",
    "workorders.filtersets",
]
# Tables of tens of rows, sorted in memory in no time.
SMALL = {"servicing_vendor"}


def sorts():
    for name in FILTERSETS:
        module = importlib.import_module(f"aftersales.{name}")
        for filterset in vars(module).values():
            if (
                isinstance(filterset, type)
                and issubclass(filterset, ListFilterSet)
                and filterset.__module__ == module.__name__
                and "ordering" in filterset.base_filters
            ):
                for path in filterset.base_filters["ordering"].param_map.values():
                    yield filterset._meta.model, path


def leading_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in constraints.values() if c["columns"] and (c["index"] or c["unique"])}


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "path"), list(sorts()), ids=lambda v: getattr(v, "__name__", v))
def test_every_sortable_column_has_an_index(model, path):
    if model._meta.db_table in SMALL:
        return
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    leading = leading_columns(model._meta.db_table)
    assert field.column in leading, f"{model.__name__}.{first}: no index starts with it"
    if rest:  # a sort by a related row's column: that column is indexed there
        related = field.related_model
        column = related._meta.get_field(rest.split("__")[0]).column
        assert column in leading_columns(related._meta.db_table), f"{related.__name__}.{rest}"
