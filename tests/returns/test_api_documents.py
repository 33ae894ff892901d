"""Issue 13: the printed return or exchange request (退换货申请表, R33, R21) as a PDF over the API,
the same document as the print view's PDF: scoped like the page (R37: another dealer's request is a
404), its download logged (R41). Every staff role reads requests (scoped), so the page has no role
refusal to repeat here."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from aftersales.core.models import AccessLog

from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def url(rq) -> str:
    return f"/api/returns/{rq.pk}/print/"


def test_r33_r21_the_printed_request_is_the_pages_pdf_over_the_api_and_logged_r41(
    api_client, people, side_a, draft
):
    rq = draft()

    response = api_client(side_a.staff).get(url(rq), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert rq.number in text and "开箱后无法开机" in text
    entry = AccessLog.objects.get(actor=side_a.staff, action=AccessLog.Action.EXPORT, resource="document")
    assert entry.detail == f"Return-exchange request-{rq.number}.pdf"


def test_r37_another_dealers_request_is_a_404_problem(api_client, side_b, draft):
    rq = draft()
    client = api_client(side_b.staff)

    assert_problem(client.get(url(rq)), 404)
    assert_problem(client.get("/api/returns/999999/print/"), 404)
    assert not AccessLog.objects.filter(resource="document").exists()
