"""Part requests (售后服务配件申请单, R28, R30): a dealer's staff draw one up with its lines and submit
it; HQ's parts desk confirms each line's quantity and unit cost (the cost price list for the day
and the service point's province, R30) and an estimated ship date, or rejects it; the dealer
accepts; finance debits the dealer's account once (over the credit limit only with an explicit
approval); HQ ships it from its warehouse to the service point's (a transfer in transit); the
service point receives it. The lifecycle is `transitions.PART_REQUEST`; the effects that post to
the account and the stock ledger live here and are called by its transitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint, User
from aftersales.catalog.models import Part
from aftersales.catalog.pricing import part_prices
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import cny, line_amount, total, yuan
from aftersales.core.services import number_next
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.notifications.services import notify

from ..choices import EntryKind, PartRequestState, WarehouseKind
from ..errors import CreditLimitExceeded
from ..models import DealerAccount, PartRequest, PartRequestEvent, PartRequestLine, Warehouse
from ..transitions import PART_REQUEST, may_draw_up_part_request
from .accounts import account_of, entry_post
from .stock import quantity_checked
from .transfers import transfer_create, transfer_transition

NUMBER_PREFIX = "PR"


def _active_part(part: Part) -> Part:
    if not part.is_active:
        raise DomainError(
            _("%(part)s is retired from the catalog.") % {"part": part}, code="not_a_stock_part", field="part"
        )
    return part


def _step(request: PartRequest, *, action: str, actor, note: str = "") -> PartRequestEvent:
    """A step of a request that is not a transition (drawn up, a line changed), in its history."""
    return PartRequestEvent.objects.create(
        request=request,
        action=action,
        from_state=request.state,
        to_state=request.state,
        note=note,
        actor=actor,
        created_at=timezone.now(),
    )


def _own_point(actor, service_point: ServicePoint) -> None:
    """R37: a dealer requests parts for its own service points."""
    if not actor.is_superuser and service_point.dealer_id != actor.dealer_id:
        raise DomainError(
            _("Choose one of your dealer's service points."), code="invalid", field="service_point"
        )
    if not service_point.is_active:
        raise DomainError(_("That service point is closed."), code="invalid", field="service_point")


@transaction.atomic
def part_request_create(
    *,
    service_point: ServicePoint,
    actor,
    lines: Iterable[tuple[Part, int]] = (),
    note: str = "",
) -> PartRequest:
    """R28: a draft request (numbered PR…) of the actor's dealer for parts delivered to one of its
    service points, with its first lines (a part named twice adds up)."""
    if not may_draw_up_part_request(actor):
        raise NotPermitted(_("Only a dealer's staff request parts from HQ."))
    _own_point(actor, service_point)
    dealer_id = service_point.dealer_id
    if dealer_id is None:  # HQ's own points order from the stock desk, not on a part request
        raise DomainError(
            _("Choose one of your dealer's service points."), code="invalid", field="service_point"
        )
    request = PartRequest(
        number=number_next(prefix=NUMBER_PREFIX),
        dealer_id=dealer_id,
        service_point=service_point,
        note=(note or "").strip(),
        created_by=actor,
    )
    request.save()
    merged: dict[int, PartRequestLine] = {}
    for part, quantity in lines:
        _active_part(part)
        count = quantity_checked(quantity)
        if part.pk in merged:
            merged[part.pk].quantity = quantity_checked(merged[part.pk].quantity + count)
        else:
            merged[part.pk] = PartRequestLine(request=request, part=part, quantity=count)
    PartRequestLine.objects.bulk_create(merged.values())
    _step(request, action="create", actor=actor, note=request.note)
    return request


def _draft_locked(request_id: int, actor) -> PartRequest:
    """The draft, locked, for one of its own dealer's staff (403 otherwise, 409 once submitted)."""
    request = PART_REQUEST.lock(request_id)
    if not may_draw_up_part_request(actor) or (
        not actor.is_superuser and actor.dealer_id != request.dealer_id
    ):
        raise NotPermitted(_("Only the dealer's own staff change its part request."))
    if request.state != PartRequestState.DRAFT:
        raise TransitionNotAllowed(
            _("The request is submitted: its lines no longer change."), code="part_request_not_draft"
        )
    return request


@transaction.atomic
def part_request_update(
    *, request_id: int, actor, note: str | None = None, service_point: ServicePoint | None = None
) -> PartRequest:
    """A draft's note or delivery point changed (what is left out stays)."""
    request = _draft_locked(request_id, actor)
    if service_point is not None:
        _own_point(actor, service_point)
        request.service_point = service_point
    if note is not None:
        request.note = note.strip()
    request.save(update_fields=["service_point", "note", "updated_at"])
    return request


@transaction.atomic
def part_request_withdraw(*, request_id: int, actor) -> PartRequest:
    """A draft never meant to go to HQ is withdrawn (cancelled): its history stays (R41); a request
    already submitted is cancelled by its own step."""
    request = _draft_locked(request_id, actor)
    return part_request_transition(
        request_id=request.pk, action="cancel", actor=actor, note=str(_("Draft withdrawn"))
    )


@transaction.atomic
def part_request_line_add(*, request_id: int, part: Part, quantity: Any, actor) -> PartRequestLine:
    """R28: a part added to a draft (a part already on it gets the quantity added)."""
    request = _draft_locked(request_id, actor)
    _active_part(part)
    count = quantity_checked(quantity)
    line = PartRequestLine.objects.filter(request=request, part=part).first()
    if line is None:
        line = PartRequestLine.objects.create(request=request, part=part, quantity=count)
    else:
        line.quantity = quantity_checked(line.quantity + count)
        line.save(update_fields=["quantity"])
    _step(request, action="line", actor=actor, note=f"{part.number} ×{line.quantity}")
    return line


def _line_locked(line_id: int, actor) -> tuple[PartRequest, PartRequestLine]:
    line = PartRequestLine.objects.select_related("part").get(pk=line_id)
    return _draft_locked(line.request_id, actor), line


@transaction.atomic
def part_request_line_update(*, line_id: int, quantity: Any, actor) -> PartRequestLine:
    """R28: a draft's line asks for another quantity."""
    request, line = _line_locked(line_id, actor)
    line.quantity = quantity_checked(quantity)
    line.save(update_fields=["quantity"])
    _step(request, action="line", actor=actor, note=f"{line.part.number} ×{line.quantity}")
    return line


@transaction.atomic
def part_request_line_remove(*, line_id: int, actor) -> PartRequest:
    """R28: a line taken off a draft."""
    request, line = _line_locked(line_id, actor)
    line.delete()
    _step(request, action="line", actor=actor, note=f"{line.part.number} ×0")
    return request


def part_request_transition(*, request_id: int, action: str, actor, **inputs: Any) -> PartRequest:
    """R28: one step of the request's lifecycle (`transitions.PART_REQUEST`): row locked, refused
    from another state (409) or for another role (403), each step in the history."""
    return transition_run(PART_REQUEST, pk=request_id, action=action, actor=actor, inputs=inputs)


# --- the effects of the transitions ---------------------------------------------------------------


def _ship_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(
            _("Enter the estimated ship date as YYYY-MM-DD."), code="invalid", field="expected_ship_date"
        ) from None


def _unit_cost(value: Any) -> Decimal:
    try:
        amount = cny(str(value))
    except (TypeError, ValueError):
        amount = Decimal(-1)
    if amount < 0:
        raise DomainError(_("Enter a unit cost such as 120.00."), code="invalid_unit_cost", field="lines")
    return amount


def confirm_lines(run: TransitionRun) -> None:
    """R28, R30: each line's confirmed quantity (as asked, unless HQ says otherwise; 0 for a part
    it cannot supply) and unit cost (the cost price of the day in the service point's province,
    unless HQ enters another), its amount rounded per line and the total; the ship date."""
    request: PartRequest = run.obj
    given: dict[int, Mapping[str, Any]] = {}
    for item in run.inputs.get("lines") or []:
        try:
            given[int(item["line"])] = item
        except (KeyError, TypeError, ValueError):
            raise DomainError(_("Name each line by its id."), code="invalid", field="lines") from None
    lines = list(request.lines.select_related("part"))
    unknown = set(given) - {line.pk for line in lines}
    if unknown:
        raise DomainError(_("Line %(id)s is not on this request.") % {"id": min(unknown)}, field="lines")
    prices = part_prices(
        [line.part_id for line in lines], day=timezone.localdate(), province=request.service_point.province
    )
    for line in lines:
        entered = given.get(line.pk, {})
        quantity = entered.get("quantity")
        line.confirmed_quantity = (
            line.quantity if quantity in (None, "") else quantity_checked(quantity, field="lines", minimum=0)
        )
        cost = entered.get("unit_cost")
        if cost in (None, ""):
            price = prices.get(line.part_id)
            if price is None:
                raise DomainError(
                    _("No cost price list prices %(part)s: enter its unit cost.") % {"part": line.part},
                    code="no_cost_price",
                    field="lines",
                )
            line.unit_cost = price.cost
        else:
            line.unit_cost = _unit_cost(cost)
        line.amount = line_amount(line.confirmed_quantity, line.unit_cost)
    if not any(line.confirmed_quantity for line in lines):
        raise DomainError(_("Confirm at least one part."), code="part_request_empty", field="lines")
    PartRequestLine.objects.bulk_update(lines, ["confirmed_quantity", "unit_cost", "amount"])
    run.set(
        total=total(line.amount for line in lines),
        expected_ship_date=_ship_date(run.inputs["expected_ship_date"]),
    )


def credit_check(run: TransitionRun) -> None:
    """R28: a request whose total would take the dealer over its credit limit is marked: finance
    debits it only with an explicit approval."""
    from .accounts import would_exceed_credit

    run.set(needs_credit_approval=would_exceed_credit(dealer=run.obj.dealer, amount=run.obj.total))


def _yes(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def debit_account(run: TransitionRun) -> None:
    """R28: the request's total is debited to the dealer's account, once (the entry is posted once
    per request). Over the credit limit (checked under the account's lock) it is refused unless
    finance approves going over it (`approve_over_limit`), which is recorded."""
    request: PartRequest = run.obj
    account = account_of(request.dealer)
    locked = DealerAccount.objects.select_for_update().get(pk=account.pk)
    limit = locked.credit_limit
    over = limit is not None and locked.balance + request.total > limit
    if over:
        if not _yes(run.inputs.get("approve_over_limit")):
            raise CreditLimitExceeded(
                _(
                    "Debiting %(total)s takes %(dealer)s to %(after)s, over its credit limit of "
                    "%(limit)s: approve going over the limit to debit it."
                )
                % {
                    "total": yuan(request.total),
                    "dealer": request.dealer,
                    "after": yuan(locked.balance + request.total),
                    "limit": yuan(limit),
                },
                field="approve_over_limit",
            )
        run.set(needs_credit_approval=True, credit_approved_by=run.actor)
    if request.total > 0:
        entry_post(
            dealer=request.dealer,
            kind=EntryKind.PART_PURCHASE,
            amount=request.total,
            actor=run.actor,
            reason=_("Parts on request %(number)s") % {"number": request.number},
            reference=request.number,
            part_request=request,
        )


def hq_warehouse() -> Warehouse:
    """HQ's warehouse the dealers' requests ship from (the first active one by code)."""
    warehouse = Warehouse.objects.filter(kind=WarehouseKind.HQ, is_active=True).order_by("code").first()
    if warehouse is None:
        raise DomainError(_("HQ has no active warehouse to ship from."), code="no_hq_warehouse")
    return warehouse


def point_store(service_point: ServicePoint) -> Warehouse:
    """The service point's warehouse of good stock (opened on its first delivery, R32)."""
    warehouse, _created = Warehouse.objects.get_or_create(
        service_point=service_point,
        kind=WarehouseKind.SERVICE_POINT,
        defaults={"code": f"WH-{service_point.code}"[:32], "name": f"{service_point.name}{_('warehouse')}"},
    )
    if not warehouse.is_active:
        raise DomainError(
            _("%(warehouse)s is closed.") % {"warehouse": warehouse}, code="invalid", field="service_point"
        )
    return warehouse


def ship_parts(run: TransitionRun) -> None:
    """R28: the confirmed lines leave HQ's warehouse for the service point's on a transfer with the
    carrier and tracking number: out of HQ's stock, in transit towards the point (409
    `insufficient_stock`, nothing shipped, when HQ is short)."""
    request: PartRequest = run.obj
    lines = [
        (line.part, line.confirmed_quantity)
        for line in request.lines.select_related("part")
        if line.confirmed_quantity
    ]
    transfer = transfer_create(
        source=hq_warehouse(),
        destination=point_store(request.service_point),
        lines=lines,
        actor=run.actor,
        note=_("Part request %(number)s") % {"number": request.number},
    )
    shipped = transfer_transition(
        transfer_id=transfer.pk,
        action="ship",
        actor=run.actor,
        carrier=run.text("carrier"),
        tracking_number=run.text("tracking_number"),
    )
    run.set(transfer=shipped)


def receive_parts(run: TransitionRun) -> None:
    """R28: the shipment arrives: on hand in the service point's warehouse."""
    request: PartRequest = run.obj
    if request.transfer_id is None:  # pragma: no cover - shipped requests always have their transfer
        raise DomainError(_("This request was shipped without a transfer."), code="invalid")
    transfer_transition(transfer_id=request.transfer_id, action="receive", actor=run.actor)


# --- notifications ----------------------------------------------------------------------------------


def _dealer_staff(request: PartRequest) -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.DEALER_STAFF, dealer_id=request.dealer_id))


def _parts_clerks() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.PARTS_CLERK, dealer__isnull=True))


NOTICES = {
    "submit": ("hq", gettext_lazy("Part request %(number)s from %(dealer)s to confirm")),
    "confirm": ("dealer", gettext_lazy("Part request %(number)s confirmed by HQ: %(total)s, to accept")),
    "ship": ("dealer", gettext_lazy("Part request %(number)s shipped: %(carrier)s %(tracking)s")),
}


def notify_step(run: TransitionRun) -> None:
    """HQ's parts clerks hear of a submitted request; the dealer's staff of its confirmation and of
    its shipment (the bell, once per step)."""
    notice = NOTICES.get(run.transition.name)
    if notice is None:
        return
    audience, title = notice
    request: PartRequest = run.obj
    transfer = request.transfer
    notify(
        recipients=_parts_clerks() if audience == "hq" else _dealer_staff(request),
        title=title,
        params={
            "number": request.number,
            "dealer": request.dealer.name,
            "total": yuan(request.total),
            "carrier": transfer.carrier if transfer else "",
            "tracking": transfer.tracking_number if transfer else "",
        },
        url=reverse("parts:part_request_detail", args=[request.pk]),
        key=f"part_request:{request.pk}:{run.transition.name}",
    )
