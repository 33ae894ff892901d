"""Writes of the service task supervision card of a visit (R19)."""

from __future__ import annotations

from typing import Any

from aftersales.core.transitions import transition_run

from ..models import SupervisionCard
from ..transitions import SUPERVISION_CARD


def supervision_transition(
    *, card_id: int, action: str, actor, expected_version: int | None = None, **inputs: Any
) -> SupervisionCard:
    """R19: run one step of the card's lifecycle (`transitions.SUPERVISION_CARD`): the engineer
    submits it with their feedback (`summary`; due the same day, a late one stays flagged), the
    service centre verifies it (with an optional `note`) or sends it back with the reason (`note`).
    Refused from other states or for other people; each step is on the timeline. The first
    submission time is kept, so a card sent back and resubmitted is not made late by it."""
    return transition_run(
        SUPERVISION_CARD,
        pk=card_id,
        action=action,
        actor=actor,
        expected_version=expected_version,
        inputs=inputs,
    )
