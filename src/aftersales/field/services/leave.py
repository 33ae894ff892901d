"""Writes of engineers' leave (R5, R12): who is away when, so that dispatch suggests nobody on
leave and no visit is booked on a day off. Recorded by dispatchers, supervisors and HQ admins, and
by dealer staff for their own dealer's engineers (R37). Leaves of one engineer never share a day;
each write locks the engineer's row, like booking an appointment, so a leave and a booking of the
same engineer run one after the other. Visits already booked in a new leave stay as they are: the
API shows how many (`booked_appointments`) for the dispatcher to move them. The history keeps
every leave recorded, changed or removed (R41)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.choices import DISPATCH_ROLES
from aftersales.accounts.models import Engineer
from aftersales.accounts.selectors import engineer_list
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.core.services import record_delete, record_save

from ..models import EngineerLeave

LEAVE_FIELDS = ("engineer", "start", "end", "reason")


def may_record_leave(user, engineer: Engineer) -> bool:
    """R37: dispatch roles record the leave of the engineers they may see (dealer staff: their
    dealer's)."""
    return user.has_role(*DISPATCH_ROLES) and engineer_list(user).filter(pk=engineer.pk).exists()


def _leave_permit(actor, engineer: Engineer) -> None:
    if not may_record_leave(actor, engineer):
        raise NotPermitted(_("You may not record the leave of %(engineer)s.") % {"engineer": engineer})
    Engineer.objects.select_for_update(of=("self",)).filter(pk=engineer.pk).first()


@transaction.atomic
def engineer_leave_create(
    *, engineer: Engineer, start: date, end: date, reason: str = "", actor
) -> EngineerLeave:
    """The engineer is away from `start` to `end`, both included."""
    _leave_permit(actor, engineer)
    data = {"engineer": engineer, "start": start, "end": end, "reason": reason}
    return record_save(instance=EngineerLeave(), data=data, actor=actor, audit_creation=True)


@transaction.atomic
def engineer_leave_update(*, leave: EngineerLeave, actor, **fields: Any) -> EngineerLeave:
    """Other days or another reason; the engineer stays (another engineer's leave is a new one)."""
    if "engineer" in fields and fields.pop("engineer") != leave.engineer:
        raise DomainError(
            _("A leave stays with its engineer: record a new one for the other engineer."),
            code="invalid",
            field="engineer",
        )
    _leave_permit(actor, leave.engineer)
    return record_save(instance=leave, data=fields, actor=actor)


@transaction.atomic
def engineer_leave_delete(*, leave: EngineerLeave, actor) -> None:
    """The engineer is not away after all."""
    _leave_permit(actor, leave.engineer)
    record_delete(instance=leave, actor=actor, audited=LEAVE_FIELDS)
