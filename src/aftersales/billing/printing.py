"""The printed quote (报价单, R8, R9), receipt (收据) and refund voucher (R10, R15): one template
each for the print view, the PDF download (the page's and the API's) and the copy kept on the work
order."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.core.money import in_words
from aftersales.core.pdf import PrintedForm, printable_record, render_pdf
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.models import Attachment
from aftersales.workorders.services import attachment_add

from .choices import PaymentKind, QuoteState
from .models import Payment, Quote
from .panels import payer_rows
from .selectors import payment_scope, quote_get
from .transitions import may_read_quotes

RECEIPT_TEMPLATE = "billing/receipt.html"
QUOTE_TEMPLATE = "billing/quote_print.html"


def _signature_data_url(quote: Quote) -> str:
    if not quote.signature:
        return ""
    with quote.signature.open("rb") as image:
        encoded = base64.b64encode(image.read()).decode()
    extension = (quote.signature.name or "").rsplit(".", 1)[-1].lower()
    return f"data:image/{'jpeg' if extension == 'jpg' else extension};base64,{encoded}"


def quote_form(user: Any, quote_id: int) -> PrintedForm:
    """报价单 of a quote the user may see: the itemised lines with the totals per payer, the
    amount in words, its validity and, once approved, the customer's signature. 403 for a role
    that reads no quote; 404 for a quote out of the user's scope (R37)."""
    if not may_read_quotes(user):
        raise PermissionDenied
    try:
        quote = quote_get(user, quote_id)
    except Quote.DoesNotExist:
        raise Http404 from None
    lines = list(quote.lines.all())
    record_url = reverse("billing:quote_detail", args=[quote.pk])
    context = {
        "title": _("Quote"),
        "number": f"{quote.work_order.number}-{quote.version}",
        "record_url": record_url,
        "back_url": record_url,
        "quote": quote,
        "wo": quote.work_order,
        "lines": lines,
        "payers": payer_rows(lines),
        "customer_total_words": in_words(quote.customer_total),
        "signature": _signature_data_url(quote) if quote.state == QuoteState.APPROVED else "",
    }
    return PrintedForm(QUOTE_TEMPLATE, context)


def receipt_title(payment: Payment) -> str:
    return _("Refund voucher") if payment.kind == PaymentKind.REFUND else _("Receipt")


def receipt_context(payment: Payment, *, verify_url: str) -> dict[str, Any]:
    """The receipt's data: the payment, the charges settled and waivers, the amount in words, and
    the URL its QR code opens (`verify_url`)."""
    settlement = payment.settlement
    return {
        "title": receipt_title(payment),
        "number": payment.receipt_number,
        "record_url": verify_url,
        "back_url": detail_url(settlement.work_order_id, "money", "quote"),
        "payment": payment,
        "settlement": settlement,
        "wo": settlement.work_order,
        "lines": list(settlement.lines.select_related("quote_line")),
        "amount_words": in_words(payment.amount),
        "waivers": [w for w in settlement.waivers.all() if w.amount_approved],
    }


def receipt_file_name(payment: Payment) -> str:
    return f"{receipt_title(payment)}-{payment.receipt_number}.pdf"


def _payment_get(user: Any, payment_id: int) -> Payment:
    return payment_scope(user).get(pk=payment_id)


def receipt_form(request: HttpRequest, payment_id: int) -> PrintedForm:
    """收据 (or the refund voucher) of a payment the user may see (`receipt_context`), its QR code
    the site's public check of it (an absolute URL of the site the request came to): the print
    view's and the API's. 403 for a role that reads no quote; 404 for a payment out of the user's
    scope (R37)."""
    payment = printable_record(
        request.user, payment_id, allowed=may_read_quotes, get=_payment_get, missing=Payment.DoesNotExist
    )
    verify_url = request.build_absolute_uri(reverse("billing:receipt_verify", args=[payment.verify_token]))
    return PrintedForm(
        RECEIPT_TEMPLATE, receipt_context(payment, verify_url=verify_url), name=receipt_file_name(payment)
    )


def receipt_document_store(*, payment_id: int) -> Attachment:
    """R15: the receipt as a PDF attachment of the work order, in the company's language, once
    (a second call finds it). The QR code points at the site's public check of the receipt."""
    payment = Payment.objects.select_related("settlement__work_order", "recorded_by").get(pk=payment_id)
    work_order = payment.settlement.work_order
    with translation.override(settings.LANGUAGE_CODE):
        name = receipt_file_name(payment)
        existing = Attachment.objects.filter(work_order=work_order, original_name=name).first()
        if existing is not None:
            return existing
        verify = settings.AFTERSALES_SITE_URL.rstrip("/") + reverse(
            "billing:receipt_verify", args=[payment.verify_token]
        )
        pdf = render_pdf(RECEIPT_TEMPLATE, receipt_context(payment, verify_url=verify))
    with transaction.atomic():
        return attachment_add(
            work_order=work_order,
            actor=payment.recorded_by,
            upload=SimpleUploadedFile(name, pdf, content_type="application/pdf"),
            description=name.removesuffix(".pdf"),
        )
