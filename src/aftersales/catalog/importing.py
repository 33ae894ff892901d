"""Excel import and export of the parts catalog, in one format: what the export writes, the import
reads back (`core.importing` runs the rows: all or nothing, or skip bad rows, with a row report).

A row names its part by number; a number on file is updated, a new one created. Empty cells keep
what is on file (or the default for a new part), except the fits and substitute columns: when the
sheet has them, each row's cell is the whole list (empty clears it). Substitutes may name parts
on file or parts further down the same sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core.excel import Sheet, xlsx_rows
from aftersales.core.importing import (
    ImportReport,
    RowError,
    RowInvalid,
    run_import,
    template_bytes,
    validation_errors,
)
from aftersales.core.pdf import printable_record

from .choices import PartCategory, PartUnit
from .errors import PricesInEffect
from .filtersets import PriceListItemFilterSet
from .models import Part, PriceList, PriceListItem, ProductModel, part_number_normalize
from .selectors import can_read_prices, part_links, price_list_items, price_list_scope
from .services import (
    money_value,
    part_create,
    part_substitute_add,
    part_substitutes_set,
    part_update,
    price_list_item_set,
)

NUMBER, NAME, CATEGORY, UNIT, FITS, SERIALISED, ACTIVE, SUBSTITUTES, BOTH_WAYS = (
    "配件编号",
    "名称",
    "类别",
    "单位",
    "适用型号",
    "序列号管理",
    "启用",
    "替代件",
    "双向替代件",
)
PART_HEADERS = [NUMBER, NAME, CATEGORY, UNIT, FITS, SERIALISED, ACTIVE, SUBSTITUTES, BOTH_WAYS]
PART_REQUIRED = [NUMBER]
PART_COLUMNS = {
    "number": NUMBER,
    "name": NAME,
    "category": CATEGORY,
    "unit": UNIT,
    "serialised": SERIALISED,
    "is_active": ACTIVE,
    "substitute": SUBSTITUTES,
}
# How the columns are described on the import page.
PART_COLUMNS_HELP = (
    "配件编号, 名称, 类别 (普通配件/易损件/耗材), 单位 (个/件/套/米…), 适用型号 (LP-2200、MF-3020), "
    "序列号管理 (是/否), 启用 (是/否), 替代件, 双向替代件"
)
# Lists in a cell: commas (ASCII or Chinese), 、, semicolons or line breaks.
LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", "✗"}
CATEGORY_WORDS = {"普通": PartCategory.NORMAL, "普通件": PartCategory.NORMAL, "易损": PartCategory.WEAR}
# The units as Chinese sheets write them (also their zh-Hans labels); the export writes these.
UNIT_WORDS = {
    "个": PartUnit.PIECE,
    "件": PartUnit.ITEM,
    "套": PartUnit.SET,
    "米": PartUnit.METRE,
    "盒": PartUnit.BOX,
    "卷": PartUnit.ROLL,
    "瓶": PartUnit.BOTTLE,
}
UNIT_CHINESE = {value: word for word, value in UNIT_WORDS.items()}


def _words(choices: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Every way a cell may name a choice: its code and its label in Chinese and in English."""
    words = {value.lower(): value for value in choices.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words.update({str(label).lower(): value for value, label in choices.choices})
    words.update(extra or {})
    return words


def split_list(text: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATORS.split(text or "") if item.strip()]


def parse_flag(text: str) -> bool | None:
    """是/否 (or yes/no, 1/0, √/×) as True/False; None when empty; ValueError otherwise."""
    word = (text or "").strip().lower()
    if not word:
        return None
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(text)


def part_template() -> bytes:
    return template_bytes(PART_HEADERS, "配件导入")


def _file_numbers(upload) -> set[str]:
    """The part numbers a sheet holds (substitutes may name a part of a later row)."""
    try:
        _headers, rows = xlsx_rows(upload)
    except Exception:  # noqa: BLE001 - run_import reports the unreadable file
        return set()
    finally:
        upload.seek(0)
    return {part_number_normalize(str(record.get(NUMBER) or "")) for _n, record in rows} - {""}


@transaction.atomic
def parts_import(*, upload, skip_invalid: bool, actor) -> ImportReport:
    """Create or update (by part number) the parts of an Excel sheet (R12, R32, R36)."""
    in_file = _file_numbers(upload)
    seen: dict[str, int] = {}
    models_by_code = {model.code.upper(): model for model in ProductModel.objects.all()}
    categories = _words(PartCategory, CATEGORY_WORDS)
    units = _words(PartUnit, UNIT_WORDS)
    # Links to parts of later rows: substitute number -> [(part id, both ways)].
    pending: dict[str, list[tuple[int, bool]]] = {}

    def import_row(number: int, values: dict[str, str]) -> None:
        errors: list[tuple[str, str]] = []
        part_number = part_number_normalize(values.get(NUMBER, ""))
        if not part_number:
            errors.append((NUMBER, _("Enter the part number.")))
        elif part_number in seen:
            errors.append((NUMBER, _("Duplicate of row %(row)d in this file.") % {"row": seen[part_number]}))
        else:
            seen[part_number] = number
        existing = Part.objects.filter(number=part_number).first() if part_number else None

        fields: dict[str, Any] = {}
        if values.get(NAME):
            fields["name"] = values[NAME]
        for column, name, words in ((CATEGORY, "category", categories), (UNIT, "unit", units)):
            text = values.get(column, "")
            if text:
                if text.lower() in words:
                    fields[name] = words[text.lower()]
                else:
                    errors.append((column, _("Unknown value “%(value)s”.") % {"value": text}))
        for column, name in ((SERIALISED, "serialised"), (ACTIVE, "is_active")):
            try:
                flag = parse_flag(values.get(column, ""))
            except ValueError:
                errors.append((column, _("Enter 是 (yes) or 否 (no).")))
            else:
                if flag is not None:
                    fields[name] = flag

        fits = None
        if FITS in values:
            codes = split_list(values[FITS])
            unknown = [code for code in codes if code.upper() not in models_by_code]
            if unknown:
                errors.append((FITS, _("Unknown product model: %(codes)s.") % {"codes": "、".join(unknown)}))
            fits = [models_by_code[code.upper()] for code in codes if code.upper() in models_by_code]

        substitutes: dict[str, list[str]] = {}
        for column in (SUBSTITUTES, BOTH_WAYS):
            if column not in values:
                continue
            numbers = [part_number_normalize(text) for text in split_list(values[column])]
            if part_number in numbers:
                errors.append((column, _("A part cannot be its own substitute.")))
            on_file = set(Part.objects.filter(number__in=numbers).values_list("number", flat=True))
            unknown = [n for n in numbers if n not in on_file and n not in in_file]
            if unknown:
                errors.append(
                    (column, _("Unknown part number: %(numbers)s.") % {"numbers": "、".join(unknown)})
                )
            substitutes[column] = numbers

        if errors:
            raise RowInvalid(errors)
        try:
            if existing is None:
                name = fields.pop("name", "")
                part = part_create(number=part_number, name=name, fits=fits or (), actor=actor, **fields)
            else:
                part = part_update(part=existing, fits=fits, actor=actor, **fields)
            if substitutes:
                _substitutes_set(part, substitutes, pending, actor)
            for other_id, both_ways in pending.pop(part.number, []):
                other = Part.objects.get(pk=other_id)
                part_substitute_add(part=other, substitute=part, both_ways=both_ways, actor=actor)
        except ValidationError as error:
            raise RowInvalid(validation_errors(error, PART_COLUMNS, NUMBER)) from error

    return run_import(
        upload=upload, required_headers=PART_REQUIRED, skip_invalid=skip_invalid, import_row=import_row
    )


def _substitutes_set(
    part: Part, substitutes: dict[str, list[str]], pending: dict[str, list[tuple[int, bool]]], actor
) -> None:
    """Set the row's substitutes: those on file now, the others once their row is saved."""
    current = {link[0].number: link[1] for link in part_links(part)}
    one_way_numbers = substitutes.get(SUBSTITUTES)
    both_numbers = substitutes.get(BOTH_WAYS)
    if one_way_numbers is None:  # column absent: the one-way links stay as they are
        one_way_numbers = [number for number, both in current.items() if not both]
    if both_numbers is None:
        both_numbers = [number for number, both in current.items() if both]
    found = {p.number: p for p in Part.objects.filter(number__in=[*one_way_numbers, *both_numbers])}
    part_substitutes_set(
        part=part,
        one_way=[found[n] for n in one_way_numbers if n in found],
        both_ways=[found[n] for n in both_numbers if n in found],
        actor=actor,
    )
    for numbers, both_ways in ((one_way_numbers, False), (both_numbers, True)):
        for number in numbers:
            if number not in found:
                pending.setdefault(number, []).append((part.pk, both_ways))


# --- export ----------------------------------------------------------------------------------------


def part_export_rows(parts: Iterable[Part]) -> Iterator[list[Any]]:
    """The rows of `PART_HEADERS` for these parts (fits prefetched), in Chinese like the headers,
    so the file imports back as it is."""
    with translation.override("zh-hans"):
        for part in parts:
            links = part_links(part)
            yield [
                part.number,
                part.name,
                part.get_category_display(),
                UNIT_CHINESE.get(part.unit, part.unit),
                "、".join(model.code for model in part.fits.all()),
                "是" if part.serialised else "否",
                "是" if part.is_active else "否",
                "、".join(other.number for other, both, _note in links if not both),
                "、".join(other.number for other, both, _note in links if both),
            ]


# --- price list items -------------------------------------------------------------------------------
# One row per part: its number, and its cost price (what HQ charges dealers, R30) and retail price
# (R9). A part already in the list gets the row's prices; the name column is there for people and
# is not read. A list's prices are imported only before it comes into effect.

COST, RETAIL = "成本价", "零售价"
PRICE_HEADERS = [NUMBER, NAME, COST, RETAIL]
PRICE_REQUIRED = [NUMBER, COST, RETAIL]
PRICE_COLUMNS = {"part": NUMBER, "cost_price": COST, "retail_price": RETAIL}
PRICE_COLUMNS_HELP = (
    "配件编号, 名称 (不读取), 成本价 (经销商结算价), 零售价 — 金额单位元，最多两位小数，如 120 或 99.50"
)
# How sheets write amounts besides plain numbers: ¥1,200.00, 1200元.
AMOUNT_NOISE = re.compile(r"[¥￥,，元\s]")


def parse_amount(text: str, column: str) -> tuple[Decimal | None, str]:
    """A price cell as an amount with 2 places, or (None, the reason)."""
    cleaned = AMOUNT_NOISE.sub("", text or "")
    if not cleaned:
        return None, _("Enter the price.")
    try:
        amount = money_value(cleaned, column)
    except ValidationError as error:
        return None, "; ".join(error.messages)
    if amount < 0:
        return None, _("A price cannot be negative.")
    return amount, ""


def price_template() -> bytes:
    return template_bytes(PRICE_HEADERS, "价目表导入")


@transaction.atomic
def price_list_items_import(
    *, price_list_id: int, upload, skip_invalid: bool, actor, today: date | None = None
) -> ImportReport:
    """Set the prices of a price list from an Excel sheet, by part number (R9, R30): unknown part
    numbers, duplicates, negative or malformed amounts are reported by row."""
    price_list = PriceList.objects.get(pk=price_list_id)
    if not price_list.items_editable(today or timezone.localdate()):
        report = ImportReport(skip_invalid=skip_invalid)
        report.errors.append(
            RowError(
                None,
                "",
                _("%(list)s is already in effect: its prices are not changed; revise it instead.")
                % {"list": price_list.label},
            )
        )
        return report
    seen: dict[str, int] = {}
    part_ids: dict[str, int | None] = {}

    def part_id_of(number: str) -> int | None:
        if number not in part_ids:
            part_ids[number] = Part.objects.filter(number=number).values_list("pk", flat=True).first()
        return part_ids[number]

    def import_row(row: int, values: dict[str, str]) -> None:
        errors: list[tuple[str, str]] = []
        number = part_number_normalize(values.get(NUMBER, ""))
        part_id = None
        if not number:
            errors.append((NUMBER, _("Enter the part number.")))
        elif number in seen:
            errors.append((NUMBER, _("Duplicate of row %(row)d in this file.") % {"row": seen[number]}))
        else:
            seen[number] = row
            part_id = part_id_of(number)
            if part_id is None:
                errors.append((NUMBER, _("Unknown part number: %(numbers)s.") % {"numbers": number}))
        amounts: dict[str, Decimal] = {}
        for column, name in ((COST, "cost_price"), (RETAIL, "retail_price")):
            amount, reason = parse_amount(values.get(column, ""), name)
            if amount is None:
                errors.append((column, reason))
            else:
                amounts[name] = amount
        if errors or part_id is None:
            raise RowInvalid(errors)
        try:
            price_list_item_set(
                price_list_id=price_list.pk, part_id=part_id, actor=actor, today=today, **amounts
            )
        except ValidationError as error:
            raise RowInvalid(validation_errors(error, PRICE_COLUMNS, NUMBER)) from error
        except PricesInEffect as error:
            raise RowInvalid([(NUMBER, error.message)]) from error

    return run_import(
        upload=upload, required_headers=PRICE_REQUIRED, skip_invalid=skip_invalid, import_row=import_row
    )


def price_export_rows(items: Iterable[PriceListItem]) -> Iterator[list[Any]]:
    """The rows of `PRICE_HEADERS` for these items (parts selected), importing back as they are."""
    for item in items:
        yield [item.part.number, item.part.name, item.cost_price, item.retail_price]


def _price_list_get(user: Any, price_list_id: int) -> PriceList:
    return price_list_scope(user).get(pk=price_list_id)


def price_list_sheet(request: HttpRequest, price_list_id: int) -> Sheet:
    """The prices of a price list the user may see in the import's format (`price_export_rows`),
    those its page's filters find (`PriceListItemFilterSet`: search, sort, ids): the price list
    page's export (`?export=xlsx`) and the API's. 403 for a role that reads no prices; 404 for a
    list out of the user's scope (a reader sees the active ones only)."""
    price_list = printable_record(
        request.user,
        price_list_id,
        allowed=can_read_prices,
        get=_price_list_get,
        missing=PriceList.DoesNotExist,
    )
    items = PriceListItemFilterSet(request.GET, queryset=price_list_items(price_list), request=request).qs
    return Sheet(
        resource="price_list_items",
        title=price_list.label,
        headers=PRICE_HEADERS,
        rows=price_export_rows(items.iterator(chunk_size=2000)),
    )
