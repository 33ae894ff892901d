"""Excel import of a price list's prices: by part number, with a row report; unknown parts,
duplicates, negative or malformed amounts refused per row; all or nothing unless bad rows are
skipped; a list already in effect is never changed (R9); the export imports back (R30 cost prices).
Every "today" is passed in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.catalog.importing import PRICE_HEADERS, price_export_rows, price_list_items_import
from aftersales.catalog.selectors import price_list_items
from aftersales.catalog.services import price_list_create
from tests import factories as f
from tests.reference.test_importing import xlsx
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db

D = Decimal
BEFORE = date(2026, 5, 1)  # the list applies from 2026-06-01

GOOD = [
    ["fu-2200", "定影组件", "260", "380.00"],
    ["TN-2200", "", 120.5, "¥1,199.50"],
    ["PR-3020", "搓纸轮", "0", "35"],
]


@pytest.fixture
def price_list(db):
    for number in ("FU-2200", "TN-2200", "PR-3020"):
        f.PartFactory(number=number)
    return price_list_create(name="2026 下半年价目表", effective_from=date(2026, 6, 1))


def prices(price_list) -> dict[str, tuple[Decimal, Decimal]]:
    return {i.part.number: (i.cost_price, i.retail_price) for i in price_list_items(price_list)}


def run(price_list, rows, *, skip_invalid=False, today=BEFORE, headers=PRICE_HEADERS):
    return price_list_items_import(
        price_list_id=price_list.pk,
        upload=xlsx(headers, rows),
        skip_invalid=skip_invalid,
        actor=None,
        today=today,
    )


def test_r9_r30_import_prices_by_part_number(price_list):
    report = run(price_list, GOOD)
    assert report.ok and report.imported == 3, report.errors
    assert prices(price_list) == {
        "FU-2200": (D("260.00"), D("380.00")),
        "TN-2200": (D("120.50"), D("1199.50")),
        "PR-3020": (D("0.00"), D("35.00")),
    }
    # a second sheet updates the parts it names and leaves the others
    report = run(price_list, [["FU-2200", "270", "398"]], headers=["配件编号", "成本价", "零售价"])
    assert report.imported == 1
    assert prices(price_list)["FU-2200"] == (D("270.00"), D("398.00"))
    assert prices(price_list)["PR-3020"] == (D("0.00"), D("35.00"))


@pytest.mark.parametrize(
    "bad_row, column, reason",
    [
        (["NO-SUCH", "", "1", "2"], "配件编号", "NO-SUCH"),
        (["", "", "1", "2"], "配件编号", "part number"),
        (["FU-2200", "", "1", "2"], "配件编号", "row 2"),
        (["XX", "", "-1", "2"], "成本价", "negative"),  # also unknown: reported per column
        (["PR-3020", "", "1", "-0.5"], "零售价", "negative"),
        (["PR-3020", "", "一百", "2"], "成本价", "amount"),
        (["PR-3020", "", "1", "2.345"], "零售价", "2 decimal places"),
        (["PR-3020", "", "", "2"], "成本价", "Enter the price"),
    ],
)
def test_r9_a_bad_row_is_reported_with_its_row_and_reason_and_nothing_is_saved(
    price_list, bad_row, column, reason
):
    report = run(price_list, [GOOD[0], bad_row])
    assert report.imported == 0 and prices(price_list) == {}
    errors = [(e.row, e.column, e.message) for e in report.errors]
    assert any(row == 3 and col == column and reason in message for row, col, message in errors), errors


def test_skipping_bad_rows_keeps_the_good_ones(price_list):
    report = run(
        price_list, [*GOOD, ["NO-SUCH", "", "1", "2"], ["FU-2200", "", "-3", "1"]], skip_invalid=True
    )
    assert report.imported == 3 and report.bad_rows == [5, 6]
    assert set(prices(price_list)) == {"FU-2200", "TN-2200", "PR-3020"}


def test_r9_a_list_in_effect_is_not_imported_into(price_list):
    report = run(price_list, GOOD, today=date(2026, 6, 1))
    assert report.imported == 0 and report.file_errors
    assert "revise it instead" in report.file_errors[0].message
    assert prices(price_list) == {}


def test_missing_columns_and_the_export_importing_back(price_list):
    report = run(price_list, [["FU-2200", "1"]], headers=["配件编号", "成本价"])
    assert report.imported == 0 and "零售价" in report.errors[0].message
    run(price_list, GOOD)
    exported = [[str(cell) for cell in row] for row in price_export_rows(price_list_items(price_list))]
    assert exported[0] == ["FU-2200", "定影组件", "260.00", "380.00"]
    other = price_list_create(name="复制", effective_from=date(2026, 6, 1))
    assert run(other, exported).imported == 3
    assert prices(other) == prices(price_list)


def test_the_import_page_is_for_the_catalogs_keepers(client, make_user, price_list):
    url = reverse("catalog:price_list_import", args=[price_list.pk])
    with frozen(at(2026, 5, 1, 9, 0)):
        client.force_login(make_user(Role.PARTS_CLERK, username="parts"))
        assert client.get(url).status_code == 200
        response = client.post(url, {"file": xlsx(PRICE_HEADERS, GOOD)})
        assert response.status_code == 200 and 'data-testid="import-report"' in response.content.decode()
        assert len(prices(price_list)) == 3
        template = client.get(reverse("catalog:price_import_template"))
        assert template.status_code == 200 and template["Content-Disposition"].endswith('.xlsx"')
        client.force_login(make_user(Role.ENGINEER, username="engineer"))
        assert client.get(url).status_code == 403
