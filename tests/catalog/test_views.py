"""The parts list and detail pages: search, filters, sort, scoping by role (R37), pages whose cost
does not grow with the rows; the menu entry (R12 parts used, R32 substitutes, R36 categories)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.catalog.services import part_substitute_add
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    lp, mf = (
        f.ProductModelFactory(code="LP-2200", name="黑白激光打印机"),
        f.ProductModelFactory(code="MF-3020"),
    )
    fuser = f.PartFactory(number="FU-2200", name="定影组件", category="wear", fits=[lp])
    roller = f.PartFactory(number="PR-3020", name="搓纸轮", category="wear", fits=[mf])
    toner = f.PartFactory(number="TN-2200", name="墨粉盒", category="consumable", fits=[lp])
    retired = f.PartFactory(number="FU-2200-OLD", name="定影组件（旧版）", category="wear", is_active=False)
    part_substitute_add(part=fuser, substitute=retired, both_ways=True, note="旧版库存用完为止")
    part_substitute_add(part=toner, substitute=roller)
    return type("Catalog", (), dict(lp=lp, mf=mf, fuser=fuser, roller=roller, toner=toner, retired=retired))


def page(client, **params) -> str:
    response = client.get(reverse("catalog:part_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_r36_list_searches_and_filters_by_category_model_and_active(client, supervisor, catalog):
    client.force_login(supervisor)
    html = page(client)
    assert all(n in html for n in ("FU-2200", "PR-3020", "TN-2200", "FU-2200-OLD"))
    html = page(client, q="搓纸")
    assert "PR-3020" in html and "FU-2200" not in html
    html = page(client, q="tn-22")
    assert "TN-2200" in html and "PR-3020" not in html
    html = page(client, category="consumable")
    assert "TN-2200" in html and "FU-2200" not in html
    html = page(client, fits=catalog.lp.pk)
    assert "FU-2200" in html and "TN-2200" in html and "PR-3020" not in html
    html = page(client, active="false")
    assert "FU-2200-OLD" in html and "TN-2200" not in html
    html = page(client, ordering="-number")
    assert html.index("TN-2200") < html.index("PR-3020") < html.index("FU-2200")


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.CLERK, Role.AGENT, Role.DEALER_STAFF])
def test_r37_staff_who_fit_parts_read_the_active_ones(client, make_user, catalog, role):
    client.force_login(make_user(role, username=f"r_{role}"))
    html = page(client)
    assert "FU-2200" in html and "FU-2200-OLD" not in html
    assert "catalog:part_import" not in html and reverse("catalog:part_import") not in html
    assert client.get(reverse("catalog:part_detail", args=[catalog.retired.pk])).status_code == 404
    detail = client.get(reverse("catalog:part_detail", args=[catalog.fuser.pk])).content.decode()
    assert "FU-2200-OLD" not in detail  # a retired substitute is not offered


def test_r37_other_roles_and_strangers_do_not_see_the_catalog(client, make_user, catalog):
    client.force_login(make_user(Role.QUALITY, username="quality"))
    assert client.get(reverse("catalog:part_list")).status_code == 403
    assert client.get(reverse("catalog:part_detail", args=[catalog.fuser.pk])).status_code == 403
    assert 'data-testid="nav-parts"' not in client.get(reverse("home")).content.decode()
    client.logout()
    assert client.get(reverse("catalog:part_list")).status_code == 302


def test_r32_detail_shows_fits_and_substitutes_both_ways(client, supervisor, catalog):
    client.force_login(supervisor)
    html = client.get(reverse("catalog:part_detail", args=[catalog.fuser.pk])).content.decode()
    assert "LP-2200" in html and "黑白激光打印机" in html
    assert "FU-2200-OLD" in html and "旧版库存用完为止" in html and "both ways" in html
    html = client.get(reverse("catalog:part_detail", args=[catalog.retired.pk])).content.decode()
    assert "FU-2200" in html and "Retired" in html  # the two-way link shows from its other end
    html = client.get(reverse("catalog:part_detail", args=[catalog.roller.pk])).content.decode()
    assert "TN-2200" not in html  # one way: the toner may be replaced by the roller, not the reverse
    assert 'data-testid="nav-parts"' in client.get(reverse("home")).content.decode()
    assert reverse("catalog:part_import") in page(client)


def test_list_page_costs_the_same_queries_for_more_parts(client, supervisor):
    models = [f.ProductModelFactory() for _ in range(3)]
    client.force_login(supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client)
        return len(captured)

    f.PartFactory(fits=models[:1])
    few = queries()
    for _ in range(24):
        f.PartFactory(fits=models)
    assert queries() == few
    for _ in range(10):  # a second page
        f.PartFactory(fits=models)
    assert queries() == few
    assert "page=2" in page(client)
