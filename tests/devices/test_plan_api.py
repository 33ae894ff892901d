"""R35: pausing and resuming a maintenance plan through the API, as the contract page's button does
(the same service, the contract's history); the sellers' role gate; a plan only under its contract."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.devices.services import maintenance_plan_create

from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(sell, seller):
    contract = sell(kind="maintenance")
    return maintenance_plan_create(
        contract=contract, actor=seller, every_n_months=3, first_due_on=date(2026, 7, 15)
    )


def url(plan) -> str:
    return f"/api/contracts/{plan.contract_id}/plans/{plan.pk}/"


def test_r35_a_seller_pauses_and_resumes_a_plan(api_client, seller, plan):
    api = api_client(seller)

    paused = api.patch(url(plan), {"is_active": False}, format="json")
    again = api.patch(url(plan), {"is_active": False}, format="json")
    resumed = api.patch(url(plan), {"is_active": True}, format="json")

    assert paused.status_code == 200, paused.content
    assert paused.json()["is_active"] is False and paused.json()["id"] == plan.pk
    assert again.status_code == 200 and again.json()["is_active"] is False
    assert resumed.json()["is_active"] is True
    plan.refresh_from_db()
    assert plan.is_active is True
    history = api.get(f"/api/contracts/{plan.contract_id}/history/").json()
    assert [h["action"] for h in history][-2:] == ["plan_pause", "plan_resume"]  # once each


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({}, "is_active", "required"),
        ({"is_active": "maybe"}, "is_active", "invalid"),
        ({"is_active": False, "every_n_months": 6}, "every_n_months", "unknown_field"),
    ],
)
def test_r35_bad_input_names_the_field(api_client, seller, plan, body, field, code):
    assert_problem(api_client(seller).patch(url(plan), body, format="json"), 400, field=field, code=code)
    plan.refresh_from_db()
    assert plan.is_active is True


def test_r35_r37_only_sellers_pause_plans_and_only_under_their_contract(
    api_client, seller, plan, world, sell
):
    assert_problem(
        api_client(world.staff_a).patch(url(plan), {"is_active": False}, format="json"),
        403,
        code="permission_denied",
    )
    other = sell(kind="maintenance")
    api = api_client(seller)
    assert_problem(
        api.patch(f"/api/contracts/{other.pk}/plans/{plan.pk}/", {"is_active": False}, format="json"), 404
    )
    assert_problem(
        api.patch(f"/api/contracts/999999/plans/{plan.pk}/", {"is_active": False}, format="json"), 404
    )
    plan.refresh_from_db()
    assert plan.is_active is True
