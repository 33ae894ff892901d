"""R41: history rows cannot be changed or removed, not even by a bulk query on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from aftersales.core.models import ChangeRecord
from aftersales.workorders.models import WorkOrderEvent
from aftersales.workorders.services import workorder_transition

from .. import factories as f
from ..conftest import uses_postgres

pytestmark = pytest.mark.skipif(
    not uses_postgres(), reason="the database trigger exists on PostgreSQL; SQLite keeps the per-row guard"
)


@pytest.fixture
def history(agent):
    order = f.WorkOrderFactory(created_by=agent)
    workorder_transition(work_order_id=order.pk, action="accept", actor=agent)
    return order


@pytest.mark.parametrize("model", [ChangeRecord, WorkOrderEvent])
def test_r41_bulk_update_of_history_is_refused_by_the_database(history, model):
    rows = model.objects.all()
    assert rows.exists()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        rows.update(new_value="rewritten") if model is ChangeRecord else rows.update(note="rewritten")


@pytest.mark.parametrize("model", [ChangeRecord, WorkOrderEvent])
def test_r41_bulk_delete_of_history_is_refused_by_the_database(history, model):
    count = model.objects.count()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        model.objects.all().delete()
    assert model.objects.count() == count
