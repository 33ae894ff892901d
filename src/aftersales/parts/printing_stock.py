"""The printed transfer (调拨单, R32): one template for the print view, the page's PDF and the
API's (`transfer_form`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core.pdf import PrintedForm, printable_record

from .models import StockTransfer
from .selectors_stock import may_see_stock, transfer_get

TRANSFER_TEMPLATE = "parts/stock/transfer_print.html"


def transfer_form(request: HttpRequest, transfer_id: int) -> PrintedForm:
    """调拨单 of a transfer the user may see: its lines, carrier and tracking number, and a QR code
    that opens it (an absolute URL of the site the request came to). 403 for a role that sees no
    stock; 404 for a transfer out of the user's scope (R37)."""
    transfer = printable_record(
        request.user, transfer_id, allowed=may_see_stock, get=transfer_get, missing=StockTransfer.DoesNotExist
    )
    record_url = reverse("parts:transfer_detail", args=[transfer.pk])
    lines = list(transfer.lines.all())
    context = {
        "title": _("Stock transfer"),
        "number": transfer.number,
        "record_url": request.build_absolute_uri(record_url),
        "back_url": record_url,
        "transfer": transfer,
        "lines": lines,
        "total_quantity": sum(line.quantity for line in lines),
    }
    return PrintedForm(TRANSFER_TEMPLATE, context)
