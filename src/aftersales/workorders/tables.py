"""How work-order lists and timelines are laid out: the list columns, the Excel export rows and
the timeline entries. Presentation only; the rows come from selectors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.models import ChangeRecord
from aftersales.core.phones import phone_for

from . import hooks
from .choices import NoteVisibility, State
from .events import NOTE, event_icon, event_text, event_title
from .models import WorkOrder, WorkOrderEvent

PAGE_SIZE = 25


@dataclass(frozen=True)
class Column:
    label: str
    sort: str = ""  # the `ordering` key of WorkOrderFilterSet, when the column sorts
    css: str = ""  # e.g. hidden on phones


LIST_COLUMNS = (
    Column(_("Number"), "number"),
    Column(_("State"), "state"),
    Column(_("Type"), "", "d-none d-lg-table-cell"),
    Column(_("Priority"), "priority", "d-none d-md-table-cell"),
    Column(_("Customer"), "customer"),
    Column(_("Contact"), "", "d-none d-md-table-cell"),
    Column(_("Device"), "", "d-none d-lg-table-cell"),
    Column(_("Service point"), "", "d-none d-xl-table-cell"),
    Column(_("Engineer"), "", "d-none d-md-table-cell"),
    Column(_("Created"), "created_at", "d-none d-sm-table-cell"),
)


EXPORT_HEADERS = (
    _("Number"),
    _("State"),
    _("Type"),
    _("Priority"),
    _("Channel"),
    _("Customer"),
    _("Contact person"),
    _("Contact phone"),
    _("Device model"),
    _("Serial number"),
    _("Consumable / part model"),
    _("Purchase date"),
    _("Service point"),
    _("Engineer"),
    _("Fault symptom / service need"),
    _("Created"),
)


def list_columns() -> tuple[Column, ...]:
    """The list's header: number and state, the columns other apps registered, then the rest."""
    extra = tuple(Column(c.label, c.key if c.sort_field else "", c.css) for c in hooks.list_columns)
    return LIST_COLUMNS[:2] + extra + LIST_COLUMNS[2:]


def export_headers() -> tuple[Any, ...]:
    return EXPORT_HEADERS + tuple(column.label for column in _exported_columns())


def _exported_columns() -> list[hooks.ListColumn]:
    return [column for column in hooks.list_columns if column.export is not None]


def export_rows(work_orders: Iterable[WorkOrder], user) -> Iterator[list[Any]]:
    """One spreadsheet row per work order, phone masked as on the page, then the registered
    columns' values."""
    extra = _exported_columns()
    for wo in work_orders:
        yield [
            wo.number,
            wo.get_state_display(),
            wo.get_type_display(),
            wo.get_priority_display(),
            wo.get_channel_display(),
            wo.customer.name,
            wo.contact_name,
            phone_for(user, wo.contact_phone),
            wo.device_model_label,
            wo.serial_number,
            wo.part_model,
            wo.purchase_date,
            wo.service_point.name if wo.service_point_id else "",
            wo.engineer.user.display_name if wo.engineer_id else "",
            wo.fault_symptom,
            wo.created_at,
            *(column.export(wo) for column in extra),
        ]


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a work order's timeline: an event or a changed field (R41)."""

    when: datetime
    actor: str
    kind: str  # a registered event kind (events.py) or "change"
    title: str
    from_label: str = ""
    to_label: str = ""
    text: str = ""  # what the event says, in the reader's language
    note: str = ""  # the user's own words, as written
    icon: str = "bi-dot"


STATE_LABELS = dict(State.choices)


def _event_entry(event: WorkOrderEvent) -> TimelineEntry:
    title = event_title(event)
    if event.kind == NOTE.kind:
        title = f"{title} · {dict(NoteVisibility.choices).get(event.action, event.action)}"
    return TimelineEntry(
        when=event.created_at,
        actor=event.actor.display_name if event.actor_id else str(_("System")),
        kind=event.kind,
        title=title,
        from_label=str(STATE_LABELS.get(event.from_state, event.from_state)),
        to_label=str(STATE_LABELS.get(event.to_state, event.to_state)),
        text=event_text(event),
        note=event.note,
        icon=event_icon(event),
    )


def _change_entry(change: ChangeRecord, user) -> TimelineEntry:
    old, new = change.old_value, change.new_value
    if change.field == "contact_phone":
        old, new = phone_for(user, old), phone_for(user, new)
    return TimelineEntry(
        when=change.created_at,
        actor=change.actor.display_name if change.actor_id else str(_("System")),
        kind="change",
        title=str(_("Changed: %(field)s") % {"field": change.field_label or change.field}),
        from_label=old,
        to_label=new,
        icon="bi-pencil",
    )


def timeline_entries(rows: Iterable[WorkOrderEvent | ChangeRecord], user) -> list[TimelineEntry]:
    """The merged timeline of `selectors.workorder_timeline`, ready to show."""
    return [
        _event_entry(row) if isinstance(row, WorkOrderEvent) else _change_entry(row, user) for row in rows
    ]
