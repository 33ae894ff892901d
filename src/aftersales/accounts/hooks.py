"""Extension points of the organisation for the apps above it: they register here instead of
listening to signals, so a reader of the organisation's services sees every check."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Engineer

# `check(engineer)` describes the open work an engineer holds ("2 open work orders: …"), or None.
EngineerWorkCheck = Callable[["Engineer"], "str | None"]

engineer_work_checks: list[EngineerWorkCheck] = []


def register_engineer_work_check(check: EngineerWorkCheck) -> EngineerWorkCheck:
    """Decorator: an engineer holding the work `check` finds is not deactivated (R38)."""
    engineer_work_checks.append(check)
    return check
