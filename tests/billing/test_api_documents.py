"""Issue 13: the printed quote (报价单, R9, R21) as a PDF over the API, the same document as the
print view's PDF: the page's role gate (403), its scope (R37: another dealer's quote is a 404), its
download logged (R41), described in the schema as a PDF with its problems."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from aftersales.accounts.choices import Role
from aftersales.billing.choices import LineKind
from aftersales.billing.services import quote_create, quote_line_add
from aftersales.core.models import AccessLog

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(order, eng, roller):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(
        quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, quantity=2, unit_price="50"
    )
    return quote


def url(quote) -> str:
    return f"/api/quotes/{quote.pk}/print/"


def test_r9_r21_the_printed_quote_is_the_pages_pdf_over_the_api_and_its_download_is_logged_r41(
    api_client, eng, order, quote
):
    response = api_client(eng).get(url(quote), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert f"{order.number}-1" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert f"{order.number}-1" in text and "100.00" in text and "壹佰元整" in text
    entry = AccessLog.objects.get(actor=eng, action=AccessLog.Action.EXPORT, resource="document")
    assert entry.detail == f"Quote-{order.number}-1.pdf"


def test_r37_another_dealers_quote_and_no_such_quote_are_404_problems(api_client, quote):
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())
    client = api_client(other_dealer_staff)

    assert_problem(client.get(url(quote)), 404)
    assert_problem(client.get("/api/quotes/999999/print/"), 404)
    assert not AccessLog.objects.filter(resource="document").exists()


def test_the_quote_pdf_keeps_the_pages_role_gate_403(api_client, make_user, quote):
    """The parts clerk reads no quote: refused before any quote is read, as on the page."""
    assert_problem(api_client(make_user(Role.PARTS_CLERK)).get(url(quote)), 403)
    assert not AccessLog.objects.filter(resource="document").exists()
