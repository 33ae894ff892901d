"""R31 on the pages: the claims list (filters, Excel), HQ builds a month by hand, reviews each line
with HTMX, approves and credits; the printed claim and its PDF in Chinese, its lines in Excel; a
dealer's staff see only their dealer's claims (404 for another's, on pages and exports)."""

from __future__ import annotations

import io
from datetime import date
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.parts.choices import ClaimState, EntryKind, LineDecision
from aftersales.parts.models import AccountEntry, ReimbursementClaim
from aftersales.parts.services.claims import claims_build

from ..timeutil import at, frozen
from .old_parts_world import old_parts_world

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def w():
    world = old_parts_world()
    world.mine = [world.reported(quantity=2), world.reported()]
    world.theirs = world.reported(work_order=world.other_work_order)
    with frozen(at(2026, 12, 3, 2, 30)):
        claims_build(month=NOVEMBER)
    world.claim = ReimbursementClaim.objects.get(dealer=world.dealer)
    world.other_claim = ReimbursementClaim.objects.get(dealer=world.other_dealer)
    return world


def test_r31_r37_a_dealer_sees_only_its_own_claims_on_pages_and_exports(client, w):
    client.force_login(w.staff)
    listed = client.get(reverse("parts:claim_list")).content.decode()
    assert w.claim.number in listed and w.other_claim.number not in listed
    assert 'data-testid="tab-claims"' in listed and 'data-testid="claim-build-form"' not in listed
    export = client.get(reverse("parts:claim_list") + "?export=xlsx")
    numbers = [row[0].value for row in load_workbook(BytesIO(b"".join(export.streaming_content))).active]
    assert w.claim.number in numbers and w.other_claim.number not in numbers
    for name in ("parts:claim_detail", "parts:claim_print", "parts:claim_export"):
        assert client.get(reverse(name, args=[w.other_claim.pk])).status_code == 404
    line = w.other_claim.lines.get()
    assert (
        client.post(reverse("parts:claim_line_decide", args=[line.pk]), {"decision": "approved"}).status_code
        == 404
    )
    page = client.get(reverse("parts:claim_detail", args=[w.claim.pk])).content.decode()
    assert 'data-testid="line-approve"' not in page  # the dealer reads its claim, HQ reviews it
    client.force_login(w.engineer.user)
    assert client.get(reverse("parts:claim_list")).status_code == 403


def test_r31_the_claims_list_filters_by_state_and_dealer(client, w):
    client.force_login(w.finance)
    html = client.get(reverse("parts:claim_list"), {"dealer": w.other_dealer.pk}, **HTMX).content.decode()
    assert w.other_claim.number in html and w.claim.number not in html
    assert (
        w.claim.number not in client.get(reverse("parts:claim_list"), {"state": "credited"}).content.decode()
    )


def test_r31_hq_builds_a_month_by_hand_from_the_list(client, w):
    ReimbursementClaim.objects.all().delete()
    with frozen(at(2026, 12, 10, 9, 0)):
        client.force_login(w.parts_clerk)
        response = client.post(reverse("parts:claim_build"), {"month": "2026-11"}, follow=True)
    assert 'data-testid="message-success"' in response.content.decode()
    assert ReimbursementClaim.objects.filter(month=NOVEMBER).count() == 2
    client.force_login(w.staff)
    assert client.post(reverse("parts:claim_build"), {"month": "2026-11"}).status_code == 403


def test_r31_hq_reviews_the_lines_with_htmx_approves_and_credits(client, w):
    client.force_login(w.finance)
    page = client.get(reverse("parts:claim_detail", args=[w.claim.pk])).content.decode()
    assert page.count('data-testid="line-approve"') == 2 and 'data-testid="pending"' in page
    first, second = w.claim.lines.order_by("pk")
    body = client.post(
        reverse("parts:claim_line_decide", args=[first.pk]), {"decision": "approved"}, follow=True, **HTMX
    ).content.decode()
    assert 'id="claim-body"' in body and "<nav class" not in body and 'data-decision="approved"' in body
    refused = client.post(
        reverse("parts:claim_line_decide", args=[second.pk]), {"decision": "rejected"}, follow=True, **HTMX
    ).content.decode()
    assert 'data-testid="message-error"' in refused  # a rejection says why
    client.post(
        reverse("parts:claim_line_decide", args=[second.pk]), {"decision": "rejected", "reason": "重复申报"}
    )
    client.post(reverse("parts:claim_transition", args=[w.claim.pk, "approve"]))
    client.post(reverse("parts:claim_transition", args=[w.claim.pk, "credit"]))
    w.claim.refresh_from_db()
    assert w.claim.state == ClaimState.CREDITED and w.claim.approved_total == first.amount
    assert AccountEntry.objects.get(kind=EntryKind.REIMBURSEMENT).amount == -first.amount
    second.refresh_from_db()
    assert (second.decision, second.reason) == (LineDecision.REJECTED, "重复申报")
    page = client.get(reverse("parts:claim_detail", args=[w.claim.pk])).content.decode()
    assert 'data-testid="credited"' in page and 'data-testid="line-approve"' not in page


def test_r31_the_printed_claim_and_its_pdf_in_chinese(client, w):
    client.force_login(w.staff)
    html = client.get(reverse("parts:claim_print", args=[w.claim.pk])).content.decode()
    assert w.claim.number in html and "华东经销商甲" in html and 'data-testid="doc-qr"' in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("parts:claim_print", args=[w.claim.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\n", "")  # narrow cells wrap
    assert w.claim.number in text and "华东经销商甲" in text and "定影组件" in text
    assert "叁佰元整" in text  # the claimed ¥300.00 in words
    assert w.mine[0].number in text


def test_r31_the_claims_lines_export_to_excel(client, w):
    client.force_login(w.finance)
    response = client.get(reverse("parts:claim_export", args=[w.claim.pk]))
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 3  # the header and two lines
    assert {rows[1][1], rows[2][1]} == {old_part.number for old_part in w.mine}
    assert rows[1][11] in ("200.00", "100.00")
