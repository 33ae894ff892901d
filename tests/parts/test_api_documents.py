"""The parts app's printed forms as PDFs over the API, each the same document as its print view's
PDF (`printing_*`): the stock transfer (调拨单, R32), the part request (R28), the dealer's monthly
statement (对账单, R28) and the warranty reimbursement claim (R31). Each keeps its page's role gate
(403) and scope (R37: another dealer's record is a 404 problem), its download is logged (R41), and
its print view still answers."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.parts.services.transfers import transfer_create

from .. import factories as f
from ..api.helpers import assert_problem
from .stock_world import stock_world

pytestmark = pytest.mark.django_db

PDF = {"HTTP_ACCEPT": "application/pdf"}


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment;" in response["Content-Disposition"]
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def logged_download(user) -> str:
    """The file name of the user's one logged PDF download (R41)."""
    return AccessLog.objects.get(actor=user, action=AccessLog.Action.EXPORT, resource="document").detail


def assert_refused(client, url: str, status: int) -> None:
    assert_problem(client.get(url, **PDF), status)
    assert not AccessLog.objects.filter(resource="document").exists()


@pytest.fixture
def no_dealer_staff():
    """A dealer's staff account with no dealer: none of these pages are for it (403)."""
    return f.UserFactory(role=Role.DEALER_STAFF, dealer=None)


# --- the stock transfer (调拨单, R32) ------------------------------------------------------------------


@pytest.fixture
def w():
    return stock_world()


def test_r32_the_printed_transfer_is_the_pages_pdf_over_the_api_logged_r41(w, api_client, client):
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 2)], actor=w.clerk)
    url = f"/api/stock/transfers/{transfer.pk}/print/"

    text = pdf_text(api_client(w.clerk).get(url, **PDF))

    assert transfer.number in text and "FU-3600" in text
    assert logged_download(w.clerk) == f"Stock transfer-{transfer.number}.pdf"
    client.force_login(w.clerk)
    assert client.get(f"/parts/transfers/{transfer.pk}/print/").status_code == 200


def test_r37_another_dealers_transfer_pdf_is_a_404_and_a_refused_role_a_403(w, api_client, no_dealer_staff):
    transfer = transfer_create(source=w.b.store, destination=w.b.van, lines=[(w.part, 1)], actor=w.clerk)
    url = f"/api/stock/transfers/{transfer.pk}/print/"

    assert_refused(api_client(w.a.staff), url, 404)
    assert_refused(api_client(w.a.staff), "/api/stock/transfers/999999/print/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)
