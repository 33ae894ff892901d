"""Reorder points and stock alerts (R32): one alert per crossing (by projected quantity: what is in
transit counts), told to the parts clerks once, resolved when stock is back above the point; the
rules kept on a page and in the API; and the nightly check that every balance is the sum of its
moves, told to the HQ admins and never "fixed"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError
from aftersales.notifications.models import Message, Notification
from aftersales.parts.models import ReorderRule, StockAlert, StockBalance
from aftersales.parts.services import stock
from aftersales.parts.services.alerts import (
    alerts_check,
    ledger_check,
    reorder_rule_create,
    reorder_rule_delete,
    reorder_rule_update,
)
from aftersales.parts.services.transfers import transfer_create, transfer_transition
from aftersales.parts.tasks import stock_ledger_check

from .. import factories as f
from ..api.helpers import assert_problem
from .stock_world import stock_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = stock_world()
    world.receive(world.a.store, 10, "10.00")
    reorder_rule_create(warehouse=world.a.store, part=world.part, minimum=3, target=12, actor=world.clerk)
    return world


def issue(w, quantity: int):
    return stock.issue(warehouse=w.a.store, part=w.part, quantity=quantity, actor=w.a.staff)


def alerts(w):
    return list(StockAlert.objects.filter(warehouse=w.a.store, part=w.part).order_by("id"))


def test_r32_one_alert_per_crossing_not_one_per_movement(w):
    issue(w, 6)  # 4 left: above the point
    assert alerts(w) == []
    issue(w, 1)  # 3: at the point
    issue(w, 1)  # 2: still low
    issue(w, 1)  # 1
    [alert] = alerts(w)
    assert (alert.projected, alert.minimum, alert.suggested_quantity, alert.resolved_at) == (3, 3, 9, None)


def test_r32_the_parts_clerks_are_told_once_under_the_bell_and_by_e_mail(w):
    other_clerk = f.UserFactory(role=Role.PARTS_CLERK, username="parts2", email="parts2@example.cn")
    issue(w, 7)
    issue(w, 1)
    [alert] = alerts(w)
    notices = Notification.objects.filter(key=f"stock-alert:{alert.pk}")
    assert sorted(n.recipient_id for n in notices) == sorted([w.clerk.pk, other_clerk.pk, w.a.staff.pk])
    assert "FU-3600" in notices.get(recipient=w.clerk).shown_title
    assert (
        Message.objects.filter(
            idempotency_key__startswith=f"stock-alert:{alert.pk}:", recipient="parts@example.cn"
        ).count()
        == 1
    )
    assert not Notification.objects.filter(recipient=w.b.staff).exists()  # another dealer hears nothing


def test_r32_the_alert_is_resolved_once_stock_is_back_above_the_point_and_a_new_crossing_opens_another(w):
    issue(w, 8)
    [first] = alerts(w)
    w.receive(w.a.store, 1)  # 3: still at the point
    first.refresh_from_db()
    assert first.resolved_at is None
    w.receive(w.a.store, 5)  # 8: above
    first.refresh_from_db()
    assert first.resolved_at is not None
    issue(w, 6)  # 2: a new crossing
    assert [a.resolved_at is None for a in alerts(w)] == [False, True]


def test_r32_parts_in_transit_count_towards_the_projected_quantity(w):
    issue(w, 7)  # 3: low
    w.receive(w.hq, 5)
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 5)], actor=w.clerk)
    transfer_transition(transfer_id=transfer.pk, action="ship", actor=w.clerk)
    [alert] = alerts(w)
    assert alert.resolved_at is not None  # 3 on hand + 5 on their way
    assert StockBalance.objects.get(warehouse=w.a.store, part=w.part).on_hand == 3


def test_r32_a_rule_is_checked_at_once_and_deleting_it_resolves_its_alert(w):
    rule = ReorderRule.objects.get(warehouse=w.a.store, part=w.part)
    reorder_rule_update(rule_id=rule.pk, minimum=10, target=20, actor=w.clerk)
    [alert] = alerts(w)
    assert (alert.projected, alert.suggested_quantity) == (10, 10)
    reorder_rule_delete(rule_id=rule.pk, actor=w.clerk)
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_r32_a_rule_orders_up_to_more_than_its_point(w):
    with pytest.raises(DomainError) as refused:
        reorder_rule_create(warehouse=w.a.van, part=w.part, minimum=5, target=5, actor=w.clerk)
    assert refused.value.field == "target"


def test_r32_checking_alerts_costs_one_query_when_no_touched_balance_has_a_rule(w):
    w.receive(w.a.van, 1, part=w.substitute)
    balance = StockBalance.objects.get(warehouse=w.a.van, part=w.substitute)
    with CaptureQueriesContext(connection) as queries:
        alerts_check([balance])
    assert len(queries) == 1


def test_r32_the_rule_pages_and_api_keep_reorder_points(w, client, api_client):
    client.force_login(w.a.staff)
    response = client.post(
        "/parts/reorder-rules/new/",
        {"warehouse": w.a.van.pk, "part": w.part.pk, "minimum": "1", "target": "4"},
    )
    assert response.status_code == 302
    rule = ReorderRule.objects.get(warehouse=w.a.van)
    page = client.get("/parts/reorder-rules/").content.decode()
    assert w.a.van.name in page
    assert client.post(f"/parts/reorder-rules/{rule.pk}/", {"minimum": "2", "target": "6"}).status_code == 302
    rule.refresh_from_db()
    assert (rule.minimum, rule.target) == (2, 6)

    api = api_client(w.clerk)
    created = api.post(
        "/api/stock/reorder-rules/",
        {"warehouse": w.b.store.pk, "part": w.part.pk, "minimum": 2, "target": 8},
        format="json",
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert (
        api.patch(f"/api/stock/reorder-rules/{rule_id}/", {"minimum": 1, "target": 9}, format="json").json()[
            "target"
        ]
        == 9
    )
    assert_problem(
        api.post(
            "/api/stock/reorder-rules/",
            {"warehouse": w.b.store.pk, "part": w.part.pk, "minimum": 2, "target": 8},
            format="json",
        ),
        400,
        field="part",
        code="rule_exists",
    )
    assert api.delete(f"/api/stock/reorder-rules/{rule_id}/").status_code == 204
    # another dealer's rule is not theirs to see or change
    assert api_client(w.a.staff).get(f"/api/stock/reorder-rules/{rule.pk}/").status_code == 200
    other = ReorderRule.objects.create(warehouse=w.b.store, part=w.part, minimum=1, target=2)
    assert (
        api_client(w.a.staff)
        .patch(f"/api/stock/reorder-rules/{other.pk}/", {"minimum": 1, "target": 3}, format="json")
        .status_code
        == 404
    )


def test_r32_the_alerts_page_and_api_list_the_open_alerts(w, client, api_client):
    issue(w, 8)
    client.force_login(w.clerk)
    page = client.get("/parts/alerts/?open=true").content.decode()
    assert "FU-3600" in page and 'data-testid="alert-state"' in page
    body = api_client(w.a.staff).get("/api/stock/alerts/?open=true").json()
    assert body["count"] == 1 and body["results"][0]["suggested_quantity"] == 10
    assert api_client(w.b.staff).get("/api/stock/alerts/").json()["count"] == 0


def test_r32_the_nightly_ledger_check_reports_a_balance_that_is_not_its_moves_and_changes_nothing(w):
    admin = f.UserFactory(role=Role.HQ_ADMIN, username="hqadmin")
    assert stock_ledger_check.delay().get() == 0
    StockBalance.objects.filter(warehouse=w.a.store, part=w.part).update(on_hand=11, value=Decimal("110.01"))

    [mismatch] = ledger_check()
    assert (mismatch.on_hand, mismatch.ledger_quantity, mismatch.ledger_value) == (11, 10, Decimal("100.00"))
    notice = Notification.objects.get(recipient=admin)
    assert "FU-3600" in notice.shown_title
    assert StockBalance.objects.get(warehouse=w.a.store, part=w.part).on_hand == 11  # never "fixed"
    ledger_check()  # the same day: told once
    assert Notification.objects.filter(recipient=admin).count() == 1


def test_r32_the_ledger_check_is_one_query_when_the_ledger_agrees(w):
    for _ in range(3):
        issue(w, 1)
    with CaptureQueriesContext(connection) as queries:
        assert ledger_check() == []
    assert len(queries) == 1
