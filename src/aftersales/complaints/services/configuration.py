"""The complaint configuration HQ admins keep (R26, R27): the escalation ladder of difficult cases.
The response times per severity are plain rows (model validation only, through the API's
reference-data writes); the difficult-case criteria are `cases.case_criteria_update`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted, StillInUse
from aftersales.core.services import record_save

from ..choices import CaseState
from ..models import CaseLevel, DifficultCase

LEVEL_FIELDS = frozenset({"number", "name", "role"})


def may_configure_complaints(user) -> bool:
    """R26, R27: HQ admins keep the response times and the escalation ladder (as in the admin)."""
    return bool(user and user.is_authenticated and user.has_role(Role.HQ_ADMIN))


def _level_in_use(number: int) -> bool:
    """True when a difficult case not closed is at level `number` (a case keeps its level's number)."""
    return DifficultCase.objects.filter(level=number).exclude(state=CaseState.CLOSED).exists()


@transaction.atomic
def case_level_save(*, level: CaseLevel | None = None, actor, **fields: Any) -> CaseLevel:
    """R27: add a level to the escalation ladder (no `level`) or change one: its name and the role
    its handlers must have apply to the next escalation to it. A level that open cases are at
    keeps its number (409 `protected`): they would lose their level. Changes are in the history."""
    if not may_configure_complaints(actor):
        raise NotPermitted(_("Only an HQ admin may change the escalation levels."))
    unknown = set(fields) - LEVEL_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if level is not None:
        level = CaseLevel.objects.select_for_update().get(pk=level.pk)
        if "number" in fields and fields["number"] != level.number and _level_in_use(level.number):
            raise StillInUse(
                _("Open difficult cases are at level %(number)d: it keeps its number.")
                % {"number": level.number}
            )
    return record_save(instance=level or CaseLevel(), data=fields, actor=actor)


@transaction.atomic
def case_level_delete(*, level: CaseLevel, actor) -> None:
    """R27: take a level off the ladder; refused (409 `protected`) while open cases are at it."""
    if not may_configure_complaints(actor):
        raise NotPermitted(_("Only an HQ admin may change the escalation levels."))
    if _level_in_use(level.number):
        message = _("Open difficult cases are at level %(number)d: it cannot be deleted.")
        raise StillInUse(message % {"number": level.number})
    level.delete()
