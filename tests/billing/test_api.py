"""R8, R9 through the API: a quote drawn up, its lines added, changed and removed with the totals
per payer as strings, one POST per transition, errors as JSON problems naming the field; and the
money properties of quotes (hypothesis): the total is the sum of the rounded lines, the payers'
totals add up to it, never negative, identical after a JSON round trip."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.billing.choices import LineKind
from aftersales.billing.models import Quote
from aftersales.billing.services import quote_line_add
from aftersales.core.money import cny, line_amount

from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api_client, eng):
    return api_client(eng)


def create(client, order) -> dict:
    response = client.post("/api/quotes/", {"work_order": order.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_r9_a_quote_built_through_the_api_shows_each_lines_payer_and_the_totals_as_strings(
    client, order, fuser, roller
):
    quote = create(client, order)
    assert quote["state"] == "draft" and quote["version"] == 1 and quote["total"] == "0.00"
    url = f"/api/quotes/{quote['id']}/lines/"
    client.post(url, {"kind": "labour", "quantity": "2", "unit_price": "80"}, format="json")
    client.post(url, {"kind": "part", "part": fuser.pk, "unit_price": "350"}, format="json")
    response = client.post(
        url, {"kind": "part", "part": roller.pk, "quantity": "2", "unit_price": "12.5"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == "535.00" and body["customer_total"] == "25.00"
    assert [(line["kind"], line["amount"], line["payer"]) for line in body["lines"]] == [
        ("labour", "160.00", "manufacturer"),
        ("part", "350.00", "manufacturer"),
        ("part", "25.00", "customer"),
    ]
    totals = {row["payer"]: row["amount"] for row in body["payer_totals"]}
    assert totals["manufacturer"] == "510.00" and totals["customer"] == "25.00"
    assert "send" in body["available_actions"]


def test_r9_lines_change_and_go_while_a_draft_and_the_answer_has_the_new_totals(client, order):
    quote = create(client, order)
    body = client.post(
        f"/api/quotes/{quote['id']}/lines/",
        {"kind": "other", "description": "清洁", "unit_price": "30"},
        format="json",
    ).json()
    line_id = body["lines"][0]["id"]
    changed = client.patch(f"/api/quote-lines/{line_id}/", {"quantity": "3"}, format="json")
    assert changed.status_code == 200 and changed.json()["total"] == "90.00"
    removed = client.delete(f"/api/quote-lines/{line_id}/")
    assert removed.status_code == 200 and removed.json()["lines"] == [] and removed.json()["total"] == "0.00"


def test_r9_bad_lines_are_problems_naming_the_field(client, order):
    quote = create(client, order)
    url = f"/api/quotes/{quote['id']}/lines/"
    assert_problem(client.post(url, {"kind": "part", "unit_price": "1"}, format="json"), 400, field="part")
    assert_problem(
        client.post(url, {"kind": "visit"}, format="json"), 400, field="unit_price", code="unit_price_needed"
    )
    assert_problem(
        client.post(url, {"kind": "labour", "unit_price": "-5"}, format="json"), 400, field="unit_price"
    )
    assert_problem(client.post(url, {"kind": "gift", "unit_price": "5"}, format="json"), 400, field="kind")
    assert_problem(
        client.post(url, {"kind": "labour", "unit_price": "5", "colour": "red"}, format="json"), 400
    )
    assert not Quote.objects.get(pk=quote["id"]).lines.exists()


def test_r8_send_approve_reject_revise_through_the_api(
    client, api_client, order, supervisor, drawn_signature
):
    quote = create(client, order)
    client.post(f"/api/quotes/{quote['id']}/lines/", {"kind": "labour", "unit_price": "80"}, format="json")
    sent = client.post(f"/api/quotes/{quote['id']}/send/", {"sent_via": "sms"}, format="json")
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    assert_problem(client.post(f"/api/quotes/{quote['id']}/send/", {}, format="json"), 409)
    refused = client.post(
        f"/api/quotes/{quote['id']}/approve/",
        {"approved_by_name": "李娜", "approval_method": "signature"},
        format="json",
    )
    assert_problem(refused, 400, field="signature")
    approved = client.post(
        f"/api/quotes/{quote['id']}/approve/",
        {"approved_by_name": "李娜", "approval_method": "signature", "signature": drawn_signature},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved" and len(approved.json()["content_hash"]) == 64
    revise = f"/api/quotes/{quote['id']}/revise/"
    revised = client.post(revise, {"reason": "发现新故障"}, format="json", HTTP_IDEMPOTENCY_KEY="revise-1")
    assert revised.status_code == 201 and revised.json()["version"] == 2
    # a retry of the revision under its key is its first answer, not a third version or a 409
    again = client.post(revise, {"reason": "发现新故障"}, format="json", HTTP_IDEMPOTENCY_KEY="revise-1")
    assert again.status_code == 201 and again.content == revised.content
    assert revised.json()["previous"] == quote["id"] and revised.json()["total"] == "80.00"
    listed = client.get(f"/api/quotes/?work_order={order.pk}").json()
    assert [row["version"] for row in listed["results"]] == [2, 1]


def test_quotes_outside_the_scope_are_404_and_finance_reads_but_may_not_draw_up(
    api_client, make_user, order, client
):
    quote = create(client, order)
    from aftersales.accounts.choices import Role

    from .. import factories as f

    stranger = f.EngineerFactory().user
    assert api_client(stranger).get(f"/api/quotes/{quote['id']}/").status_code == 404
    finance = api_client(make_user(Role.FINANCE))
    assert finance.get(f"/api/quotes/{quote['id']}/").status_code == 200
    assert_problem(finance.post("/api/quotes/", {"work_order": order.pk}, format="json"), 403)


# --- money properties -----------------------------------------------------------------------------

PRICES = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2, allow_nan=False)
QUANTITIES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99"), places=2, allow_nan=False)
LINES = st.lists(
    st.tuples(
        st.sampled_from([LineKind.LABOUR, LineKind.PART, LineKind.TRAVEL, LineKind.OTHER]), QUANTITIES, PRICES
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=LINES, discount=st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=2))
def test_money_a_quotes_total_is_the_sum_of_its_rounded_lines_and_survives_json(
    client, order, device, fuser, lines, discount
):
    device.purchase_date = timezone.localdate() - timedelta(days=60)  # in warranty: mixed payers
    device.save()
    Quote.objects.filter(work_order=order).delete()
    quote = create(client, order)
    url = f"/api/quotes/{quote['id']}/lines/"
    expected = []
    for kind, quantity, price in lines:
        data = {"kind": kind, "quantity": str(quantity), "unit_price": str(price)}
        if kind == LineKind.PART:
            data["part"] = fuser.pk
        if kind == LineKind.OTHER:
            data["description"] = "其他"
        assert client.post(url, data, format="json").status_code == 201
        expected.append(line_amount(quantity, cny(str(price))))
    response = client.post(url, {"kind": "discount", "unit_price": str(discount)}, format="json")
    body = client.get(f"/api/quotes/{quote['id']}/").json()
    if response.status_code == 201:
        expected.append(-discount)
    else:
        assert response.json()["errors"][0]["code"] == "discount_too_large"
    assert Decimal(body["total"]) == sum(expected, Decimal("0.00"))
    assert Decimal(body["total"]) == sum(Decimal(line["amount"]) for line in body["lines"])
    assert sum(Decimal(row["amount"]) for row in body["payer_totals"]) == Decimal(body["total"])
    assert Decimal(body["customer_total"]) >= 0 and Decimal(body["total"]) >= 0
    assert json.loads(json.dumps(body)) == body
    stored = Quote.objects.get(pk=quote["id"])
    assert f"{stored.total:.2f}" == body["total"] and f"{stored.customer_total:.2f}" == body["customer_total"]


def test_the_quote_list_reads_a_fixed_number_of_queries(client, make_order, eng):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listed() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/quotes/").status_code == 200
        return len(queries)

    quote_line_add(
        quote_id=create(client, make_order())["id"], actor=eng, kind=LineKind.LABOUR, unit_price="80"
    )
    few = listed()
    for _ in range(4):
        quote_line_add(
            quote_id=create(client, make_order())["id"], actor=eng, kind=LineKind.LABOUR, unit_price="80"
        )
    assert listed() == few
