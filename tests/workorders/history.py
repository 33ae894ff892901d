"""A work order with a long history, written straight to the database: `count` timeline events
(notes), field changes, notes and attachments, three of each kind per moment, so that entries tie
on their time (within a table and across the two tables of the timeline)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.contenttypes.models import ContentType

from aftersales.core.models import ChangeRecord
from aftersales.workorders.models import Attachment, Note, WorkOrder, WorkOrderEvent

START = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TIES = 3


def grow_history(work_order: WorkOrder, actor, count: int, *, start: datetime = START) -> None:
    content_type = ContentType.objects.get_for_model(WorkOrder)
    for first in range(0, count, TIES):
        batch = range(first, min(first + TIES, count))
        with time_machine.travel(start + timedelta(minutes=first // TIES), tick=False):
            WorkOrderEvent.objects.bulk_create(
                WorkOrderEvent(
                    work_order=work_order, actor=actor, kind="note", action="internal", note=f"e{i}"
                )
                for i in batch
            )
            ChangeRecord.objects.bulk_create(
                ChangeRecord(
                    content_type=content_type,
                    object_id=work_order.pk,
                    actor=actor,
                    field="fault_category",
                    field_label="Fault category",
                    old_value=f"c{i - 1}",
                    new_value=f"c{i}",
                )
                for i in batch
            )
            Note.objects.bulk_create(Note(work_order=work_order, author=actor, body=f"n{i}") for i in batch)
            Attachment.objects.bulk_create(
                Attachment(
                    work_order=work_order,
                    uploaded_by=actor,
                    file=f"attachments/2026/11/{i}.png",
                    original_name=f"a{i}.png",
                    content_type="image/png",
                    size=100,
                )
                for i in batch
            )
