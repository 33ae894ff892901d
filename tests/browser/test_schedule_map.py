"""The map of the day in the browser (issue 12; R12): Leaflet draws the service point, the day's visits
(a popup with the work order, customer, engineer, time and state), each engineer's last check-in and
route; with no tiles configured the markers sit on a plain background, and when the tiles cannot load
they stay in place with a note. The positions are shifted to GCJ-02 when the tiles use it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from tests import factories as f
from tests.field.visit_factories import checked_in
from tests.timeutil import at

from .test_engineer_phone import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 11, 24)


@pytest.fixture
def day_of_visits(db):
    """A Shanghai point, its engineer's two visits on DAY and another engineer seen only the day before."""
    point = f.ServicePointFactory(name="上海浦东服务站", latitude="31.203900", longitude="121.590100")
    zhou = f.EngineerFactory(service_point=point, user__last_name="周", user__first_name="工")
    wu = f.EngineerFactory(service_point=point, user__last_name="吴", user__first_name="工")
    visits = [
        checked_in(zhou, at(2026, 11, 24, 9, 30), "31.230400", "121.473700"),
        checked_in(zhou, at(2026, 11, 24, 14, 0), "31.240000", "121.500000"),
    ]
    checked_in(wu, at(2026, 11, 23, 16, 0), "31.210000", "121.550000")
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)
    return point, visits


def open_map(open_page, live_server, point):
    page = open_page(width=1440, height=900)
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/field/schedule/map/?date={DAY:%Y-%m-%d}&service_point={point.pk}")
    expect(page.get_by_test_id("map-leaflet")).to_have_attribute("data-ready", "1")
    return page


def test_r12_map_draws_the_days_visits_with_leaflet_without_tiles(
    open_page, live_server, settings, day_of_visits
):
    settings.MAP_TILE_URL = ""
    point, (first, second) = day_of_visits
    page = open_map(open_page, live_server, point)

    expect(page.get_by_test_id("map-drawing")).to_be_hidden()  # the server's SVG gave way
    expect(page.locator(".leaflet-marker-icon.map-marker-visit")).to_have_count(2)
    expect(page.locator(".leaflet-marker-icon.map-marker-point")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon.map-marker-checkin")).to_have_count(
        2
    )  # 周's today, 吴's before
    expect(page.locator("path.map-route")).to_have_count(1)
    expect(page.locator(".leaflet-tile")).to_have_count(0)
    expect(page.get_by_test_id("map-leaflet")).to_have_class(re.compile(r"\bschedule-leaflet-plain\b"))

    page.locator(f'.map-marker-visit[title^="{second.number}"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(second.work_order.number)
    expect(popup).to_contain_text(second.work_order.customer.name)
    expect(popup).to_contain_text("周工 · 14:00")
    expect(popup.get_by_role("link", name=second.work_order.number)).to_have_attribute(
        "href", f"/workorders/{second.work_order_id}/"
    )
    assert first.number not in popup.inner_text()


def test_r12_map_keeps_the_positions_when_tiles_cannot_load_and_shifts_them_to_gcj02(
    open_page, live_server, settings, day_of_visits
):
    settings.MAP_TILE_URL = f"{live_server.url}/no-such-tiles/{{z}}/{{x}}/{{y}}.png"  # 404s
    settings.MAP_COORDINATES = "gcj02"
    point, (first, _second) = day_of_visits
    page = open_map(open_page, live_server, point)

    expect(page.get_by_test_id("map-tiles-failed")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon.map-marker-visit")).to_have_count(2)
    # 31.2304, 121.4737 (WGS-84, as stored) is drawn at its GCJ-02 place, about 500 m east
    marker = page.locator(f'.map-marker-visit[title^="{first.number}"]')
    expect(marker).to_have_attribute("data-position", "31.228458,121.478223")
