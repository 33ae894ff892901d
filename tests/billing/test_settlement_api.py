"""R9, R11, R15 through the API: settle from the approved quote (a higher line refused), payments
with an Idempotency-Key (five replays are one payment, each answered with the first 201; the same
key with another body is 422), refunds, waiver requests and a supervisor's decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.billing.choices import ApprovalMethod, LineKind
from aftersales.billing.models import Payment
from aftersales.billing.services import quote_approve, quote_create, quote_line_add, quote_send

from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(order, eng, device):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity=2, unit_price="80")
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.VISIT, unit_price="50")
    quote_send(quote_id=quote.pk, actor=eng)
    return quote_approve(
        quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE
    )


@pytest.fixture
def client(api_client, eng):
    return api_client(eng)


def settle(client, order, **extra) -> dict:
    response = client.post("/api/settlements/", {"work_order": order.pk, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_r9_settling_through_the_api_lowers_with_a_reason_and_refuses_higher(client, order, quote):
    labour = quote.lines.get(kind=LineKind.LABOUR)
    higher = client.post(
        "/api/settlements/",
        {
            "work_order": order.pk,
            "changes": [{"quote_line": labour.pk, "unit_price": "90", "reason": "加价"}],
        },
        format="json",
    )
    assert_problem(higher, 400, code="above_quote")
    body = settle(client, order, changes=[{"quote_line": labour.pk, "quantity": "1.5", "reason": "提前完成"}])
    assert body["customer_total"] == "170.00" and body["balance"] == "170.00" and body["state"] == "open"
    assert body["lines"][0]["amount"] == "120.00" and body["lines"][0]["quoted_amount"] == "160.00"
    assert_problem(
        client.post("/api/settlements/", {"work_order": order.pk}, format="json"),
        400,
        code="settlement_exists",
    )


def test_r15_five_replays_of_one_payment_are_one_payment_and_another_body_is_422(client, order, quote):
    settlement = settle(client, order)
    url = f"/api/settlements/{settlement['id']}/payments/"
    body = {"method": "wechat", "amount": "100", "reference": "4200000001"}
    answers = [client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-abc") for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5
    assert [a.get("Idempotent-Replayed") for a in answers] == [None] + ["true"] * 4
    assert len({a.content for a in answers}) == 1 and Payment.objects.count() == 1
    receipt = answers[0].json()
    assert receipt["receipt_number"].startswith("SJ") and receipt["amount"] == "100.00"
    changed = client.post(url, {**body, "amount": "101"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-abc")
    assert_problem(changed, 422, code="idempotency_key_reused")
    assert client.get(f"/api/settlements/{settlement['id']}/").json()["balance"] == "110.00"
    assert_problem(
        client.post(url, {**body, "amount": "111"}, format="json"), 400, field="amount", code="overpayment"
    )


def test_r11_waiver_then_decision_through_the_api(client, api_client, order, quote, supervisor):
    settlement = settle(client, order)
    waiver = client.post(
        f"/api/settlements/{settlement['id']}/waiver/",
        {"kind": "discount", "amount": "50", "reason": "老客户"},
        format="json",
    )
    assert waiver.status_code == 201 and waiver.json()["state"] == "requested"
    waiting = client.get(f"/api/settlements/{settlement['id']}/").json()
    assert waiting["state"] == "awaiting_decision"
    assert_problem(
        client.post(
            f"/api/waivers/{waiver.json()['id']}/decide/",
            {"amount_approved": "50", "note": "x"},
            format="json",
        ),
        403,
    )
    decided = api_client(supervisor).post(
        f"/api/waivers/{waiver.json()['id']}/decide/",
        {"amount_approved": "50", "note": "同意"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    after = client.get(f"/api/settlements/{settlement['id']}/").json()
    assert after["amount_waived"] == "50.00" and after["balance"] == "160.00" and after["state"] == "open"


def test_r15_refunds_through_the_api_are_for_finance(client, api_client, order, quote, finance):
    settlement = settle(client, order)
    client.post(
        f"/api/settlements/{settlement['id']}/payments/", {"method": "cash", "amount": "210"}, format="json"
    )
    url = f"/api/settlements/{settlement['id']}/refunds/"
    assert_problem(client.post(url, {"method": "cash", "amount": "10", "reason": "多收"}, format="json"), 403)
    refund = api_client(finance).post(
        url, {"method": "cash", "amount": "10", "reason": "多收"}, format="json"
    )
    assert refund.status_code == 201 and refund.json()["kind"] == "refund"
    assert client.get(f"/api/settlements/{settlement['id']}/").json()["balance"] == "10.00"
