"""How work-order lists and timelines are laid out: the list columns (other apps add theirs
through `hooks.register_list_column`), the Excel export rows and the timeline entries.
Presentation only; the rows come from selectors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aftersales.core import lists
from aftersales.core.models import ChangeRecord
from aftersales.core.paths import object_path
from aftersales.core.phones import phone_mask
from aftersales.core.templatetags.ui import label_of, priority_class, state_badge

from . import hooks
from .choices import NoteVisibility, State
from .events import NOTE, event_icon, event_text, event_title
from .models import WorkOrder, WorkOrderEvent
from .privacy import history_value

# The richer cells, rendered by functions: a page shows 25 rows of them.


def _number_cell(wo: WorkOrder, user) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold text-nowrap" data-testid="wo-link">{}</a>',
        object_path("workorders:detail", wo.pk),
        wo.number,
    )


def _priority_cell(wo: WorkOrder, user) -> str:
    return format_html('<span class="{}">{}</span>', priority_class(wo.priority), label_of(wo, "priority"))


def _contact_cell(wo: WorkOrder, user) -> str:
    return format_html(
        '<span class="text-nowrap">{}<br><span class="small text-body-secondary" '
        'data-testid="contact-phone">{}</span></span>',
        wo.contact_name,
        phone_mask(wo.contact_phone),
    )


def _device_cell(wo: WorkOrder, user) -> str:
    serial = format_html('<br><span class="text-body-secondary">{}</span>', wo.serial_number)
    return format_html(
        '<span class="small">{}{}</span>', wo.device_model_label, serial if wo.serial_number else ""
    )


def _engineer(wo: WorkOrder, user) -> str:
    return wo.engineer.user.display_name if wo.engineer_id else ""


def _service_point(wo: WorkOrder, user) -> str:
    return wo.service_point.name if wo.service_point_id else ""


LIST_COLUMNS = (
    lists.Column(
        "number",
        _("Number"),
        value=lambda wo, user: wo.number,
        html=_number_cell,
        sort="number",
        fixed=True,
    ),
    lists.Column(
        "state",
        _("State"),
        value=lambda wo, user: label_of(wo, "state"),
        html=lambda wo, user: state_badge(wo),
        sort="state",
        fixed=True,
    ),
    lists.Column(
        "type", _("Type"), value=lambda wo, user: label_of(wo, "type"), css="d-none d-lg-table-cell"
    ),
    lists.Column(
        "priority",
        _("Priority"),
        value=lambda wo, user: label_of(wo, "priority"),
        html=_priority_cell,
        sort="priority",
        css="d-none d-md-table-cell",
    ),
    lists.Column("channel", _("Channel"), value=lambda wo, user: label_of(wo, "channel"), default=False),
    lists.Column("customer", _("Customer"), value=lambda wo, user: wo.customer.name, sort="customer"),
    lists.Column(
        "contact",
        _("Contact"),
        value=lambda wo, user: wo.contact_name,
        html=_contact_cell,
        css="d-none d-md-table-cell",
    ),
    lists.Column(
        "device",
        _("Device"),
        value=lambda wo, user: wo.device_model_label,
        html=_device_cell,
        css="d-none d-lg-table-cell",
    ),
    lists.Column(
        "service_point", _("Service point"), value=_service_point, css="d-none d-xl-table-cell small"
    ),
    lists.Column("engineer", _("Engineer"), value=_engineer, css="d-none d-md-table-cell small"),
    lists.Column(
        "created",
        _("Created"),
        value=lambda wo, user: wo.created_at,
        sort="created_at",
        css="d-none d-sm-table-cell small text-nowrap",
    ),
)


def list_columns() -> list[lists.Column]:
    """The list's columns: number and state, the columns other apps registered, then the rest."""
    extra = [
        lists.Column(
            c.key,
            c.label,
            html=c.html,
            template=c.template,
            sort=c.key if c.sort_field else "",
            css=c.css,
            export=False,
        )
        for c in hooks.list_columns
    ]
    return [*LIST_COLUMNS[:2], *extra, *LIST_COLUMNS[2:]]


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


def export_headers() -> tuple[Any, ...]:
    return EXPORT_HEADERS + tuple(column.label for column in _exported_columns())


def _exported_columns() -> list[hooks.ListColumn]:
    return [column for column in hooks.list_columns if column.export is not None]


def export_rows(work_orders: Iterable[WorkOrder], user) -> Iterator[list[Any]]:
    """One spreadsheet row per work order, phone masked as on the list (every role, R41), then the
    registered columns' values."""
    extra = _exported_columns()
    for wo in work_orders:
        yield [
            wo.number,
            wo.get_state_display(),
            wo.get_type_display(),
            label_of(wo, "priority"),
            wo.get_channel_display(),
            wo.customer.name,
            wo.contact_name,
            phone_mask(wo.contact_phone),
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
    old, new = history_value(change.field, old), history_value(change.field, new)
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
    """Rows of the merged timeline (`selectors.workorder_timeline_page`), ready to show, in their order."""
    return [
        _event_entry(row) if isinstance(row, WorkOrderEvent) else _change_entry(row, user) for row in rows
    ]
