"""Parts used on a job (R12, R29, R32, R36): what a visit or a depot repair records when a part is
replaced. One place decides, for both: the catalog part behind the number typed, its warranty
cover on the day (the part-cover hook the servicing app answers), the serial number a covered
serialised part needs for its old part, and the issue from the van or store it was taken from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.catalog.models import Part, part_number_normalize
from aftersales.core.errors import DomainError
from aftersales.workorders.hooks import part_cover

from ..models import Warehouse
from . import stock
from .old_parts import old_part_register


@dataclass(frozen=True)
class JobPart:
    """A part taken for a job: the catalog part (None for one not in the catalog), its number,
    cover and reason, and where it was issued from (None: not from stock)."""

    number: str
    part: Part | None
    covered: bool | None
    cover_reason: str
    warehouse: Warehouse | None

    def row_fields(self, *, name: str, quantity: int, old_serial_number: str, actor) -> dict:
        """The fields a job's part row (a visit's, a depot repair's) keeps of this part."""
        return {
            "part_number": self.number,
            "name": (name or "").strip() or (self.part.name if self.part else ""),
            "quantity": quantity,
            "part": self.part,
            "warehouse": self.warehouse,
            "covered": self.covered,
            "cover_reason": self.cover_reason,
            "old_serial_number": (old_serial_number or "").strip(),
            "created_by": actor,
        }


def job_part_take(
    *,
    work_order,
    part_number: str,
    quantity: int,
    warehouse: Warehouse | None,
    actor,
    day: date,
    old_serial_number: str = "",
    note: str = "",
) -> JobPart:
    """Decide the part's cover and issue it from `warehouse` (refused with what is on hand when
    short, `InsufficientStock`, 409); a part not in the catalog is recorded as typed, from no stock."""
    number = part_number_normalize(part_number)
    part = Part.objects.filter(number=number).first() if number else None
    if part is None:
        return JobPart(number, None, None, "", None)
    covered, reason = part_cover(work_order, part_category=part.category, day=day) or (None, "")
    if covered and part.serialised and not (old_serial_number or "").strip():
        raise DomainError(
            _("%(part)s is tracked by serial number: enter the serial number of the part taken out.")
            % {"part": part},
            code="serial_number_required",
            field="old_serial_number",
        )
    if warehouse is not None:
        stock.issue(
            warehouse=warehouse, part=part, quantity=quantity, actor=actor, work_order=work_order, note=note
        )
    return JobPart(number, part, covered, reason[:500], warehouse)


def job_part_put_back(
    *, work_order, part: Part | None, quantity: int, warehouse: Warehouse | None, actor
) -> None:
    """A part recorded by mistake goes back to the van or store it was issued from."""
    if part is not None and warehouse is not None:
        stock.return_unused(
            warehouse=warehouse, part=part, quantity=quantity, actor=actor, work_order=work_order
        )


def job_old_parts_keep(rows: QuerySet, *, work_order, when: datetime) -> None:
    """R29: when the job ends (a visit's check-out, a depot repair's hand-back), each catalog part
    of `rows` (VisitPart or DepotRepairPart) replaced under warranty becomes an old part kept at
    the service point for HQ: numbered, in its defective location, to be reported, registered by
    whoever recorded the part (the counter clerk handing a device back may not register them)."""
    rows = rows.filter(covered=True, part__isnull=False, old_part__isnull=True)
    for row in rows.select_related("part", "created_by"):
        row.old_part = old_part_register(
            work_order=work_order,
            part=row.part,
            quantity=row.quantity,
            serial_number=row.old_serial_number,
            actor=row.created_by,
            replaced_at=when,
        )
        row.save(update_fields=["old_part", "updated_at"])
