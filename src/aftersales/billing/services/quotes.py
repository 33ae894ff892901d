"""Quotes (R8, R9, R36): drawn up line by line on a work order, each line with its payer from
the work order's entitlement, sent to the customer, approved (frozen) or rejected, revised into a
new numbered version. One revision is free, later ones wait for a supervisor (the plan's rule).

Every amount is computed here with `core.money` (half up per line, then summed) and stored; every
change of a line or a total is on the work order's timeline (R41)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.catalog import pricing
from aftersales.catalog.choices import FeeKind, FeeUnit
from aftersales.catalog.models import Part
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import cny, line_amount, total, yuan
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.devices.choices import Payer
from aftersales.field.selectors import parts_replaced
from aftersales.field.services import signature_image
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.servicing.selectors import depot_parts_replaced, plan_current
from aftersales.servicing.services import plan_free_revisions
from aftersales.servicing.transitions import work_order_open_check
from aftersales.servicing.warranty import work_order_entitlement
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder

from ..choices import LineKind, QuoteState
from ..events import QUOTE as QUOTE_EVENT
from ..models import Quote, QuoteLine
from ..selectors import payer_totals
from ..transitions import DRAW_UP_QUOTE, QUOTE

# The kinds of line the warranty decides on (R36); other charges and discounts are the customer's.
COVERED_KINDS = frozenset(FeeKind.values)
QUANTITY_MAX = Decimal("9999")


def quote_valid_days() -> int:
    """How long a quote sent to the customer stands (days)."""
    return settings.BILLING_QUOTE_VALID_DAYS


def _draw_up_check(work_order: WorkOrder, actor) -> None:
    work_order_open_check(work_order)
    if not QUOTE.permits(DRAW_UP_QUOTE, actor, work_order):
        raise NotPermitted(_("You may not draw up the quote of this work order."))


def _event(quote: Quote, actor, action: str, **params: Any) -> None:
    event_record(
        quote.work_order,
        kind=QUOTE_EVENT,
        actor=actor,
        action=action,
        params={"record": str(quote), "total": yuan(quote.total), **params},
    )


@transaction.atomic
def quote_create(*, work_order_id: int, actor) -> Quote:
    """R9: the first version of the work order's quote, an empty draft valid for
    `quote_valid_days()`. A work order has one quote; changing it once sent is a revision."""
    work_order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("engineer").get(pk=work_order_id)
    )
    _draw_up_check(work_order, actor)
    if work_order.quotes.exists():
        raise DomainError(_("This work order already has a quote; revise it instead."), code="quote_exists")
    quote = Quote(
        work_order=work_order,
        plan=plan_current(work_order),
        created_by=actor,
        valid_until=timezone.localdate() + timedelta(days=quote_valid_days()),
    )
    quote.full_clean()
    quote.save()
    _event(quote, actor, "quote_create")
    return quote


def _draft_locked(quote_id: int, actor) -> Quote:
    """The quote locked for a change of its lines: a draft the actor may draw up."""
    quote = QUOTE.lock(quote_id)
    if quote.state != QuoteState.DRAFT:
        raise TransitionNotAllowed(
            _("Only a draft quote can be changed; revise it instead."), code="quote_not_draft"
        )
    _draw_up_check(quote.work_order, actor)
    return quote


def _quantity(value: Any) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        raise ValidationError({"quantity": [_("Enter a number such as 1 or 1.5.")]}) from None
    if not quantity.is_finite() or quantity <= 0 or quantity > QUANTITY_MAX:
        raise ValidationError({"quantity": [_("The quantity must be more than 0 and at most 9999.")]})
    if quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationError({"quantity": [_("Use at most two decimal places.")]})
    return quantity


def _distance(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        distance = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError({"distance_km": [_("Enter the distance in km, such as 12.5.")]}) from None
    if not distance.is_finite() or distance < 0 or distance > 10000:
        raise ValidationError({"distance_km": [_("Enter the distance in km, such as 12.5.")]})
    return distance.quantize(Decimal("0.01"))


def _unit_price(value: Any, kind: str) -> Decimal:
    try:
        price = cny(str(value))
    except ValueError:
        raise ValidationError({"unit_price": [_("Enter an amount such as 350.00.")]}) from None
    if kind == LineKind.DISCOUNT:
        return -abs(price)
    if price < 0:
        raise ValidationError({"unit_price": [_("The amount cannot be negative.")]})
    return price


@dataclass(frozen=True)
class Price:
    """A line's unit price and where it comes from: the current price list or fee standard
    (`list_price`), the warranty card's edition (`card_price`, R10), the lower applied."""

    unit_price: Decimal
    list_price: Decimal | None
    card_price: Decimal | None
    source: str
    unit: str = ""
    # The fee schedule whose standard gave `unit_price` (fees only; R30).
    schedule_id: int | None = None


def _dealer_of(work_order: WorkOrder) -> int | None:
    """The dealer whose service point does the work (its approved fee standard applies, R30)."""
    point = work_order.service_point
    return point.dealer_id if point is not None else None


def _suggested_price(quote: Quote, kind: str, part: Part | None, distance_km: Decimal | None) -> Price | None:
    """R9, R10: the price a line takes when none is entered: a part's retail price from the price
    list in effect in the customer's province; a fee from the edition in effect, or from the
    edition on the device's warranty card when that one is lower (per line, R10)."""
    work_order = quote.work_order
    today = timezone.localdate()
    province = work_order.customer.province if work_order.customer_id else ""
    if part is not None:
        found = pricing.part_price(part.pk, day=today, province=province)
        return Price(found.retail, found.retail, None, found.label) if found else None
    if kind not in COVERED_KINDS:
        return None
    product_line = work_order.product_line
    line_id = product_line.pk if product_line else None

    def fee(schedule_id: int | None = None):
        return pricing.fee_for(
            kind,
            day=today,
            product_line_id=line_id,
            province=province,
            distance_km=distance_km,
            schedule_id=schedule_id,
            dealer_id=_dealer_of(work_order),
        )

    current = fee()
    device = work_order.device if work_order.device_id else None
    card_edition = device.card_fee_schedule_id if device is not None else None
    card = fee(card_edition) if card_edition else None
    if current is None and card is None:
        return None
    if card is not None and (current is None or card.amount < current.amount):
        source = _("applied: warranty card standard %(card)s (%(card_amount)s)") % {
            "card": card.label,
            "card_amount": yuan(card.amount),
        }
        if current is not None:
            source += _(" < current %(current)s (%(amount)s)") % {
                "current": current.label,
                "amount": yuan(current.amount),
            }
        return Price(
            card.amount, current.amount if current else None, card.amount, source, card.unit, card.schedule_id
        )
    assert current is not None
    return Price(
        current.amount,
        current.amount,
        card.amount if card else None,
        current.label,
        current.unit,
        current.schedule_id,
    )


def _fee_schedule_of(
    quote: Quote, kind: str, distance_km: Decimal | None, price: Decimal, suggested: Price | None
) -> int | None:
    """R30: the fee schedule a fee line is charged by: the standard's that priced it; for a price
    entered by hand, the standard it equals, the dealer's own not approved one included (so a
    charge at a rate HQ has not approved is flagged)."""
    if kind not in COVERED_KINDS or kind == LineKind.PART:
        return None
    if suggested is not None and suggested.unit_price == price:
        return suggested.schedule_id
    work_order = quote.work_order
    dealer_id = _dealer_of(work_order)
    if dealer_id is None:
        return None
    pending = pricing.unapproved_fee_for(
        kind,
        day=timezone.localdate(),
        dealer_id=dealer_id,
        product_line_id=work_order.product_line.pk if work_order.product_line else None,
        province=work_order.customer.province if work_order.customer_id else "",
        distance_km=distance_km,
    )
    return pending.schedule_id if pending is not None and pending.amount == price else None


def _cover(quote: Quote, kind: str, part_category: str) -> tuple[str, str]:
    """R36: who pays a line of this kind, and why, from the work order's entitlement today."""
    if kind not in COVERED_KINDS:
        return Payer.CUSTOMER, ""
    entitlement = work_order_entitlement(quote.work_order, day=timezone.localdate())
    line = entitlement.cover(kind, part_category)
    return line.payer, line.reason


def _totals_update(quote: Quote) -> None:
    """The quote's totals from its lines (rounded per line, then summed); a discount never makes
    what the customer pays negative."""
    lines = list(quote.lines.all())
    quote.total = total(line.amount for line in lines)
    quote.customer_total = payer_totals(lines)[Payer.CUSTOMER]
    if quote.customer_total < 0:
        raise DomainError(
            _("The discount is larger than what the customer pays (%(amount)s).")
            % {"amount": yuan(quote.customer_total - min(line.amount for line in lines))},
            code="discount_too_large",
            field="unit_price",
        )
    quote.save(update_fields=["total", "customer_total", "updated_at"])


@transaction.atomic
def quote_line_add(
    *,
    quote_id: int,
    actor,
    kind: str,
    quantity: Any = 1,
    unit_price: Any = None,
    part_id: int | None = None,
    description: str = "",
    distance_km: Any = None,
) -> QuoteLine:
    """R9: an itemised line on a draft: quantity × unit price, rounded half up; a part line names
    the catalog part (its name, unless described otherwise); the payer and the reason come from the
    entitlement (R36), so a wear part of a device in warranty is still the customer's. Without a
    unit price the line takes the price list's or fee standard's (R9), the lower of the current
    standard and the warranty card's (R10); a per-km fee counts `distance_km` as its quantity."""
    quote = _draft_locked(quote_id, actor)
    if kind not in LineKind.values:
        raise ValidationError({"kind": [_("Choose the kind of line.")]})
    part = None
    if kind == LineKind.PART:
        if not part_id:
            raise ValidationError({"part": [_("Choose the part.")]})
        part = Part.objects.filter(pk=part_id, is_active=True).first()
        if part is None:
            raise ValidationError({"part": [_("No active part with this id.")]})
    elif part_id:
        raise ValidationError({"part": [_("Only a part line names a part.")]})
    description = (description or "").strip() or (part.name if part else str(LineKind(kind).label))
    distance = _distance(distance_km)
    suggested = _suggested_price(quote, kind, part, distance)
    if unit_price in (None, ""):
        if suggested is None:
            raise DomainError(
                _("No price list or fee standard prices this line: enter the unit price."),
                code="unit_price_needed",
                field="unit_price",
            )
        price = suggested.unit_price
        if suggested.unit == FeeUnit.PER_KM and distance is not None and quantity in (None, "", 1, "1"):
            quantity = distance
    else:
        price = _unit_price(unit_price, kind)
    category = part.category if part else ""
    payer, reason = _cover(quote, kind, category)
    count = _quantity(quantity)
    position = (quote.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    line = QuoteLine(
        quote=quote,
        position=position,
        kind=kind,
        description=description,
        part=part,
        part_category=category,
        quantity=count,
        unit_price=price,
        list_price=suggested.list_price if suggested else None,
        card_price=suggested.card_price if suggested else None,
        price_source=(suggested.source if suggested else "")[:255],
        fee_schedule_id=_fee_schedule_of(quote, kind, distance, price, suggested),
        amount=line_amount(count, price),
        payer=payer,
        cover_reason=reason,
    )
    line.full_clean()
    line.save()
    _totals_update(quote)
    _event(
        quote,
        actor,
        "quote_line_add",
        line=line.description,
        amount=yuan(line.amount),
        payer=Payer(line.payer).label,
    )
    return line


def quote_visit_parts_add(*, quote_id: int, actor) -> tuple[list[QuoteLine], list[Part]]:
    """R9, R12, R13: the parts replaced on the work order's visits and in its depot repairs that the
    draft does not price yet, each a part line at the price list's price with its payer from the
    entitlement (R36). Parts no price list prices are returned to be added by hand with a price."""
    quote = _draft_locked(quote_id, actor)
    quoted: dict[int, Decimal] = {}
    for part_id, quantity in quote.lines.filter(kind=LineKind.PART).values_list("part_id", "quantity"):
        quoted[part_id] = quoted.get(part_id, Decimal(0)) + quantity
    added, unpriced = [], []
    replaced = parts_replaced(quote.work_order)
    for part_id, count in depot_parts_replaced(quote.work_order).items():
        replaced[part_id] = replaced.get(part_id, 0) + count
    parts = Part.objects.in_bulk(list(replaced))
    for part_id, count in replaced.items():
        missing = count - quoted.get(part_id, Decimal(0))
        if missing <= 0:
            continue
        try:
            with transaction.atomic():
                added.append(
                    quote_line_add(
                        quote_id=quote.pk, actor=actor, kind=LineKind.PART, part_id=part_id, quantity=missing
                    )
                )
        except DomainError as error:
            if error.code != "unit_price_needed":
                raise
            unpriced.append(parts[part_id])
    return added, unpriced


def _line_locked(line_id: int, actor) -> tuple[Quote, QuoteLine]:
    quote_id = QuoteLine.objects.values_list("quote_id", flat=True).get(pk=line_id)
    quote = _draft_locked(quote_id, actor)
    return quote, quote.lines.get(pk=line_id)


@transaction.atomic
def quote_line_update(
    *, line_id: int, actor, quantity: Any = None, unit_price: Any = None, description: str | None = None
) -> QuoteLine:
    """R9: change a draft's line (what is given); its amount and the totals follow."""
    quote, line = _line_locked(line_id, actor)
    if quantity is not None:
        line.quantity = _quantity(quantity)
    if unit_price is not None and unit_price != "":
        line.unit_price = _unit_price(unit_price, line.kind)
    if description is not None:
        line.description = description.strip() or line.description
    line.amount = line_amount(line.quantity, line.unit_price)
    line.full_clean()
    line.save()
    _totals_update(quote)
    _event(quote, actor, "quote_line_update", line=line.description, amount=yuan(line.amount))
    return line


@transaction.atomic
def quote_line_remove(*, line_id: int, actor) -> Quote:
    """R9: take a line off a draft; the totals follow."""
    quote, line = _line_locked(line_id, actor)
    description = line.description
    line.delete()
    _totals_update(quote)
    _event(quote, actor, "quote_line_remove", line=description)
    return quote


def quote_send(*, quote_id: int, actor, sent_via: str = MessageChannel.SMS) -> Quote:
    """R8, R9: the draft goes to the customer; a revision beyond the free ones only once a
    supervisor authorised it."""
    return transition_run(QUOTE, pk=quote_id, action="send", actor=actor, inputs={"sent_via": sent_via})


def quote_approve(
    *,
    quote_id: int,
    actor,
    approved_by_name: str,
    approval_method: str,
    drawn_signature: str = "",
    signature_upload: UploadedFile | None = None,
) -> Quote:
    """R8, R9: the customer approves the sent version: who, how and, signed on screen, the
    signature image; the lines are frozen from now on."""
    signature = None
    if drawn_signature or signature_upload is not None:
        image = signature_image(drawn=drawn_signature, stamp=signature_upload)
        signature = ContentFile(image.image, name=f"signature.{image.extension}")
    return transition_run(
        QUOTE,
        pk=quote_id,
        action="approve",
        actor=actor,
        inputs={
            "approved_by_name": approved_by_name,
            "approval_method": approval_method,
            "signature": signature,
        },
    )


def quote_reject(*, quote_id: int, actor, reason: str) -> Quote:
    """R8: the customer does not agree; the reason is kept and the quote can be revised."""
    return transition_run(QUOTE, pk=quote_id, action="reject", actor=actor, inputs={"reason": reason})


@transaction.atomic
def quote_revise(*, quote_id: int, actor, reason: str) -> Quote:
    """R8: a new version replaces the quote (sent, rejected, or approved when new findings change
    the work), a draft with the same lines; returns it. Up to `plan_free_revisions()` revisions
    need no authorisation; later ones wait for a supervisor's."""
    transition_run(QUOTE, pk=quote_id, action="revise", actor=actor, inputs={"reason": reason})
    return Quote.objects.select_related("work_order").get(previous_id=quote_id)


def quote_authorise(*, quote_id: int, actor) -> Quote:
    """R8: a supervisor authorises a revision beyond the free ones so that it can be sent."""
    return transition_run(QUOTE, pk=quote_id, action="authorise", actor=actor)


@QUOTE.register_hook
def _next_version(run: TransitionRun) -> None:
    """R8: "revise" draws up the next version with the same lines (their prices as quoted: a new
    price list does not change them unless the line is edited); beyond the free revisions it waits
    for a supervisor (authorised at once when the reviser is one)."""
    if run.transition.name != "revise":
        return
    old: Quote = run.obj
    quote = Quote(
        work_order=old.work_order,
        plan=plan_current(old.work_order),
        version=old.version + 1,
        previous=old,
        revision_reason=run.text("reason"),
        created_by=run.actor,
        total=old.total,
        customer_total=old.customer_total,
        valid_until=timezone.localdate() + timedelta(days=quote_valid_days()),
        needs_authorisation=old.version > plan_free_revisions(),
    )
    if quote.needs_authorisation and QUOTE.permits(QUOTE["authorise"], run.actor, old):
        quote.authorised_by, quote.authorised_at = run.actor, run.now
    quote.save()
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                quote=quote,
                **{
                    field.name: getattr(line, field.name)
                    for field in QuoteLine._meta.concrete_fields
                    if field.name not in ("id", "quote", "created_at", "updated_at")
                },
            )
            for line in old.lines.order_by("position")
        ]
    )
    _event(quote, run.actor, "quote_awaits_authorisation" if quote.awaits_authorisation else "quote_create")
