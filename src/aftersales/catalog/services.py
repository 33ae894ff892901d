"""Writes of the catalog: every create, edit and substitute link of a part, every price list,
price and fee standard goes through here (pages, admin, import, API and demo alike), validated with
`full_clean()` inside one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import NotPermitted
from aftersales.core.money import Amount, cny
from aftersales.core.services import changes_record, snapshot
from aftersales.core.transitions import transition_run

from .choices import FeeApproval, FeeUnit, PartCategory, PartUnit
from .errors import NotLatestVersion, PricesInEffect
from .models import (
    FeeSchedule,
    FeeStandard,
    Part,
    PartSubstitute,
    PriceList,
    PriceListItem,
    ProductModel,
    field_error,
    part_number_normalize,
)
from .transitions import FEE_SCHEDULE, may_submit_fee_schedule

# Fields of a part that `part_update` may change (fits and substitutes have their own calls).
PART_FIELDS = frozenset({"number", "name", "category", "unit", "serialised", "is_active", "notes"})


@transaction.atomic
def part_create(
    *,
    number: str,
    name: str,
    category: str = PartCategory.NORMAL,
    unit: str = PartUnit.PIECE,
    fits: Iterable[ProductModel] = (),
    serialised: bool = False,
    is_active: bool = True,
    notes: str = "",
    actor: Any = None,
) -> Part:
    """A new part; its number is normalised (trimmed, upper case) and must be new (R12, R32)."""
    part = Part(
        number=part_number_normalize(number),
        name=name,
        category=category,
        unit=unit,
        serialised=serialised,
        is_active=is_active,
        notes=notes,
    )
    part.full_clean()
    part.save()
    part.fits.set(list(fits))
    return part


@transaction.atomic
def part_update(
    *, part: Part, fits: Iterable[ProductModel] | None = None, actor: Any = None, **fields: Any
) -> Part:
    """Change a part's fields (and, when given, the models it fits); same rules as on creation."""
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise TypeError(f"part_update: unknown fields {sorted(unknown)}")
    if "number" in fields:
        fields["number"] = part_number_normalize(fields["number"])
    for name, value in fields.items():
        setattr(part, name, value)
    part.full_clean()
    part.save()
    if fits is not None:
        part.fits.set(list(fits))
    return part


@transaction.atomic
def part_substitute_add(
    *, part: Part, substitute: Part, both_ways: bool = False, note: str = "", actor: Any = None
) -> PartSubstitute:
    """`substitute` may replace `part` (and the reverse when `both_ways`). A pair already linked
    the other way round is widened to both ways instead of stored twice."""
    if part.pk == substitute.pk:
        raise ValidationError({"substitute": _("A part cannot be its own substitute.")}, code="itself")
    reverse = PartSubstitute.objects.filter(part=substitute, substitute=part).first()
    if both_ways and reverse is not None:
        reverse.both_ways = True
        reverse.note = note or reverse.note
        reverse.full_clean()
        reverse.save()
        return reverse
    link = PartSubstitute.objects.filter(part=part, substitute=substitute).first() or PartSubstitute(
        part=part, substitute=substitute
    )
    link.both_ways = both_ways
    link.note = note or link.note
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def part_substitutes_set(
    *, part: Part, one_way: Iterable[Part], both_ways: Iterable[Part], actor: Any = None
) -> None:
    """Make `part`'s substitutes exactly these (as an import row or an edit form lists them):
    `one_way` may replace the part, `both_ways` may replace it and be replaced by it. Links other
    parts hold one way towards this part are theirs and stay."""
    one_way_ids = {p.pk: p for p in one_way}
    both_ids = {p.pk: p for p in both_ways}
    if part.pk in one_way_ids or part.pk in both_ids:
        raise ValidationError({"substitute": _("A part cannot be its own substitute.")}, code="itself")
    twice = set(one_way_ids) & set(both_ids)
    if twice:
        numbers = "、".join(sorted(both_ids[pk].number for pk in twice))
        raise ValidationError(
            {"substitute": _("Listed both one way and both ways: %(numbers)s.") % {"numbers": numbers}},
            code="twice",
        )
    for link in PartSubstitute.objects.filter(Q(part=part) | Q(substitute=part, both_ways=True)):
        other = link.substitute_id if link.part_id == part.pk else link.part_id
        if link.part_id == part.pk and other in one_way_ids:
            continue  # adjusted below
        if other in both_ids:
            continue
        link.delete()
    for substitute in one_way_ids.values():
        part_substitute_add(part=part, substitute=substitute, both_ways=False, actor=actor)
    for substitute in both_ids.values():
        part_substitute_add(part=part, substitute=substitute, both_ways=True, actor=actor)


# --- price lists ---------------------------------------------------------------------------------

# A price of a new list: (part id, cost price, retail price).
PriceRow = tuple[int, Amount, Amount]
# Header fields of a price list `price_list_update` may change; the first two only before it applies.
PRICE_LIST_FIELDS = frozenset({"effective_from", "province", "effective_until", "is_active", "notes"})
FEE_SCHEDULE_FIELDS = frozenset({"name", "effective_from", "effective_until", "is_active", "notes"})
BEFORE_EFFECT_ONLY = frozenset({"effective_from", "province"})
FEE_STANDARD_FIELDS = frozenset(
    {"kind", "product_line_id", "province", "distance_from_km", "distance_to_km", "unit", "amount", "note"}
)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def money_value(value: Amount, field: str) -> Decimal:
    """An amount as given (Decimal, text or int) with 2 places, or a ValidationError naming the
    field: malformed text and floats are refused, more than 2 decimal places too (never rounded
    silently)."""
    try:
        amount = cny(value)
    except (TypeError, ValueError):
        raise field_error(field, _("Enter an amount such as 120 or 99.50."), code="invalid") from None
    if Decimal(str(value).strip()) != amount:
        raise field_error(field, _("At most 2 decimal places (fen)."), code="invalid")
    return amount


def _price_list_locked(price_list_id: int) -> PriceList:
    return PriceList.objects.select_for_update().get(pk=price_list_id)


def _require_items_editable(price_list: PriceList, today: date | None) -> None:
    if not price_list.items_editable(_today(today)):
        raise PricesInEffect(
            _(
                "%(list)s is in effect since %(day)s: its prices are not changed in place (a quote "
                "may have used them); revise it instead (make a new version)."
            )
            % {"list": price_list.label, "day": price_list.effective_from.isoformat()}
        )


def _item(price_list: PriceList, part_id: int, cost: Amount, retail: Amount) -> PriceListItem:
    return PriceListItem(
        price_list=price_list,
        part_id=part_id,
        cost_price=money_value(cost, "cost_price"),
        retail_price=money_value(retail, "retail_price"),
    )


@transaction.atomic
def price_list_create(
    *,
    name: str,
    effective_from: date,
    effective_until: date | None = None,
    province: str = "",
    is_active: bool = True,
    notes: str = "",
    items: Iterable[PriceRow] = (),
    actor: Any = None,
) -> PriceList:
    """Version 1 of a new price list with its prices (R9, R30); a new list may start on any day,
    since no quote has used it. A name already on file is revised instead (`price_list_revise`)."""
    if PriceList.objects.filter(name=(name or "").strip()).exists():
        raise field_error(
            "name",
            _("A price list of this name exists: make a new version of it instead."),
            code="name_taken",
        )
    price_list = PriceList(
        name=name,
        version=1,
        effective_from=effective_from,
        effective_until=effective_until,
        province=province,
        is_active=is_active,
        notes=notes,
    )
    price_list.full_clean()
    price_list.save()
    rows = [_item(price_list, part_id, cost, retail) for part_id, cost, retail in items]
    seen: set[int] = set()
    for row in rows:
        if row.part_id in seen:
            raise field_error("part", _("A part is priced twice."), code="twice")
        seen.add(row.part_id)
        row.full_clean(validate_constraints=False)
    PriceListItem.objects.bulk_create(rows)
    return price_list


@transaction.atomic
def price_list_update(
    *, price_list_id: int, actor: Any = None, today: date | None = None, **fields: Any
) -> PriceList:
    """Change a list's header: notes, active, its last day at any time (once it applies, not
    before today); its first day and province only before it comes into effect."""
    unknown = set(fields) - PRICE_LIST_FIELDS
    if unknown:
        raise TypeError(f"price_list_update: unknown fields {sorted(unknown)}")
    day = _today(today)
    price_list = _price_list_locked(price_list_id)
    before = snapshot(price_list, fields)
    _header_guard(price_list, fields, day, editable=price_list.items_editable(day))
    for name, value in fields.items():
        setattr(price_list, name, value)
    price_list.full_clean()
    price_list.save()
    changes_record(instance=price_list, before=before, after=snapshot(price_list, fields), actor=actor)
    return price_list


def _header_guard(
    obj: PriceList | FeeSchedule, fields: Mapping[str, Any], day: date, *, editable: bool
) -> None:
    """Once in effect, the past of a dated list is not rewritten."""
    if editable:
        return
    changed = [name for name in BEFORE_EFFECT_ONLY & set(fields) if getattr(obj, name) != fields[name]]
    until = fields.get("effective_until", obj.effective_until)
    if changed or (until != obj.effective_until and until is not None and until < day):
        raise PricesInEffect(
            _("%(list)s is in effect: its start, region and past days are not changed.") % {"list": obj}
        )


@transaction.atomic
def price_list_item_set(
    *,
    price_list_id: int,
    part_id: int,
    cost_price: Amount,
    retail_price: Amount,
    actor: Any = None,
    today: date | None = None,
) -> PriceListItem:
    """Price a part in a list, or change its prices (R9, R30), while the list is not in effect;
    a change is kept in the history (R41)."""
    price_list = _price_list_locked(price_list_id)
    _require_items_editable(price_list, today)
    item = PriceListItem.objects.filter(price_list=price_list, part_id=part_id).first()
    fields = ("cost_price", "retail_price")
    before = snapshot(item, fields) if item is not None else None
    if item is None:
        item = PriceListItem(price_list=price_list, part_id=part_id)
    item.cost_price = money_value(cost_price, "cost_price")
    item.retail_price = money_value(retail_price, "retail_price")
    item.full_clean()
    item.save()
    if before is not None:
        changes_record(instance=item, before=before, after=snapshot(item, fields), actor=actor)
    return item


@transaction.atomic
def price_list_item_remove(
    *, price_list_id: int, part_id: int, actor: Any = None, today: date | None = None
) -> None:
    """Take a part off a list that is not yet in effect."""
    price_list = _price_list_locked(price_list_id)
    _require_items_editable(price_list, today)
    PriceListItem.objects.filter(price_list=price_list, part_id=part_id).delete()


@transaction.atomic
def price_list_revise(
    *, price_list_id: int, effective_from: date, actor: Any = None, today: date | None = None
) -> PriceList:
    """A new version (version + 1) of the latest version of a list, starting `effective_from`
    (after today, so its prices can be edited before it applies), with every item copied. The
    earlier version stays as it was and stops applying the day before; a quote that used it keeps
    its prices (R9). The new version keeps the earlier one's last day when that is later."""
    day = _today(today)
    price_list = _price_list_locked(price_list_id)
    latest = PriceList.objects.filter(name=price_list.name).order_by("-version").first()
    if latest is not None and latest.pk != price_list.pk:
        raise NotLatestVersion(
            _("%(list)s has a later version, %(latest)s: revise that one.")
            % {"list": price_list.label, "latest": latest.label}
        )
    if effective_from <= day or effective_from <= price_list.effective_from:
        raise field_error(
            "effective_from",
            _("A new version starts after today and after %(list)s starts (%(day)s).")
            % {"list": price_list.label, "day": price_list.effective_from.isoformat()},
            code="revision_date",
        )
    until = price_list.effective_until
    revision = PriceList(
        name=price_list.name,
        version=price_list.version + 1,
        effective_from=effective_from,
        effective_until=until if until is not None and until >= effective_from else None,
        province=price_list.province,
        is_active=True,
        notes=price_list.notes,
    )
    revision.full_clean()
    revision.save()
    PriceListItem.objects.bulk_create(
        PriceListItem(
            price_list=revision,
            part_id=item.part_id,
            cost_price=item.cost_price,
            retail_price=item.retail_price,
        )
        for item in price_list.items.order_by("pk")
    )
    if until is None or until >= effective_from:
        before = snapshot(price_list, ["effective_until"])
        price_list.effective_until = effective_from - timedelta(days=1)
        price_list.full_clean()
        price_list.save(update_fields=["effective_until", "updated_at"])
        changes_record(
            instance=price_list, before=before, after=snapshot(price_list, ["effective_until"]), actor=actor
        )
    return revision


# --- fee standards -------------------------------------------------------------------------------


def _require_standards_editable(schedule: FeeSchedule, today: date | None) -> None:
    if not schedule.standards_editable(_today(today)):
        raise PricesInEffect(
            _(
                "%(schedule)s is in effect since %(day)s: its fees are not changed in place (quotes "
                "and warranty cards name it); issue a new edition instead."
            )
            % {"schedule": schedule.name, "day": schedule.effective_from.isoformat()}
        )


def _standard(schedule: FeeSchedule, values: Mapping[str, Any]) -> FeeStandard:
    unknown = set(values) - FEE_STANDARD_FIELDS
    if unknown:
        raise TypeError(f"fee standard: unknown fields {sorted(unknown)}")
    standard = FeeStandard(schedule=schedule, **{k: v for k, v in values.items() if k != "amount"})
    standard.amount = money_value(values.get("amount", ""), "amount")
    return standard


@transaction.atomic
def fee_schedule_create(
    *,
    code: str,
    name: str,
    effective_from: date,
    effective_until: date | None = None,
    is_active: bool = True,
    notes: str = "",
    standards: Iterable[Mapping[str, Any]] = (),
    actor: Any = None,
) -> FeeSchedule:
    """A new edition of the fee standards with its standards (R9, R10): each a mapping of
    kind, amount, unit, product_line_id, province, distance_from_km, distance_to_km, note."""
    schedule = FeeSchedule(
        code=code,
        name=name,
        effective_from=effective_from,
        effective_until=effective_until,
        is_active=is_active,
        notes=notes,
    )
    schedule.full_clean()
    schedule.save()
    for values in standards:
        standard = _standard(schedule, values)
        standard.full_clean()
        standard.save()
    return schedule


@transaction.atomic
def fee_schedule_update(
    *, schedule_id: int, actor: Any = None, today: date | None = None, **fields: Any
) -> FeeSchedule:
    """Change an edition's header (same rules as a price list's: its start only before it applies)."""
    unknown = set(fields) - FEE_SCHEDULE_FIELDS
    if unknown:
        raise TypeError(f"fee_schedule_update: unknown fields {sorted(unknown)}")
    day = _today(today)
    schedule = FeeSchedule.objects.select_for_update().get(pk=schedule_id)
    before = snapshot(schedule, fields)
    _header_guard(schedule, fields, day, editable=schedule.standards_editable(day))
    for name, value in fields.items():
        setattr(schedule, name, value)
    schedule.full_clean()
    schedule.save()
    changes_record(instance=schedule, before=before, after=snapshot(schedule, fields), actor=actor)
    return schedule


@transaction.atomic
def fee_standard_add(
    *,
    schedule_id: int,
    kind: str,
    amount: Amount,
    unit: str = FeeUnit.PER_TIME,
    product_line_id: int | None = None,
    province: str = "",
    distance_from_km: Decimal | None = None,
    distance_to_km: Decimal | None = None,
    note: str = "",
    actor: Any = None,
    today: date | None = None,
) -> FeeStandard:
    """Add a standard to an edition not yet in effect (bands of one scope never overlap)."""
    schedule = FeeSchedule.objects.select_for_update().get(pk=schedule_id)
    _require_standards_editable(schedule, today)
    standard = _standard(
        schedule,
        {
            "kind": kind,
            "amount": amount,
            "unit": unit,
            "product_line_id": product_line_id,
            "province": province,
            "distance_from_km": distance_from_km,
            "distance_to_km": distance_to_km,
            "note": note,
        },
    )
    standard.full_clean()
    standard.save()
    return standard


@transaction.atomic
def fee_standard_update(
    *, standard_id: int, actor: Any = None, today: date | None = None, **fields: Any
) -> FeeStandard:
    """Change a standard of an edition not yet in effect; the change is kept in the history."""
    unknown = set(fields) - FEE_STANDARD_FIELDS
    if unknown:
        raise TypeError(f"fee_standard_update: unknown fields {sorted(unknown)}")
    standard = FeeStandard.objects.select_related("schedule").get(pk=standard_id)
    schedule = FeeSchedule.objects.select_for_update().get(pk=standard.schedule_id)
    _require_standards_editable(schedule, today)
    audited = [name.removesuffix("_id") for name in fields]
    before = snapshot(standard, audited)
    for name, value in fields.items():
        setattr(standard, name, money_value(value, "amount") if name == "amount" else value)
    standard.full_clean()
    standard.save()
    changes_record(instance=standard, before=before, after=snapshot(standard, audited), actor=actor)
    return standard


@transaction.atomic
def fee_standard_remove(*, standard_id: int, actor: Any = None, today: date | None = None) -> None:
    """Take a standard off an edition not yet in effect."""
    standard = FeeStandard.objects.get(pk=standard_id)
    schedule = FeeSchedule.objects.select_for_update().get(pk=standard.schedule_id)
    _require_standards_editable(schedule, today)
    standard.delete()


# --- dealers' local fee standards (R30) ------------------------------------------------------------


@transaction.atomic
def fee_schedule_submit(
    *,
    dealer_id: int,
    code: str,
    name: str,
    effective_from: date,
    effective_until: date | None = None,
    notes: str = "",
    standards: Iterable[Mapping[str, Any]] = (),
    actor: Any,
) -> FeeSchedule:
    """R30: a dealer submits its local fee standard (an edition with its standards, as in
    `fee_schedule_create`) to HQ; it awaits approval and no price is taken from it until then.
    A dealer's staff submit only for their own dealer."""
    if not may_submit_fee_schedule(actor) or (not actor.is_superuser and actor.dealer_id != dealer_id):
        raise NotPermitted(_("Only the dealer's own staff submit its fee standard."))
    rows = list(standards)
    if not rows:
        raise field_error("standards", _("Add at least one fee standard."), code="required")
    schedule = FeeSchedule(
        code=code,
        name=name,
        effective_from=effective_from,
        effective_until=effective_until,
        notes=notes,
        dealer_id=dealer_id,
        approval_state=FeeApproval.SUBMITTED,
        submitted_by=actor,
    )
    schedule.full_clean()
    schedule.save()
    for values in rows:
        standard = _standard(schedule, values)
        standard.full_clean()
        standard.save()
    return schedule


def fee_schedule_approve(*, schedule_id: int, actor: Any, reason: str = "") -> FeeSchedule:
    """R30: HQ approves a dealer's fee standard; pricing uses it for the dealer from now on."""
    inputs = {"reason": reason} if reason else {}
    return transition_run(FEE_SCHEDULE, pk=schedule_id, action="approve", actor=actor, inputs=inputs)


def fee_schedule_reject(*, schedule_id: int, actor: Any, reason: str) -> FeeSchedule:
    """R30: HQ rejects a dealer's fee standard, saying why; it is never used."""
    return transition_run(
        FEE_SCHEDULE, pk=schedule_id, action="reject", actor=actor, inputs={"reason": reason}
    )
