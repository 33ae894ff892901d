"""Excel import and export of parts: row report, all or nothing, re-import by part number, and the
export importing back as it is (R12 parts used, R32 substitutes, R36 part categories)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.catalog.importing import PART_HEADERS, parts_import
from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_links
from aftersales.catalog.services import part_substitute_add
from tests import factories as f
from tests.reference.test_importing import xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    ["fu-2200-a", "定影组件", "易损件", "个", "LP-2200, MF-3020", "是", "是", "", "FU-2200-B"],
    ["FU-2200-B", "定影组件（新版）", "wear", "件", "LP-2200", "否", "", "", ""],
    ["TN-2200", "墨粉盒", "耗材", "", "LP-2200、MF-3020", "", "否", "FU-2200-A", ""],
]


@pytest.fixture
def models(db):
    return [f.ProductModelFactory(code="LP-2200"), f.ProductModelFactory(code="MF-3020")]


@pytest.fixture
def keeper(make_user):
    return make_user(Role.SUPERVISOR, username="keeper")


def links(number: str) -> list[tuple[str, bool]]:
    return [(p.number, both) for p, both, _note in part_links(Part.objects.get(number=number))]


def test_r12_import_creates_parts_with_fits_and_substitutes(models, keeper):
    report = parts_import(upload=xlsx(PART_HEADERS, GOOD), skip_invalid=False, actor=keeper)
    assert report.ok and report.imported == 3, report.errors
    fuser = Part.objects.get(number="FU-2200-A")
    assert (fuser.name, fuser.category, fuser.unit, fuser.serialised) == ("定影组件", "wear", "piece", True)
    assert sorted(m.code for m in fuser.fits.all()) == ["LP-2200", "MF-3020"]
    toner = Part.objects.get(number="TN-2200")
    assert (toner.category, toner.unit, toner.is_active) == ("consumable", "piece", False)
    # a substitute named before its own row is linked once that row is saved
    assert links("FU-2200-A") == [("FU-2200-B", True)]
    assert links("FU-2200-B") == [("FU-2200-A", True)]
    assert links("TN-2200") == [("FU-2200-A", False)]


@pytest.mark.parametrize(
    "bad_row, column, reason",
    [
        (["XX-1", "配件", "", "", "LP-2200, ZZ-9", "", "", "", ""], "适用型号", "ZZ-9"),
        (["XX-1", "配件", "贵重件", "", "", "", "", "", ""], "类别", "贵重件"),
        (["XX-1", "配件", "", "吨", "", "", "", "", ""], "单位", "吨"),
        (["XX-1", "配件", "", "", "", "也许", "", "", ""], "序列号管理", "是"),
        (["XX-1", "", "", "", "", "", "", "", ""], "名称", "blank"),
        (["", "配件", "", "", "", "", "", "", ""], "配件编号", "part number"),
        (["XX-1", "配件", "", "", "", "", "", "NO-SUCH", ""], "替代件", "NO-SUCH"),
        (["XX-1", "配件", "", "", "", "", "", "", "xx-1"], "双向替代件", "own substitute"),
        (["TN-2200", "配件", "", "", "", "", "", "", ""], "配件编号", "row 4"),
    ],
)
def test_r12_a_bad_row_is_reported_with_its_row_and_reason_and_nothing_is_saved(
    models, keeper, bad_row, column, reason
):
    report = parts_import(upload=xlsx(PART_HEADERS, [*GOOD, bad_row]), skip_invalid=False, actor=keeper)
    assert report.imported == 0 and not Part.objects.exists()
    assert [(e.row, e.column) for e in report.errors] == [(5, column)]
    assert reason in report.errors[0].message


def test_r12_skipping_bad_rows_keeps_nothing_of_the_bad_row(models, keeper):
    bad = ["XX-1", "配件", "易损件", "", "LP-2200", "", "", "FU-2200-A", "ZZ-1"]
    report = parts_import(upload=xlsx(PART_HEADERS, [*GOOD, bad]), skip_invalid=True, actor=keeper)
    assert report.imported == 3 and report.bad_rows == [5]
    assert not Part.objects.filter(number="XX-1").exists()
    assert "XX-1" not in [p.number for p, _b, _n in part_links(Part.objects.get(number="FU-2200-A"))]


def test_r12_unknown_model_code_is_reported(models, keeper):
    rows = [["A-1", "主板", "", "", "LP-9999", "", "", "", ""]]
    report = parts_import(upload=xlsx(PART_HEADERS, rows), skip_invalid=False, actor=keeper)
    assert [(e.row, e.column) for e in report.errors] == [(2, "适用型号")]
    assert "LP-9999" in report.errors[0].message


def test_r12_reimport_updates_by_part_number(models, keeper):
    parts_import(upload=xlsx(PART_HEADERS, GOOD), skip_invalid=False, actor=keeper)
    rows = [["Fu-2200-a ", "定影组件 220V", "普通配件", "套", "MF-3020", "否", "", "TN-2200", ""]]
    report = parts_import(upload=xlsx(PART_HEADERS, rows), skip_invalid=False, actor=keeper)
    assert report.ok and report.imported == 1
    assert Part.objects.count() == 3
    fuser = Part.objects.get(number="FU-2200-A")
    assert (fuser.name, fuser.category, fuser.unit, fuser.serialised) == (
        "定影组件 220V",
        "normal",
        "set",
        False,
    )
    assert [m.code for m in fuser.fits.all()] == ["MF-3020"]
    assert links("FU-2200-A") == [("TN-2200", False)]  # the sheet's lists replace the old ones
    # a sheet without the optional columns changes only what it has
    report = parts_import(
        upload=xlsx(["配件编号", "名称"], [["FU-2200-A", "定影器"]]), skip_invalid=False, actor=keeper
    )
    fuser.refresh_from_db()
    assert report.ok and fuser.name == "定影器" and [m.code for m in fuser.fits.all()] == ["MF-3020"]
    assert links("FU-2200-A") == [("TN-2200", False)]


def test_r12_export_imports_back_as_it_is(client, models, keeper):
    a = f.PartFactory(number="FU-1", name="定影组件", category="wear", serialised=True, fits=models)
    b = f.PartFactory(number="FU-2", name="定影组件（新版）", unit="set", fits=[models[0]])
    c = f.PartFactory(number="TN-1", name="墨粉盒", category="consumable", is_active=False)
    part_substitute_add(part=a, substitute=b, both_ways=True)
    part_substitute_add(part=c, substitute=a)
    client.force_login(keeper)
    response = client.get(reverse("catalog:part_list"), {"export": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == PART_HEADERS
    assert list(rows[1]) == ["FU-1", "定影组件", "易损件", "个", "LP-2200、MF-3020", "是", "是", None, "FU-2"]

    def snapshot():
        return [
            (
                p.number,
                p.name,
                p.category,
                p.unit,
                p.serialised,
                p.is_active,
                sorted(m.code for m in p.fits.all()),
            )
            for p in Part.objects.order_by("number")
        ], {p.number: links(p.number) for p in Part.objects.all()}

    before = snapshot()
    Part.objects.all().delete()
    report = parts_import(upload=SimpleUploadedFile("parts.xlsx", content), skip_invalid=False, actor=keeper)
    assert report.ok and report.imported == 3, report.errors
    assert snapshot() == before


def test_r37_import_page_for_catalog_keepers_only(client, make_user, models, keeper):
    client.force_login(keeper)
    assert client.get(reverse("catalog:part_import")).status_code == 200
    template = client.get(reverse("catalog:part_import_template"))
    assert next(load_workbook(BytesIO(template.content)).active.iter_rows(values_only=True))[0] == "配件编号"
    response = client.post(reverse("catalog:part_import"), {"file": xlsx(PART_HEADERS, GOOD[1:2])})
    assert response.status_code == 200 and Part.objects.filter(number="FU-2200-B").exists()
    for role in (Role.ENGINEER, Role.AGENT, Role.DEALER_STAFF, Role.FINANCE):
        client.force_login(make_user(role, username=f"r_{role}"))
        assert client.get(reverse("catalog:part_import")).status_code == 403
        assert (
            client.post(reverse("catalog:part_import"), {"file": xlsx(PART_HEADERS, GOOD)}).status_code == 403
        )
        assert client.get(reverse("catalog:part_import_template")).status_code == 403
    assert Part.objects.count() == 1
