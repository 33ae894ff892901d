"""Dispatch suggestion (R5, R38): covering/nearest point, product line, qualified free engineer
with the lowest load, and an explanation naming the factors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.field.models import EngineerLeave, ServiceArea
from aftersales.field.selectors import dispatch_suggest
from aftersales.field.suggestions import _engineers
from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r5_district_beats_city_beats_province(order, point, qualify):
    province_point = point(code="P1", city="", district="")
    ServiceArea.objects.create(service_point=province_point, province="上海市")
    city_point = point(code="P2")
    ServiceArea.objects.create(service_point=city_point, province="上海市", city="上海市")
    district_point = point(code="P3", district="浦东新区")
    ServiceArea.objects.create(
        service_point=district_point, province="上海市", city="上海市", district="徐汇区"
    )
    for p in (province_point, city_point, district_point):
        qualify(f.EngineerFactory(service_point=p))
    suggestion = dispatch_suggest(order)
    assert suggestion.point == district_point
    assert [c.point for c in suggestion.candidates] == [district_point, city_point, province_point]
    district_point.is_active = False
    district_point.save()
    assert dispatch_suggest(order).point == city_point


def test_r5_point_without_areas_covers_its_own_region_and_other_provinces_are_out(order, point, qualify):
    own = point(code="OWN", district="徐汇区")
    elsewhere = point(code="JS", province="江苏省", city="南京市")
    qualify(f.EngineerFactory(service_point=own))
    qualify(f.EngineerFactory(service_point=elsewhere))
    suggestion = dispatch_suggest(order)
    assert suggestion.point == own
    assert elsewhere not in [c.point for c in suggestion.candidates]


def test_r5_nearer_point_wins_when_coverage_ties(order, point, qualify):
    far = point(code="FAR", latitude="31.400000", longitude="121.800000")
    near = point(code="NEAR", latitude="31.190000", longitude="121.440000")
    qualify(f.EngineerFactory(service_point=far))
    qualify(f.EngineerFactory(service_point=near))
    suggestion = dispatch_suggest(order, origin=(31.18, 121.43))
    assert suggestion.point == near
    assert suggestion.chosen.distance_km < 5
    assert "km" in suggestion.explanation
    # without coordinates the tie is broken by code, stably
    assert dispatch_suggest(order).point == far


def test_r5_point_must_serve_the_product_line(order, point, qualify, line):
    other_line = f.ProductLineFactory(code="SCN")
    wrong = point(code="A-WRONG")
    wrong.product_lines.add(other_line)
    right = point(code="B-RIGHT")
    right.product_lines.add(line)
    qualify(f.EngineerFactory(service_point=wrong))
    qualify(f.EngineerFactory(service_point=right))
    suggestion = dispatch_suggest(order)
    assert suggestion.point == right
    assert [c.point for c in suggestion.candidates] == [right]


def test_r38_only_a_qualified_engineer_is_suggested(order, point, qualify, today):
    sp = point()
    f.EngineerFactory(service_point=sp, employee_no="E-NONE")
    expired = f.EngineerFactory(service_point=sp, employee_no="E-EXP")
    qualify(expired, certified_on=today - timedelta(days=800), expires_on=today - timedelta(days=1))
    assert dispatch_suggest(order).engineer is None
    assert "No qualified engineer" in dispatch_suggest(order).explanation
    good = f.EngineerFactory(service_point=sp, employee_no="E-OK")
    qualify(good)
    suggestion = dispatch_suggest(order)
    assert suggestion.engineer == good
    assert {e.engineer for e in suggestion.eligible_engineers} == {good}
    reasons = " ".join(r for e in suggestion.chosen.engineers for r in e.reasons)
    assert "expired on" in reasons and "not qualified" in reasons


def test_r38_on_leave_excluded_and_lowest_load_wins(order, point, qualify, today, customer):
    sp = point()
    busy, free, away = (f.EngineerFactory(service_point=sp, employee_no=n) for n in ("E1", "E2", "E3"))
    for engineer in (busy, free, away):
        qualify(engineer)
    EngineerLeave.objects.create(engineer=away, start=today, end=today + timedelta(days=2), reason="年假")
    for _ in range(2):
        f.WorkOrderFactory(customer=customer, service_point=sp, engineer=busy, state=State.IN_SERVICE)
    f.WorkOrderFactory(customer=customer, service_point=sp, engineer=free, state=State.ASSIGNED)
    f.WorkOrderFactory(customer=customer, service_point=sp, engineer=busy, state=State.CLOSED)
    suggestion = dispatch_suggest(order)
    assert suggestion.engineer == free
    loads = {e.engineer: e.load for e in suggestion.chosen.engineers}
    assert loads == {busy: 2, free: 1, away: 0}
    assert "on leave today" in " ".join(r for e in suggestion.chosen.engineers for r in e.reasons)


def test_r5_falls_back_to_the_next_point_with_a_qualified_engineer(order, point, qualify):
    best = point(code="A", district="徐汇区")
    f.EngineerFactory(service_point=best)  # unqualified
    second = point(code="B")
    engineer = f.EngineerFactory(service_point=second)
    qualify(engineer)
    suggestion = dispatch_suggest(order)
    assert (suggestion.point, suggestion.engineer) == (second, engineer)
    assert "has no qualified engineer" in suggestion.explanation


def test_r5_explanation_names_region_distance_line_load_and_qualification(order, point, qualify):
    sp = point(district="徐汇区", latitude="31.190000", longitude="121.440000")
    qualify(f.EngineerFactory(service_point=sp))
    suggestion = dispatch_suggest(order, origin=(31.2, 121.45))
    text = suggestion.explanation
    for factor in (
        "district covered",
        "km away",
        "serves all product lines",
        "open work orders",
        "qualified for",
    ):
        assert factor in text, factor
    chosen = suggestion.chosen
    assert chosen.region_level == 3 and chosen.distance_km is not None and chosen.load == 0


def test_r5_suggestion_queries_are_bounded(order, point, qualify, django_assert_max_num_queries):
    for i in range(12):
        sp = point(code=f"Q{i:02d}")
        for _ in range(3):
            qualify(f.EngineerFactory(service_point=sp))
    # points, areas, lines and the calendars (with their hours and exceptions) are read into
    # memory once (core/reference.py); then engineers, qualifications, booked appointments
    with django_assert_max_num_queries(10):  # + the official holiday schedule (sla)
        dispatch_suggest(order)
    with django_assert_max_num_queries(3):
        suggestion = dispatch_suggest(order)
        assert suggestion.engineer is not None
        assert suggestion.explanation


def test_r5_r38_routing_reads_each_engineer_once_with_load_leave_and_their_qualifications(point):
    """The engineers' read (one statement of plain SQL, issue 9): each active engineer once, in
    employee order, with the open work counted (not closed work), today's leave, and every
    qualification. The people stay in memory: the next read asks only for load and leave, and
    gives the same engineers; a change to an engineer makes every process read them again."""
    day = date(2026, 12, 7)
    sp = point(code="ENG")
    printers, copiers, scanners = (f.ProductLineFactory(code=code) for code in ("PRN", "CPY", "SCN"))
    both = f.EngineerFactory(service_point=sp, employee_no="E1")
    none = f.EngineerFactory(service_point=sp, employee_no="E2")
    f.EngineerFactory(service_point=sp, employee_no="E0", is_active=False)
    for line in (printers, copiers):
        f.QualificationFactory(engineer=both, product_line=line)
    f.WorkOrderFactory(service_point=sp, engineer=both, state=State.IN_SERVICE)
    f.WorkOrderFactory(service_point=sp, engineer=both, state=State.CLOSED)
    EngineerLeave.objects.create(engineer=none, start=day, end=day + timedelta(days=2))

    with CaptureQueriesContext(connection) as queries:
        rows = _engineers({sp.pk: sp}, day)[sp.pk]
        names = [str(routed.engineer) for routed in rows]
    assert len(queries.captured_queries) == 1
    assert [r.engineer.employee_no for r in rows] == ["E1", "E2"] and names == [str(both), str(none)]
    first, second = rows
    assert (first.open_load, first.is_on_leave, second.open_load, second.is_on_leave) == (1, False, 0, True)
    qualified = sorted(q.product_line_id for q in first.engineer.line_qualifications)
    assert qualified == sorted([printers.pk, copiers.pk])
    assert second.engineer.line_qualifications == () and first.engineer.service_point is sp

    f.WorkOrderFactory(service_point=sp, engineer=none, state=State.IN_SERVICE)
    with CaptureQueriesContext(connection) as queries:
        again = _engineers({sp.pk: sp}, day)[sp.pk]
    assert len(queries.captured_queries) == 1 and "first_name" not in queries.captured_queries[0]["sql"]
    assert [r.engineer for r in again] == [first.engineer, second.engineer]
    assert again[0].engineer is first.engineer and again[1].open_load == 1  # people kept, load read

    f.QualificationFactory(engineer=none, product_line=scanners)
    renewed = _engineers({sp.pk: sp}, day)[sp.pk]
    assert [q.product_line_id for q in renewed[1].engineer.line_qualifications] == [scanners.pk]


# Issue 12: never a far-away point when one at or near the covering point can serve (R5, R38) ------

HZ, NB, WZ = ("30.278300", "120.128400"), ("29.868300", "121.544000"), ("27.993800", "120.699400")
SH, WH = ("31.230400", "121.473700"), ("30.590700", "114.266000")


@pytest.fixture
def zhejiang(point, qualify, line):
    """A Hangzhou customer's work order; a Hangzhou point covering the city; a Wuhan point whose
    code comes first and whose engineer is idle."""

    def at(code, province, city, where, **kwargs):
        return point(code=code, province=province, city=city, latitude=where[0], longitude=where[1], **kwargs)

    customer = f.CustomerFactory(province="浙江省", city="杭州市", district="西湖区")
    order = f.WorkOrderFactory(
        customer=customer,
        product_model=f.ProductModelFactory(product_line=line),
        service_point=None,
        state=State.ACCEPTED,
    )
    wuhan = at("A-WH", "湖北省", "武汉市", WH)
    idle = f.EngineerFactory(service_point=wuhan, employee_no="WH-1")
    qualify(idle)
    return type("Zhejiang", (), dict(order=order, at=at, wuhan=wuhan, wuhan_engineer=idle))


def _busy(engineer, n):
    for _ in range(n):
        f.WorkOrderFactory(service_point=engineer.service_point, engineer=engineer, state=State.ASSIGNED)


def test_r5_r38_board_never_offers_a_hangzhou_order_a_wuhan_engineer(zhejiang, qualify):
    """The board ranks every row on its own: a Wuhan work order on the same page does not bring the
    Wuhan point into a Hangzhou work order's candidates; the nearest covering point with a
    qualified engineer is suggested (Ningbo), and no other province's."""
    from aftersales.field.selectors import dispatch_route_many
    from aftersales.field.suggestions import dispatch_suggest_many

    hangzhou = zhejiang.at("HZ", "浙江省", "杭州市", HZ)
    f.EngineerFactory(service_point=hangzhou, employee_no="HZ-1")  # not qualified (R38)
    ningbo = zhejiang.at("NB", "浙江省", "宁波市", NB)
    busy = f.EngineerFactory(service_point=ningbo, employee_no="NB-1")
    qualify(busy)
    _busy(busy, 3)
    wuhan_order = f.WorkOrderFactory(
        customer=f.CustomerFactory(province="湖北省", city="武汉市", district="江汉区"),
        product_model=zhejiang.order.product_model,
        service_point=None,
        state=State.ACCEPTED,
    )
    for run in (dispatch_route_many, dispatch_suggest_many):
        result = run([zhejiang.order, wuhan_order])
        suggestion = result[zhejiang.order.pk]
        assert (suggestion.point, suggestion.engineer) == (ningbo, busy), run.__name__
        assert zhejiang.wuhan not in [c.point for c in suggestion.candidates]
        assert result[wuhan_order.pk].engineer == zhejiang.wuhan_engineer
    assert [e.engineer for e in dispatch_suggest(zhejiang.order).eligible_engineers] == [busy]


def _covering_point_without_the_line(zhejiang, qualify):
    """The Hangzhou point serves another line only; a Shanghai point serves the work order's."""
    other_line = f.ProductLineFactory(code="SCN")
    hangzhou = zhejiang.at("HZ", "浙江省", "杭州市", HZ)
    hangzhou.product_lines.add(other_line)
    qualify(f.EngineerFactory(service_point=hangzhou))
    shanghai = zhejiang.at("SH", "上海市", "上海市", SH)
    near = f.EngineerFactory(service_point=shanghai, employee_no="SH-1")
    qualify(near)
    _busy(near, 2)
    return shanghai, near


def test_r5_when_the_covering_point_does_not_serve_the_line_the_nearest_one_does(zhejiang, qualify):
    """R5: the Hangzhou point does not serve the product line; of the points that do, the one
    nearest the covering point (Shanghai) is suggested, not the first by code (Wuhan), and why says
    how far it is from the covering point."""
    shanghai, near = _covering_point_without_the_line(zhejiang, qualify)
    suggestion = dispatch_suggest(zhejiang.order)
    assert (suggestion.point, suggestion.engineer) == (shanghai, near)
    assert [c.point for c in suggestion.candidates] == [shanghai, zhejiang.wuhan]
    assert suggestion.chosen.distance_km is None and 150 < suggestion.chosen.covering_km < 200
    assert "km from the point covering" in suggestion.explanation
    assert [e.engineer for e in suggestion.eligible_engineers] == [near, zhejiang.wuhan_engineer]


def test_r5_api_says_how_far_a_fallback_is_from_the_covering_point(zhejiang, qualify, api_client, dispatcher):
    _covering_point_without_the_line(zhejiang, qualify)
    body = api_client(dispatcher).get(f"/api/dispatch/{zhejiang.order.pk}/").json()
    first = body["candidates"][0]
    assert first["distance_km"] is None and 150 < first["covering_km"] < 200


def test_r5_r38_assign_choices_list_the_covering_points_engineers_first_then_others_by_distance(
    zhejiang, qualify, client, dispatcher
):
    """The engineer choice of the board's assign form: the chosen (covering) point's qualified
    engineers first, then the other points' by their distance from it (Ningbo before Wenzhou),
    whatever their load; the unqualified never."""
    hangzhou = zhejiang.at("HZ", "浙江省", "杭州市", HZ)
    own = f.EngineerFactory(service_point=hangzhou, employee_no="HZ-1")
    qualify(own)
    _busy(own, 4)
    f.EngineerFactory(service_point=hangzhou, employee_no="HZ-0")  # not qualified
    ningbo = zhejiang.at("NB", "浙江省", "宁波市", NB)
    ningbo_engineer = f.EngineerFactory(service_point=ningbo, employee_no="NB-1")
    qualify(ningbo_engineer)
    _busy(ningbo_engineer, 2)
    wenzhou = zhejiang.at("A-WZ", "浙江省", "温州市", WZ)
    wenzhou_engineer = f.EngineerFactory(service_point=wenzhou, employee_no="WZ-1")
    qualify(wenzhou_engineer)
    suggestion = dispatch_suggest(zhejiang.order)
    assert suggestion.point == hangzhou and suggestion.engineer == own
    expected = [own, ningbo_engineer, wenzhou_engineer]
    assert [e.engineer for e in suggestion.eligible_engineers] == expected
    client.force_login(dispatcher)
    html = client.get("/field/dispatch/").content.decode()
    row = html[html.index(f'data-number="{zhejiang.order.number}"') :]
    select = row[row.index('data-testid="assign-engineer"') : row.index("</select>")]
    positions = [select.index(f'value="{e.pk}"') for e in expected]
    assert positions == sorted(positions) and f'value="{zhejiang.wuhan_engineer.pk}"' not in select


def test_r5_a_work_order_done_elsewhere_is_routed_by_its_service_address(order, point, qualify):
    """Issue 12: the customer is in Shanghai (徐汇区) but the device is at its Hangzhou branch: the
    work order's service address decides the point, not the customer's."""
    shanghai = point(code="SH", district="徐汇区")
    hangzhou = point(code="HZ", province="浙江省", city="杭州市", district="西湖区")
    for p in (shanghai, hangzhou):
        qualify(f.EngineerFactory(service_point=p))
    assert dispatch_suggest(order).point == shanghai
    order.service_province, order.service_city, order.service_district = "浙江省", "杭州市", "西湖区"
    order.save()
    assert dispatch_suggest(order).point == hangzhou
