"""Finding work orders by what was said and written about them (issue 12, core.search): the words
of a work order live in `WorkOrderSearch`, refreshed by the services that change them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from aftersales.catalog.selectors import PRODUCT_MODELS
from aftersales.core.search import SearchIndex, document

from . import hooks
from .models import Note, WorkOrder

# A whole work-order number (WO + day + count), typed or scanned: found by itself.
WHOLE_NUMBER = re.compile(r"WO\d{12,}", re.IGNORECASE)

INDEX = SearchIndex("workorders.WorkOrderSearch", table="workorders_workordersearch", key="work_order_id")

# The work order's own fields searched (the phone numbers have their own digit search).
OWN_TEXTS = (
    "number",
    "contact_name",
    "serial_number",
    "device_model_text",
    "part_model",
    "fault_symptom",
    "error_messages",
    "recent_operations",
    "fault_category",
    "probable_cause",
    "resolution",
)


def workorder_texts(work_order: WorkOrder, customer_name: str = "") -> list[str]:
    """A work order's own texts: its fields, its customer's name and its device model's name."""
    texts = [getattr(work_order, name) for name in OWN_TEXTS]
    model = PRODUCT_MODELS.get().get(work_order.product_model_id) if work_order.product_model_id else None
    if model is not None:
        texts.append(str(model))
    texts.append(customer_name)
    return texts


def workorder_search_new(work_order: WorkOrder) -> None:
    """The words of a work order just created (one INSERT; nothing else refers to it yet)."""
    customer = work_order.customer if work_order.customer_id else None
    INDEX.store({work_order.pk: document(workorder_texts(work_order, customer.name if customer else ""))})


def workorder_search_refresh(work_order_ids: Iterable[int]) -> None:
    """Rebuild the words of these work orders from their fields, notes and the texts other apps
    registered (`hooks.search_texts`): a fixed number of statements for any number of them."""
    ids = sorted(set(work_order_ids))
    if ids:
        INDEX.store(dict(_documents(ids)))


def _documents(ids: list[int]) -> Iterator[tuple[int, str]]:
    extra: dict[int, list[str]] = defaultdict(list)
    for note in Note.objects.filter(work_order_id__in=ids).values_list("work_order_id", "body"):
        extra[note[0]].append(note[1])
    for texts in hooks.search_texts:
        for pk, more in texts(ids).items():
            extra[pk].extend(more)
    rows = (
        WorkOrder.objects.filter(pk__in=ids)
        .select_related("customer")
        .only(*OWN_TEXTS, "product_model_id", "customer__name")
    )
    for work_order in rows:
        yield (
            work_order.pk,
            document([*workorder_texts(work_order, work_order.customer.name), *extra[work_order.pk]]),
        )
