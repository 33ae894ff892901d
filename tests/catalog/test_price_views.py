"""Price list and fee standard pages: the list (filters, search, sort, export), a list's prices
(search, pages, export), a new version from the page, the fee editions with their standards; who
may see and keep them (R37); the menu. R9 (prices itemised from these lists), R10 (editions), R30
(cost prices). The clock is set to 2026-03-01."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.catalog.choices import FeeKind, FeeUnit
from aftersales.catalog.models import PriceList
from aftersales.catalog.services import fee_schedule_create, price_list_create
from tests import factories as f
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with frozen(at(2026, 3, 1, 10, 0)):
        yield


@pytest.fixture
def lists(db):
    fuser = f.PartFactory(number="FU-2200", name="定影组件")
    toner = f.PartFactory(number="TN-2200", name="墨粉盒")
    national = price_list_create(
        name="2026 零售价目表",
        effective_from=date(2026, 1, 1),
        items=[(fuser.pk, "260", "380"), (toner.pk, "120", "199")],
    )
    regional = price_list_create(
        name="广东省价目表",
        province="广东省",
        effective_from=date(2026, 6, 1),
        items=[(toner.pk, "110", "189")],
    )
    old = price_list_create(
        name="2025 零售价目表",
        effective_from=date(2025, 1, 1),
        effective_until=date(2025, 12, 31),
        is_active=False,
    )
    return type("Lists", (), dict(fuser=fuser, toner=toner, national=national, regional=regional, old=old))


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


LIST = reverse("catalog:price_list_list")


def test_r9_price_lists_filter_by_status_region_and_name(client, supervisor, lists):
    client.force_login(supervisor)
    html = page(client, LIST)
    assert all(name in html for name in ("2026 零售价目表", "广东省价目表", "2025 零售价目表"))
    assert 'data-testid="status-in_effect"' in html and 'data-testid="status-upcoming"' in html
    assert "2026 零售价目表" not in page(client, LIST, status="upcoming")
    assert "广东省价目表" in page(client, LIST, status="upcoming")
    html = page(client, LIST, status="in_effect")
    assert "2026 零售价目表" in html and "广东省价目表" not in html and "2025 零售价目表" not in html
    assert "2025 零售价目表" in page(client, LIST, status="inactive")
    html = page(client, LIST, region="广东省")
    assert "广东省价目表" in html and "2026 零售价目表" not in html
    assert "广东省价目表" not in page(client, LIST, region="national")
    html = page(client, LIST, q="广东")
    assert "广东省价目表" in html and "2026 零售价目表" not in html
    html = page(client, LIST, ordering="-effective_from")
    assert html.index("广东省价目表") < html.index("2026 零售价目表") < html.index("2025 零售价目表")


def test_price_lists_export_to_excel(client, supervisor, lists):
    client.force_login(supervisor)
    response = client.get(LIST, {"export": "xlsx", "status": "in_effect"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Name", "Version", "Region")
    assert [row[:3] for row in rows[1:]] == [("2026 零售价目表", "v1", "National")]


def test_r9_r30_a_lists_prices_with_search_pages_and_export(client, supervisor, lists):
    client.force_login(supervisor)
    url = lists.national.get_absolute_url()
    html = page(client, url)
    assert "¥380.00" in html and "¥260.00" in html and "TN-2200" in html
    assert 'data-testid="locked-note"' in html  # in effect: prices are not edited
    assert reverse("catalog:price_list_import", args=[lists.national.pk]) not in html
    html = page(client, url, q="墨粉")
    assert "TN-2200" in html and "FU-2200" not in html
    partial = client.get(url, {"q": "fu-22"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("{% load") is False and 'id="price-items"' in partial
    assert "FU-2200" in partial and "<html" not in partial
    for n in range(60):
        f.PriceListItemFactory(price_list=lists.regional, part=f.PartFactory(number=f"XP-{n:03d}"))
    html = page(client, lists.regional.get_absolute_url())
    assert "61 parts priced" in html and 'data-testid="page-2"' in html
    assert "XP-055" in page(client, lists.regional.get_absolute_url(), page=2)
    assert reverse("catalog:price_list_import", args=[lists.regional.pk]) in html  # upcoming: importable
    response = client.get(url, {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows == [
        ("配件编号", "名称", "成本价", "零售价"),
        ("FU-2200", "定影组件", "260.00", "380.00"),
        ("TN-2200", "墨粉盒", "120.00", "199.00"),
    ]


def test_r9_a_new_version_from_the_page(client, supervisor, lists):
    client.force_login(supervisor)
    url = reverse("catalog:price_list_revise", args=[lists.national.pk])
    response = client.post(url, {"effective_from": "2026-04-01"})
    revision = PriceList.objects.get(name="2026 零售价目表", version=2)
    assert response.status_code == 302 and response["Location"] == revision.get_absolute_url()
    assert revision.items.count() == 2
    html = page(client, revision.get_absolute_url())
    assert "v2" in html and "2026-04-01" in html and 'data-testid="revise-form"' in html
    assert 'data-testid="locked-note"' not in html
    # the earlier version: no more "new version" form there; a second revision of it is refused
    html = page(client, lists.national.get_absolute_url())
    assert 'data-testid="revise-form"' not in html and "2026-03-31" in html
    response = client.post(url, {"effective_from": "2026-05-01"}, follow=True)
    assert "has a later version" in response.content.decode()
    response = client.post(
        reverse("catalog:price_list_revise", args=[revision.pk]),
        {"effective_from": "2026-03-01"},
        follow=True,
    )
    assert "after today" in response.content.decode()
    assert PriceList.objects.filter(name="2026 零售价目表").count() == 2


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.AGENT, Role.DEALER_STAFF, Role.FINANCE])
def test_r37_readers_see_active_lists_and_cannot_revise_or_import(client, make_user, lists, role):
    client.force_login(make_user(role, username=f"r_{role}"))
    html = page(client, LIST)
    assert "2026 零售价目表" in html and "2025 零售价目表" not in html
    assert client.get(lists.old.get_absolute_url()).status_code == 404
    html = page(client, lists.regional.get_absolute_url())
    assert 'data-testid="revise-form"' not in html and 'data-testid="price-import"' not in html
    response = client.post(
        reverse("catalog:price_list_revise", args=[lists.national.pk]), {"effective_from": "2026-04-01"}
    )
    assert response.status_code == 403
    assert client.get(reverse("catalog:price_list_import", args=[lists.regional.pk])).status_code == 403
    assert client.get(reverse("catalog:price_import_template")).status_code == 403
    home = page(client, reverse("home"))
    assert 'data-testid="nav-price-lists"' in home and 'data-testid="nav-fee-schedules"' in home


def test_r37_other_roles_and_strangers_see_no_prices(client, make_user, lists, editions):
    client.force_login(make_user(Role.QUALITY, username="quality"))
    for url in (
        LIST,
        lists.national.get_absolute_url(),
        reverse("catalog:fee_schedule_list"),
        editions[1].get_absolute_url(),
    ):
        assert client.get(url).status_code == 403
    assert 'data-testid="nav-price-lists"' not in page(client, reverse("home"))
    client.logout()
    assert client.get(LIST).status_code == 302


@pytest.fixture
def editions(db):
    line = f.ProductLineFactory(code="PRN", name="打印机")
    old = fee_schedule_create(
        code="2023",
        name="2023版收费标准",
        effective_from=date(2023, 1, 1),
        effective_until=date(2024, 12, 31),
        standards=[{"kind": FeeKind.DIAGNOSIS, "amount": "40"}],
    )
    current = fee_schedule_create(
        code="2025",
        name="2025版收费标准",
        effective_from=date(2025, 1, 1),
        standards=[
            {"kind": FeeKind.DIAGNOSIS, "amount": "50"},
            {"kind": FeeKind.VISIT, "amount": "60", "distance_from_km": 0, "distance_to_km": 20},
            {"kind": FeeKind.VISIT, "amount": "150", "distance_from_km": 50},
            {"kind": FeeKind.LABOUR, "amount": "80", "unit": FeeUnit.PER_HOUR, "product_line_id": line.pk},
        ],
    )
    return old, current


def test_r10_fee_editions_list_and_standards(client, supervisor, editions):
    client.force_login(supervisor)
    url = reverse("catalog:fee_schedule_list")
    html = page(client, url)
    assert "2023版收费标准" in html and "2025版收费标准" in html
    assert 'data-testid="status-ended"' in html and 'data-testid="status-in_effect"' in html
    html = page(client, url, status="in_effect")
    assert "2025版收费标准" in html and "2023版收费标准" not in html
    assert "2025版收费标准" not in page(client, url, q="2023")
    html = page(client, editions[1].get_absolute_url())
    assert html.count('data-testid="fee-row"') == 4
    assert "0–20 km" in html and "50+ km" in html and "打印机" in html and "¥80.00" in html
    assert "per hour" in html and "Every product line" in html
    response = client.get(url, {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert [row[0] for row in rows[1:]] == ["2025", "2023"]


def test_r9_the_admin_shows_the_prices_of_a_list_in_effect_read_only(client, lists, editions):
    client.force_login(f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True))
    for url in (
        "/admin/catalog/pricelist/",
        "/admin/catalog/pricelist/add/",
        f"/admin/catalog/pricelist/{lists.regional.pk}/change/",
        "/admin/catalog/feeschedule/",
        f"/admin/catalog/feeschedule/{editions[1].pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    in_effect = client.get(f"/admin/catalog/pricelist/{lists.national.pk}/change/").content.decode()
    assert 'name="items-0-retail_price"' not in in_effect and 'name="effective_from"' not in in_effect
    upcoming = client.get(f"/admin/catalog/pricelist/{lists.regional.pk}/change/").content.decode()
    assert 'name="items-0-retail_price"' in upcoming
