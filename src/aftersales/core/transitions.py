"""One way to run every lifecycle (ARCHITECTURE.md §4): a declared state machine per lifecycle and
one runner that applies its transitions.

A lifecycle is a `Machine`: its model, its `Transition`s (sources, target, roles, required inputs,
declared effects), who owns an object (engineers act only on their own work), which fields are
audited and how a transition is written to the timeline. `transition_run` is the only code that
changes a state:

1. the row is locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serialises writers);
2. a stale `version` is refused (409 `stale_version`), then the state (409
   `transition_not_allowed`) and the actor's permission (403 `permission_denied`);
3. required inputs are checked (400 `required`, naming the input), then the guards registered for
   the machine run and may refuse (e.g. "start" before the customer confirmed the plan, R8);
4. the target state and the declared effects are applied, the row saved, the field history and the
   typed event written;
5. the hooks registered for the machine run inside the transaction (e.g. SLA clocks) and the
   after-commit hooks once it is committed.

Named permissions that are not transitions ("may edit the visit record") are `Permission`s with
the same role and own-work rule, so nobody borrows a transition's roles to decide them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import ConcurrentUpdate, DomainError, NotPermitted, TransitionNotAllowed
from .services import changes_record, snapshot


@dataclass
class TransitionRun:
    """What effects, guards, recorders and hooks of one transition see."""

    machine: Machine
    transition: Transition
    obj: Any
    actor: Any
    inputs: dict[str, Any]
    from_state: str
    now: Any
    # Fields the effects changed besides the state (saved with it).
    changed: set[str] = field(default_factory=set)

    def set(self, **values: Any) -> None:
        """Set fields of the object (an effect's way to change it)."""
        for name, value in values.items():
            setattr(self.obj, name, value)
        self.changed.update(values)

    def text(self, name: str) -> str:
        return str(self.inputs.get(name) or "").strip()


Effect = Callable[[TransitionRun], None]
Hook = Callable[[TransitionRun], None]


def stamp(*fields: str) -> Effect:
    """Effect: the fields take the transition's time."""

    def effect(run: TransitionRun) -> None:
        run.set(**{name: run.now for name in fields})

    effect.__name__ = f"stamp_{'_'.join(fields)}"
    return effect


def by_actor(*fields: str) -> Effect:
    """Effect: the fields name the user who ran the transition."""

    def effect(run: TransitionRun) -> None:
        run.set(**{name: run.actor for name in fields})

    effect.__name__ = f"by_actor_{'_'.join(fields)}"
    return effect


def clear(*fields: str) -> Effect:
    """Effect: the fields are emptied (None)."""

    def effect(run: TransitionRun) -> None:
        run.set(**{name: None for name in fields})

    effect.__name__ = f"clear_{'_'.join(fields)}"
    return effect


def keep_input(name: str, field_name: str | None = None) -> Effect:
    """Effect: the stripped text input `name` is stored in `field_name` (the same name by default)."""

    def effect(run: TransitionRun) -> None:
        run.set(**{field_name or name: run.text(name)})

    effect.__name__ = f"keep_{name}"
    return effect


@dataclass(frozen=True)
class Permission:
    """Who may do something: roles, and for the owner-bound roles (engineers) only on their own
    objects (`Machine.owner`). With no roles, only the system (no actor: a job) may run it."""

    roles: frozenset[str]
    own_work_only: bool = True

    def permits(self, machine: Machine, user, obj) -> bool:
        if user is None:
            return True  # the system itself (a job or another lifecycle's rule) acts
        if not self.roles:
            return False  # the system's own transitions
        if not user.has_role(*self.roles):
            return False
        if self.own_work_only and machine.owner is not None and user.role in machine.owner_bound_roles:
            return user.is_superuser or machine.owner(obj) == user.pk
        return True


@dataclass(frozen=True)
class Transition:
    """One arrow of a lifecycle. `target` "" keeps the state (a step recorded on the way)."""

    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    # Inputs that must not be empty (a 400 `required` error names the first missing one).
    needs: frozenset[str] = frozenset()
    # Inputs it takes besides the needed ones; anything else is a programming error.
    accepts: frozenset[str] = frozenset()
    effects: tuple[Effect, ...] = ()
    own_work_only: bool = True
    style: str = "primary"
    icon: str = "bi-check2"
    # A condition on the object besides its state (e.g. "only for consultations"): the refusal
    # (a TransitionNotAllowed naming the field at fault) when it does not apply, else None.
    applies: Callable[[Any], DomainError | None] | None = None

    @property
    def permission(self) -> Permission:
        return Permission(self.roles, self.own_work_only)

    @property
    def destructive(self) -> bool:
        """Ends the record's life for good (cancel, cancel_*): pages set its button apart, in red,
        in a menu of its own, away from the everyday actions."""
        return self.name == "cancel" or self.name.startswith("cancel_")

    def allows_state(self, state: str) -> bool:
        return state in self.sources

    def target_from(self, state: str) -> str:
        return self.target or state

    @property
    def inputs(self) -> frozenset[str]:
        return self.needs | self.accepts

    @property
    def required_inputs(self) -> frozenset[str]:
        """What it cannot do without: its `needs` and those its effects check themselves (an
        effect's `needs`, e.g. a reason kept in a field with its own message)."""
        return self.needs.union(*(getattr(effect, "needs", ()) for effect in self.effects))


Recorder = Callable[[TransitionRun], None]


@dataclass
class Machine:
    """A lifecycle: the model whose `state_field` it drives and its transitions.

    `owner(obj)` gives the user id of the object's owner (the engineer doing the work, a case's
    handler); users of `owner_bound_roles` act only on what they own. `record(run)` writes the
    timeline event; `audited`
    fields get a history row per change; `versioned` objects carry an optimistic-lock `version`.
    """

    name: str
    model: type[models.Model]
    transitions: Mapping[str, Transition]
    record: Recorder | None = None
    owner: Callable[[Any], int | None] | None = None
    owner_bound_roles: frozenset[str] = frozenset()
    lock_related: tuple[str, ...] = ()
    audited: tuple[str, ...] = ()
    # Effects of every transition, applied after the transition's own.
    effects: tuple[Effect, ...] = ()
    versioned: bool = False
    # What a missing required input is told, by input name (else a generic message).
    required_messages: Mapping[str, str | Promise] = field(default_factory=dict)
    # Run the model's full_clean() before saving (one query per foreign key: off for hot paths).
    validate: bool = False
    state_field: str = "state"
    guards: list[Hook] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    after_commit: list[Hook] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, transition in self.transitions.items():
            if name != transition.name:
                raise ValueError(f"{self.name}: transition {transition.name!r} filed under {name!r}")
        if self.name in machines:
            raise ValueError(f"a machine named {self.name!r} is already declared")
        machines[self.name] = self

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __iter__(self):
        return iter(self.transitions.values())

    @property
    def state_labels(self) -> dict[str, str]:
        """Each state and its label (the choices of the state field)."""
        field = self.model._meta.get_field(self.state_field)
        return {str(value): str(label) for value, label in getattr(field, "flatchoices", [])}

    @property
    def states(self) -> list[str]:
        return list(self.state_labels)

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def permits(self, transition: Transition | Permission, user, obj) -> bool:
        permission = transition.permission if isinstance(transition, Transition) else transition
        return permission.permits(self, user, obj)

    def available(self, obj, user) -> list[Transition]:
        """The transitions this user may run on `obj` now (the buttons on its page)."""
        state = self.state_of(obj)
        return [
            t
            for t in self
            if t.allows_state(state)
            and (t.applies is None or t.applies(obj) is None)
            and self.permits(t, user, obj)
        ]

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise DomainError(_("Unknown action."), code="unknown_action", field="action") from None

    def check(self, obj, transition: Transition, actor) -> None:
        """Refuse from another state (409) or for someone who may not (403)."""
        if not transition.allows_state(self.state_of(obj)):
            display = getattr(obj, f"get_{self.state_field}_display")()
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the %(record)s is “%(state)s”.")
                % {"action": transition.label, "record": self.model._meta.verbose_name, "state": display}
            )
        refusal = transition.applies(obj) if transition.applies is not None else None
        if refusal is not None:
            raise refusal
        if not self.permits(transition, actor, obj):
            raise NotPermitted(
                _("You may not “%(action)s” this %(record)s.")
                % {"action": transition.label, "record": self.model._meta.verbose_name}
            )

    def lock(self, pk: int, expected_version: int | None = None):
        """The row locked for a change (only this row: `of=self`, so PostgreSQL accepts the outer
        joins of `lock_related`), refused with 409 `stale_version` when `expected_version` is
        given and someone saved since. Every write to a lifecycle's object starts here."""
        obj: Any = (
            self.model._default_manager.select_for_update(of=("self",))
            .select_related(*self.lock_related)
            .get(pk=pk)
        )
        if self.versioned and expected_version is not None and obj.version != int(expected_version):
            raise ConcurrentUpdate(
                _(
                    "%(record)s %(name)s was changed by someone else since you opened it. "
                    "Reload it and apply your change again."
                )
                % {"record": str(self.model._meta.verbose_name).capitalize(), "name": obj},
                field="version",
            )
        return obj

    # registration, used by the apps that react to this lifecycle ---------------------------------

    def register_guard(self, guard: Hook) -> Hook:
        """Decorator: `guard(run)` runs before the change and may refuse it by raising."""
        self.guards.append(guard)
        return guard

    def register_hook(self, hook: Hook) -> Hook:
        """Decorator: `hook(run)` runs after the change and its event, in the same transaction."""
        self.hooks.append(hook)
        return hook

    def register_after_commit(self, hook: Hook) -> Hook:
        """Decorator: `hook(run)` runs once the transaction committed (never on rollback)."""
        self.after_commit.append(hook)
        return hook


machines: dict[str, Machine] = {}


def _check_inputs(machine: Machine, transition: Transition, inputs: Mapping[str, Any]) -> None:
    unknown = set(inputs) - transition.inputs
    if unknown:
        raise ValueError(f"{transition.name} takes no input {sorted(unknown)}")
    for name in sorted(transition.needs):
        value = inputs.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            message = machine.required_messages.get(name) or _("This is required for “%(action)s”.") % {
                "action": transition.label
            }
            raise DomainError(str(message), code="required", field=name)


def transition_run(
    machine: Machine,
    *,
    pk: int,
    action: str,
    actor,
    expected_version: int | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> Any:
    """Run `action` on the object `pk` of `machine` (see the module docstring); returns the object
    as saved. Every refusal is a DomainError with a stable code, and nothing is written."""
    with transaction.atomic():
        transition = machine.transition(action)
        given = {name: value for name, value in (inputs or {}).items() if value is not None}
        obj = machine.lock(pk, expected_version)
        machine.check(obj, transition, actor)
        _check_inputs(machine, transition, given)
        run = TransitionRun(
            machine=machine,
            transition=transition,
            obj=obj,
            actor=actor,
            inputs=dict(given),
            from_state=machine.state_of(obj),
            now=timezone.now(),
        )
        for guard in machine.guards:
            guard(run)
        before = snapshot(obj, machine.audited) if machine.audited else {}
        setattr(obj, machine.state_field, transition.target_from(run.from_state))
        for effect in (*transition.effects, *machine.effects):
            effect(run)
        if machine.versioned:
            obj.version += 1
        if machine.validate:
            obj.full_clean()
        obj.save()
        if machine.audited:
            changes_record(instance=obj, before=before, after=snapshot(obj, machine.audited), actor=actor)
        if machine.record is not None:
            machine.record(run)
        for hook in machine.hooks:
            hook(run)
        for hook in machine.after_commit:
            transaction.on_commit(functools.partial(hook, run), robust=True)
    return obj
