"""Reads of old parts, their shipments and the reimbursement claims (R29, R31, R37), each scoped in
SQL to what the user may see:

- the company-wide roles (HQ's parts desk, finance, quality, department heads, the service
  centre's agents, dispatchers and clerks) see everything;
- a dealer's staff see their dealer's old parts, shipments and claims (another dealer's are "not
  found", never "forbidden": their existence is not disclosed);
- an engineer sees the old parts of their own work orders (no shipments, no claims).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import DecimalField, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.core.money import MAX_DIGITS

from .choices import EntryKind, OldPartState, ShipmentState
from .models import (
    AccountEntry,
    ClaimEvent,
    ClaimLine,
    OldPart,
    OldPartEvent,
    OldPartShipment,
    OldPartShipmentEvent,
    ReimbursementClaim,
)

# Still at the service point: to report, or reported and waiting for a shipment to leave.
AT_THE_POINT = (OldPartState.REGISTERED, OldPartState.REPORTED)


def _dealer_of(user: Any) -> int | None:
    return user.dealer_id if user.role == Role.DEALER_STAFF and user.dealer_id else None


# --- old parts ------------------------------------------------------------------------------------------


def may_read_old_parts(user: Any) -> bool:
    """The old-part pages are for the company-wide roles, a dealer's staff and engineers."""
    if user is None or not user.is_authenticated:
        return False
    if user.sees_whole_company:
        return True
    if user.role == Role.DEALER_STAFF:
        return bool(user.dealer_id)
    return user.role == Role.ENGINEER and getattr(user, "engineer", None) is not None


def old_part_scope(user: Any, queryset: QuerySet[OldPart] | None = None) -> QuerySet[OldPart]:
    """The old parts `user` may see (module docstring), with what their rows show joined in."""
    rows = (OldPart.objects.all() if queryset is None else queryset).select_related(
        "part", "service_point", "dealer", "work_order", "shipment"
    )
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.sees_whole_company:
        return rows
    dealer_id = _dealer_of(user)
    if dealer_id is not None:
        return rows.filter(dealer_id=dealer_id)
    engineer = getattr(user, "engineer", None)
    if user.role == Role.ENGINEER and engineer is not None:
        return rows.filter(work_order__engineer=engineer)
    return rows.none()


def _penalty() -> QuerySet[AccountEntry]:
    return AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY, old_part=OuterRef("pk"))


def with_penalties(rows: QuerySet[OldPart]) -> QuerySet[OldPart]:
    """Each row's penalty (R29) as `penalty_amount` (None: not charged) and `penalty_reversed`:
    the amount read as stored, no arithmetic in SQL (core.money)."""
    return rows.annotate(
        penalty_amount=Subquery(
            _penalty().values("amount")[:1],
            output_field=DecimalField(max_digits=MAX_DIGITS, decimal_places=2),
        ),
        penalty_reversed=Exists(
            AccountEntry.objects.filter(
                reverses__kind=EntryKind.OLD_PART_PENALTY, reverses__old_part=OuterRef("pk")
            )
        ),
    )


def old_part_list(user: Any) -> QuerySet[OldPart]:
    """The old-part list rows: scoped, joined, with their penalties."""
    return with_penalties(old_part_scope(user))


def old_parts_due(user: Any) -> QuerySet[OldPart]:
    """The "due to HQ" list: still at the service point (to report, or reported and not shipped
    yet), the first due first."""
    return old_part_list(user).filter(state__in=AT_THE_POINT).order_by("report_due", "pk")


def is_overdue(old_part: OldPart, today: date | None = None) -> bool:
    """R29: not reported by its deadline (from the day after `report_due`)."""
    return old_part.state == OldPartState.REGISTERED and old_part.report_due < (today or timezone.localdate())


def old_part_get(user: Any, pk: int) -> OldPart:
    """One old part the user may see (OldPart.DoesNotExist otherwise), with its penalty and the
    work order's engineer."""
    return with_penalties(
        old_part_scope(user).select_related("work_order__engineer__user", "created_by")
    ).get(pk=pk)


def old_part_history(old_part: OldPart) -> list[OldPartEvent]:
    """Its steps, oldest first, with who took them (R41)."""
    return list(old_part.events.select_related("actor").order_by("created_at", "pk"))


def penalty_entries(old_part: OldPart) -> list[AccountEntry]:
    """The penalty charged for the old part and its reversal, if any."""
    penalty = AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY, old_part=old_part).first()
    if penalty is None:
        return []
    reversal = AccountEntry.objects.filter(reverses=penalty).select_related("posted_by").first()
    return [penalty, reversal] if reversal is not None else [penalty]


def old_parts_of_work_order(user: Any, work_order_id: int) -> list[OldPart]:
    """The old parts recovered on a work order, for its page."""
    return list(old_part_scope(user).filter(work_order_id=work_order_id).order_by("pk"))


# --- shipments ------------------------------------------------------------------------------------------


def may_read_shipments(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.sees_whole_company or _dealer_of(user) is not None


def shipment_scope(user: Any) -> QuerySet[OldPartShipment]:
    """The shipments of old parts `user` may see (company-wide roles: all; a dealer's staff: their
    dealer's points')."""
    rows = OldPartShipment.objects.select_related("service_point__dealer", "created_by")
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.sees_whole_company:
        return rows
    dealer_id = _dealer_of(user)
    return rows.filter(service_point__dealer_id=dealer_id) if dealer_id is not None else rows.none()


def shipment_get(user: Any, pk: int) -> OldPartShipment:
    return shipment_scope(user).get(pk=pk)


def shipment_old_parts(shipment: OldPartShipment) -> list[OldPart]:
    return list(shipment.old_parts.select_related("part", "work_order").order_by("pk"))


def shipment_history(shipment: OldPartShipment) -> list[OldPartShipmentEvent]:
    return list(shipment.events.select_related("actor").order_by("created_at", "pk"))


def packable_old_parts(user: Any, service_point_id: int | None = None) -> QuerySet[OldPart]:
    """Reported old parts in no shipment yet, of the user's scope (and of one point)."""
    rows = old_part_scope(user).filter(state=OldPartState.REPORTED, shipment__isnull=True)
    if service_point_id is not None:
        rows = rows.filter(service_point_id=service_point_id)
    return rows.order_by("service_point__code", "report_due", "pk")


def open_shipments(user: Any, service_point_id: int) -> QuerySet[OldPartShipment]:
    """The point's shipments still being packed (old parts may be added to them)."""
    return shipment_scope(user).filter(service_point_id=service_point_id, state=ShipmentState.DRAFT)


# --- claims ---------------------------------------------------------------------------------------------


def may_read_claims(user: Any) -> bool:
    """The claim pages are for the company-wide roles and a dealer's staff."""
    return may_read_shipments(user)


def claim_scope(user: Any) -> QuerySet[ReimbursementClaim]:
    """The claims `user` may see: all, or their dealer's."""
    rows = ReimbursementClaim.objects.select_related("dealer", "reviewed_by")
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.sees_whole_company:
        return rows
    dealer_id = _dealer_of(user)
    return rows.filter(dealer_id=dealer_id) if dealer_id is not None else rows.none()


def claim_lines_prefetch() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=ClaimLine.objects.select_related(
            "old_part__part", "old_part__work_order", "old_part__service_point"
        ).order_by("pk"),
    )


def claim_get(user: Any, pk: int) -> ReimbursementClaim:
    """One claim the user may see, with its lines (ReimbursementClaim.DoesNotExist otherwise)."""
    return claim_scope(user).prefetch_related(claim_lines_prefetch()).get(pk=pk)


def claim_line_scope(user: Any) -> QuerySet[ClaimLine]:
    return ClaimLine.objects.filter(claim__in=claim_scope(user)).select_related(
        "claim", "old_part__part", "old_part__work_order", "old_part__service_point"
    )


def claim_history(claim: ReimbursementClaim) -> list[ClaimEvent]:
    return list(claim.events.select_related("actor").order_by("created_at", "pk"))


def claim_credit_entry(claim: ReimbursementClaim) -> AccountEntry | None:
    return AccountEntry.objects.filter(kind=EntryKind.REIMBURSEMENT, claim=claim).first()
