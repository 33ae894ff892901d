"""R8, R9 on the pages: the money tab of the work order shows the quote panel; the quote page (the
engineer's phone) adds lines with live totals (HTMX), sends the quote, the customer signs it; the
printed quote (报价单) and its PDF list the lines, the totals and the amount in words."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from aftersales.billing.choices import LineKind, QuoteState
from aftersales.billing.models import Quote
from aftersales.billing.services import quote_create, quote_line_add, quote_send

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def engineer_client(client, eng):
    client.force_login(eng)
    return client


def test_r9_the_money_tab_offers_a_quote_and_drawing_one_up_opens_its_page(engineer_client, order):
    tab = engineer_client.get(reverse("workorders:detail", args=[order.pk]) + "?tab=money", **HTMX)
    assert tab.status_code == 200 and 'data-testid="quote-panel"' in tab.content.decode()
    assert 'data-testid="quote-create"' in tab.content.decode()
    response = engineer_client.post(reverse("billing:quote_create", args=[order.pk]))
    quote = Quote.objects.get(work_order=order)
    assert response.status_code == 302 and response["Location"] == reverse(
        "billing:quote_detail", args=[quote.pk]
    )
    page = engineer_client.get(response["Location"]).content.decode()
    assert 'data-testid="quote-line-add"' in page and 'data-testid="quote-no-lines"' in page


def test_r9_adding_and_changing_lines_answers_htmx_with_the_lines_and_new_totals(
    engineer_client, order, eng, roller
):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    url = reverse("billing:quote_line_add", args=[quote.pk])
    partial = engineer_client.post(
        url, {"kind": "part", "part": roller.pk, "quantity": "2", "unit_price": "15"}, **HTMX
    ).content.decode()
    assert partial.startswith('<div id="quote-lines"') and "<html" not in partial
    assert "¥30.00" in partial and 'data-testid="quote-customer-total">¥30.00' in partial
    line = quote.lines.get()
    changed = engineer_client.post(
        reverse("billing:quote_line_update", args=[line.pk]), {"quantity": "3", "unit_price": "15"}, **HTMX
    ).content.decode()
    assert 'data-testid="quote-customer-total">¥45.00' in changed
    refused = engineer_client.post(
        url, {"kind": "part", "quantity": "1", "unit_price": "15"}, **HTMX
    ).content.decode()
    assert "Choose the part." in refused and quote.lines.count() == 1
    removed = engineer_client.post(
        reverse("billing:quote_line_remove", args=[line.pk]), **HTMX
    ).content.decode()
    assert 'data-testid="quote-no-lines"' in removed


def test_r8_the_customer_signs_the_sent_quote_on_the_engineers_phone(
    engineer_client, order, eng, drawn_signature
):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")
    page = engineer_client.get(reverse("billing:quote_detail", args=[quote.pk])).content.decode()
    assert 'data-testid="quote-action-send"' in page and 'data-testid="quote-sign"' not in page
    engineer_client.post(reverse("billing:quote_transition", args=[quote.pk, "send"]), {"sent_via": "sms"})
    page = engineer_client.get(reverse("billing:quote_detail", args=[quote.pk])).content.decode()
    assert 'data-testid="quote-sign"' in page and 'data-testid="quote-line-add"' not in page
    unsigned = engineer_client.post(
        reverse("billing:quote_sign", args=[quote.pk]), {"approved_by_name": "李娜"}, follow=True
    )
    assert "sign on the screen" in unsigned.content.decode()
    engineer_client.post(
        reverse("billing:quote_sign", args=[quote.pk]),
        {"approved_by_name": "李娜", "signature": drawn_signature},
    )
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED and quote.approved_by_name == "李娜" and quote.signature


def test_r8_revising_opens_the_new_version(engineer_client, order, eng):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")
    quote_send(quote_id=quote.pk, actor=eng)
    response = engineer_client.post(
        reverse("billing:quote_transition", args=[quote.pk, "revise"]), {"reason": "加配件"}
    )
    new = Quote.objects.get(previous=quote)
    assert response["Location"] == reverse("billing:quote_detail", args=[new.pk]) and new.version == 2


def test_r9_the_printed_quote_and_its_pdf_list_lines_totals_and_amount_in_words(
    engineer_client, order, eng, roller
):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(
        quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, quantity=2, unit_price="50"
    )
    page = engineer_client.get(reverse("billing:quote_print", args=[quote.pk])).content.decode()
    assert f"{order.number}-1" in page and "¥100.00" in page and "壹佰元整" in page
    pdf = engineer_client.get(reverse("billing:quote_print", args=[quote.pk]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert f"{order.number}-1" in text and "100.00" in text and "壹佰元整" in text


def test_quotes_outside_the_scope_are_404(client, order, eng):
    from .. import factories as f

    quote = quote_create(work_order_id=order.pk, actor=eng)
    client.force_login(f.EngineerFactory().user)
    assert client.get(reverse("billing:quote_detail", args=[quote.pk])).status_code == 404
    assert client.get(reverse("billing:quote_print", args=[quote.pk])).status_code == 404


# --- settlement on the pages (R11, R15) -------------------------------------------------------------


@pytest.fixture
def approved_quote(order, eng, device):
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.billing.services import quote_approve

    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity=2, unit_price="80")
    quote_send(quote_id=quote.pk, actor=eng)
    return quote_approve(quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method="phone")


def test_r15_on_the_phone_the_engineer_settles_takes_a_wechat_payment_and_the_receipt_is_there(
    engineer_client, order, approved_quote
):
    page_url = reverse("billing:quote_detail", args=[approved_quote.pk])
    page = engineer_client.get(page_url).content.decode()
    assert 'data-testid="settle"' in page
    engineer_client.post(reverse("billing:settlement_create", args=[order.pk]), {"next": page_url})
    page = engineer_client.get(page_url).content.decode()
    assert 'data-testid="payment-form"' in page and 'data-testid="settlement-balance">¥160.00' in page
    settlement = order.settlement
    form = {
        "method": "wechat",
        "amount": "160.00",
        "reference": "4200001111",
        "idempotency_key": "form-1",
        "next": page_url,
    }
    first = engineer_client.post(reverse("billing:payment", args=[settlement.pk]), form)
    engineer_client.post(reverse("billing:payment", args=[settlement.pk]), form)  # the double tap
    assert first["Location"] == page_url and settlement.payments.count() == 1
    page = engineer_client.get(page_url).content.decode()
    assert (
        'data-testid="settlement-state" data-state="settled"' in page and 'data-testid="receipt-link"' in page
    )
    payment = settlement.payments.get()
    pdf = engineer_client.get(reverse("billing:receipt", args=[payment.pk]) + "?format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert payment.receipt_number in text and "壹佰陆拾元整" in text and "160.00" in text


def test_r15_a_refused_payment_comes_back_as_a_message(engineer_client, order, approved_quote):
    from aftersales.billing.services import settlement_create

    settlement = settlement_create(work_order_id=order.pk, actor=approved_quote.created_by)
    response = engineer_client.post(
        reverse("billing:payment", args=[settlement.pk]), {"method": "alipay", "amount": "10"}, follow=True
    )
    assert "Enter the transaction reference of the payment." in response.content.decode()
    assert not settlement.payments.exists()


def test_r15_the_receipt_qr_code_opens_a_public_check(engineer_client, client, order, approved_quote):
    from aftersales.billing.services import payment_record, settlement_create

    settlement = settlement_create(work_order_id=order.pk, actor=approved_quote.created_by)
    payment = payment_record(
        settlement_id=settlement.pk, actor=approved_quote.created_by, method="cash", amount="10"
    )
    engineer_client.logout()
    genuine = client.get(reverse("billing:receipt_verify", args=[payment.verify_token]))
    assert genuine.status_code == 200 and payment.receipt_number in genuine.content.decode()
    assert order.customer.name not in genuine.content.decode()
    fake = client.get(reverse("billing:receipt_verify", args=["00000000-0000-0000-0000-000000000000"]))
    assert fake.status_code == 404 and 'data-testid="receipt-unknown"' in fake.content.decode()


def test_r11_a_supervisor_decides_on_the_money_tab(client, order, approved_quote, supervisor):
    from aftersales.billing.choices import WaiverKind
    from aftersales.billing.services import settlement_create, waiver_request

    settlement = settlement_create(work_order_id=order.pk, actor=approved_quote.created_by)
    waiver = waiver_request(
        settlement_id=settlement.pk,
        actor=approved_quote.created_by,
        kind=WaiverKind.WAIVER,
        amount="60",
        reason="老客户",
    )
    client.force_login(supervisor)
    tab = client.get(reverse("workorders:detail", args=[order.pk]) + "?tab=money", **HTMX).content.decode()
    assert 'data-testid="waiver-decide-form"' in tab and 'data-testid="payment-form"' not in tab
    client.post(reverse("billing:waiver_decide", args=[waiver.pk]), {"amount_approved": "60", "note": "同意"})
    settlement.refresh_from_db()
    assert settlement.amount_waived == 60 and settlement.balance == 100


def test_r9_the_quote_pdf_in_chinese_has_its_labels_number_and_amount_in_words(
    engineer_client, order, eng, roller
):
    from django.conf import settings

    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(
        quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, quantity=3, unit_price="12.5"
    )
    engineer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    pdf = engineer_client.get(reverse("billing:quote_print", args=[quote.pk]) + "?format=pdf")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    for label in ("报价单", "客户签字", "大写"):
        assert label in text
    assert f"{order.number}-1" in text and "¥37.50" in text and "叁拾柒元伍角" in text


def test_r9_a_quoted_part_suggests_its_substitutes(engineer_client, order, eng, roller):
    from aftersales.catalog.models import PartSubstitute

    from .. import factories as f

    other = f.PartFactory(number="PR-100B", name="搓纸轮（副厂）")
    PartSubstitute.objects.create(part=other, substitute=roller, both_ways=True)
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, unit_price="20")
    page = engineer_client.get(reverse("billing:quote_detail", args=[quote.pk])).content.decode()
    assert 'data-testid="quote-line-substitutes"' in page and "PR-100B" in page
