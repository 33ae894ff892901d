"""The work order's timeline vocabulary: typed events that apps register (Saleor's
`order/events.py` is the model).

Each app registers the kinds of event it writes (`register_event_type`) with their label, icon and
the message templates of its actions; `event_record` stores an event's parameters as JSON and the
user's own words (a note, a reason) apart, and `event_title`/`event_text` render it when it is
shown, in the reader's language. The work-order app knows only its own kinds; a new app adds its
kinds without touching it.

Transitions of any lifecycle (core.transitions) are written by `transition_recorder`: the
machine, the transition and the two states are stored, the labels come from the machine when the
event is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import render, stored_params
from aftersales.core.transitions import TransitionRun, machines

from .models import WorkOrder, WorkOrderEvent


@dataclass(frozen=True)
class EventType:
    """A kind of timeline event: its label and icon, and per action the message template filled
    with the event's parameters (`""` is the template of any other action)."""

    kind: str
    label: str | Promise
    icon: str = "bi-dot"
    texts: Mapping[str, str | Promise] = field(default_factory=dict)

    def template(self, action: str) -> str | Promise:
        return self.texts.get(action) or self.texts.get("", "")


event_types: dict[str, EventType] = {}
KIND_MAX_LENGTH = 24  # WorkOrderEvent.kind


def register_event_type(
    kind: str, label: str | Promise, *, icon: str = "bi-dot", texts: Mapping[str, str | Promise] | None = None
) -> EventType:
    """Add a kind of event (once: kinds are unique across apps)."""
    if kind in event_types:
        raise ValueError(f"event kind {kind!r} is already registered")
    if len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"event kind {kind!r} is too long")
    event_type = EventType(kind=kind, label=label, icon=icon, texts=dict(texts or {}))
    event_types[kind] = event_type
    return event_type


def event_build(
    work_order: WorkOrder,
    *,
    kind: str | EventType,
    actor=None,
    action: str = "",
    from_state: str = "",
    to_state: str = "",
    params: Mapping[str, Any] | None = None,
    note: str = "",
) -> WorkOrderEvent:
    """A timeline row of a registered kind, not saved yet (`event_record` saves one;
    `events_record` saves several in one INSERT)."""
    kind = kind.kind if isinstance(kind, EventType) else kind
    if kind not in event_types:
        raise ValueError(f"unknown event kind {kind!r}: register it with register_event_type")
    return WorkOrderEvent(
        work_order=work_order,
        kind=kind,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        params=stored_params(params),
        note=note,
    )


def event_record(work_order: WorkOrder, **fields: Any) -> WorkOrderEvent:
    """Add a row to the work order's timeline. `params` are what the kind's template shows (stored
    as JSON, translated when shown); `note` is the user's own text, shown as written."""
    event = event_build(work_order, **fields)
    event.save(force_insert=True)
    return event


def events_record(events: list[WorkOrderEvent]) -> list[WorkOrderEvent]:
    """Save rows made by `event_build` in one statement, in order."""
    return WorkOrderEvent.objects.bulk_create(events)


# --- transitions of any lifecycle ----------------------------------------------------------------


def transition_recorder(
    event_type: EventType,
    *,
    work_order: Callable[[Any], WorkOrder] = lambda obj: obj.work_order,
    action: Callable[[TransitionRun], str] = lambda run: f"{run.machine.name}_{run.transition.name}",
    note_inputs: tuple[str, ...] = ("note", "reason"),
    params: Callable[[TransitionRun], Mapping[str, Any]] | None = None,
) -> Callable[[TransitionRun], None]:
    """The `record` of a machine whose objects hang off a work order: one event of `event_type`
    per transition, naming the record and its two states; the first of `note_inputs` given is the
    note."""

    def record(run: TransitionRun) -> None:
        note = next((run.text(name) for name in note_inputs if run.text(name)), "")
        event_record(
            work_order(run.obj),
            kind=event_type,
            actor=run.actor,
            action=action(run),
            params={
                "machine": run.machine.name,
                "transition": run.transition.name,
                "record": str(run.obj),
                "from": run.from_state,
                "to": run.machine.state_of(run.obj),
                **(params(run) if params is not None else {}),
            },
            note=note,
        )

    return record


def _state_label(machine_name: str, state: str) -> str:
    machine = machines.get(machine_name)
    if machine is None or not state:
        return state
    return machine.state_labels.get(state, state)


TRANSITION_KIND = "transition"

# --- showing ------------------------------------------------------------------------------------


def event_title(event: WorkOrderEvent) -> str:
    """The heading of the event: the transition's name for a transition, else the kind's label.
    (Rows written before events had parameters are not rewritten, the timeline being
    append-only: a work-order transition's name is then read from its action.)"""
    params = event.params or {}
    if not params and event.kind == TRANSITION_KIND:
        params = {"machine": "workorder", "transition": event.action}
    machine = machines.get(params.get("machine", ""))
    if machine is not None and params.get("transition") in machine.transitions:
        return str(machine[params["transition"]].label)
    event_type = event_types.get(event.kind)
    return str(event_type.label) if event_type is not None else event.kind


def event_text(event: WorkOrderEvent) -> str:
    """The event's own text from its parameters, in the active language ("" for rows written
    before events had parameters: their note says it all)."""
    params = event.params or {}
    if not params:
        return ""
    event_type = event_types.get(event.kind)
    template = event_type.template(event.action) if event_type is not None else ""
    if template:
        return render(template, params)
    if "machine" in params and "transition" in params:
        before = _state_label(params["machine"], params.get("from", ""))
        after = _state_label(params["machine"], params.get("to", ""))
        change = f"{before} → {after}" if before != after else ""
        return " · ".join(part for part in (params.get("record", ""), change) if part)
    return ""


def event_icon(event: WorkOrderEvent) -> str:
    event_type = event_types.get(event.kind)
    return event_type.icon if event_type is not None else "bi-dot"


def event_kind_choices() -> list[tuple[str, str]]:
    """Every registered kind with its label (filters, the API schema)."""
    return [(kind, str(event_type.label)) for kind, event_type in sorted(event_types.items())]


# --- the work order's own kinds ----------------------------------------------------------------

CREATED = register_event_type("created", _("Created"), icon="bi-plus-circle")
TRANSITION = register_event_type(
    TRANSITION_KIND,
    _("State change"),
    icon="bi-arrow-right-circle",
    texts={"assign": _("Assigned to %(engineer)s")},
)
NOTE = register_event_type("note", _("Note"), icon="bi-chat-left-text")
ATTACHMENT = register_event_type(
    "attachment", _("Attachment"), icon="bi-paperclip", texts={"": _("%(name)s (%(size)s)")}
)
NOTIFICATION = register_event_type(
    "notification",
    _("Notification"),
    icon="bi-envelope",
    texts={
        "acknowledgement": _(
            "The customer was told the request number %(number)s and that we will get back by "
            "%(promised)s (%(channels)s)."
        )
    },
)
