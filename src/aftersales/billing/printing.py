"""The printed receipt (收据) and refund voucher (R10, R15): one template for the print view, the
PDF download and the copy kept on the work order."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.core.money import in_words
from aftersales.core.pdf import render_pdf
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.models import Attachment
from aftersales.workorders.services import attachment_add

from .choices import PaymentKind
from .models import Payment

RECEIPT_TEMPLATE = "billing/receipt.html"


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
