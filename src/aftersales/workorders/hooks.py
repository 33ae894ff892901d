"""Extension points for the apps that hang off a work order (field, sla, feedback, billing...).

They register here instead of listening to signals, so a reader of the lifecycle sees every
reaction: `transition_hooks` run inside the transition's transaction, after the event row.
`detail_panels` name templates the work-order page includes (NetBox template extensions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TransitionHook = Callable[..., None]

transition_hooks: list[TransitionHook] = []
intake_hooks: list[TransitionHook] = []


@dataclass(frozen=True)
class DetailPanel:
    template: str
    order: int = 100


detail_panels: list[DetailPanel] = []
demo_seeders: list[TransitionHook] = []


def register_transition_hook(hook: TransitionHook) -> TransitionHook:
    """Decorator: `hook(*, work_order, transition, actor)` runs on every transition."""
    transition_hooks.append(hook)
    return hook


def register_intake_hook(hook: TransitionHook) -> TransitionHook:
    """Decorator: `hook(*, work_order, actor)` runs when a work order is created, inside the same
    transaction (e.g. automatic dispatch to a service point, R5)."""
    intake_hooks.append(hook)
    return hook


def register_detail_panel(template: str, order: int = 100) -> None:
    detail_panels.append(DetailPanel(template=template, order=order))
    detail_panels.sort(key=lambda panel: panel.order)


def register_demo_seeder(seeder: TransitionHook) -> TransitionHook:
    """Decorator: `seeder(*, rng, now)` adds an app's demo records once the demo work orders exist
    (`manage.py demo_seed`); `rng` is the seed's random.Random, so the demo stays deterministic."""
    demo_seeders.append(seeder)
    return seeder
