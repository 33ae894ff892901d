"""The contract of every lifecycle (ARCHITECTURE.md §4, R37, R41), generated from the machines
declared in the code (core.transitions.machines), never from a hand-copied table:

- every transition runs from each of its sources for each role it names, reaches its target and
  writes one timeline event;
- from any other state it is refused with 409 and nothing changes;
- any other role is refused with 403 and nothing changes;
- an owner-bound role (an engineer) may run it only on their own work.

A machine added later is covered without touching this file; its world (how to build an object
in a state) lives in tests/machines.py.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.transitions import Machine, machines, transition_run

from .machines import WORLDS

pytestmark = pytest.mark.django_db


def _load_every_machine() -> list[Machine]:
    for config in apps.get_app_configs():
        if config.name.startswith("aftersales."):
            try:
                importlib.import_module(f"{config.name}.transitions")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.transitions":
                    raise
    return sorted(machines.values(), key=lambda machine: machine.name)


MACHINES = _load_every_machine()
ROLES = list(Role.values)

ALLOWED = [
    pytest.param(m.name, t.name, source, role, id=f"{m.name}-{t.name}-{source}-{role}")
    for m in MACHINES
    for t in m
    for source in sorted(t.sources)
    for role in (sorted(t.roles) or [None])
]
REFUSED_STATE = [
    pytest.param(m.name, t.name, state, id=f"{m.name}-{t.name}-{state}")
    for m in MACHINES
    for t in m
    for state in m.states
    if state not in t.sources
]
REFUSED_ROLE = [
    pytest.param(m.name, t.name, role, id=f"{m.name}-{t.name}-{role}")
    for m in MACHINES
    for t in m
    for role in ROLES
    if role not in t.roles
]
OWN_WORK = [
    pytest.param(m.name, t.name, id=f"{m.name}-{t.name}")
    for m in MACHINES
    if m.owner is not None
    for t in m
    if t.own_work_only and t.roles & m.owner_bound_roles
]


def setup(machine_name: str, transition_name: str, state: str):
    machine = machines[machine_name]
    transition = machine[transition_name]
    return machine, transition, WORLDS[machine_name](state, transition)


def attempt(machine, transition, world, actor):
    return transition_run(
        machine, pk=world.obj.pk, action=transition.name, actor=actor, inputs=world.inputs(transition)
    )


def assert_untouched(machine, world, state: str, events_before: int) -> None:
    world.obj.refresh_from_db()
    assert machine.state_of(world.obj) == state
    assert world.events() == events_before


def test_every_machine_has_a_world():
    assert {m.name for m in MACHINES} <= set(WORLDS), "add a world to tests/machines.py"
    assert len(MACHINES) >= 1


@pytest.mark.parametrize(("machine_name", "transition_name", "source", "role"), ALLOWED)
def test_r41_every_allowed_transition_moves_and_is_recorded(machine_name, transition_name, source, role):
    """Given an object in a source state, when a permitted role (or the system, for system-only
    transitions) runs the transition, then it reaches its target and one event says so."""
    machine, transition, world = setup(machine_name, transition_name, source)
    before = world.events()

    obj = attempt(machine, transition, world, world.actor(role) if role else None)

    obj.refresh_from_db()
    assert machine.state_of(obj) == transition.target_from(source)
    if machine.record is not None:
        assert world.events() == before + 1


@pytest.mark.parametrize(("machine_name", "transition_name", "state"), REFUSED_STATE)
def test_every_transition_refused_from_a_state_not_in_its_sources(machine_name, transition_name, state):
    """From a state it does not start from: TransitionNotAllowed (HTTP 409), nothing written."""
    machine, transition, world = setup(machine_name, transition_name, state)
    role = sorted(transition.roles - machine.owner_bound_roles or transition.roles or {None}, key=str)[0]
    before = world.events()

    with pytest.raises(TransitionNotAllowed) as error:
        attempt(machine, transition, world, world.actor(role) if role else None)

    assert error.value.status == 409
    assert_untouched(machine, world, state, before)


@pytest.mark.parametrize(("machine_name", "transition_name", "role"), REFUSED_ROLE)
def test_r37_every_transition_refused_for_a_role_not_allowed(machine_name, transition_name, role):
    """A role the transition does not name: NotPermitted (HTTP 403), nothing written."""
    machine = machines[machine_name]
    source = sorted(machine[transition_name].sources)[0]
    machine, transition, world = setup(machine_name, transition_name, source)
    before = world.events()

    with pytest.raises(NotPermitted) as error:
        attempt(machine, transition, world, world.actor(role))

    assert error.value.status == 403
    assert_untouched(machine, world, source, before)


@pytest.mark.parametrize(("machine_name", "transition_name"), OWN_WORK)
def test_r37_owner_bound_roles_act_only_on_their_own_work(machine_name, transition_name):
    """An engineer runs a transition only on what is theirs, not on a colleague's."""
    machine = machines[machine_name]
    source = sorted(machine[transition_name].sources)[0]
    machine, transition, world = setup(machine_name, transition_name, source)
    before = world.events()

    with pytest.raises(NotPermitted):
        attempt(machine, transition, world, world.outsider())

    assert_untouched(machine, world, source, before)
