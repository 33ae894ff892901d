"""The printed transfer (调拨单, R32): one template for the print view, the page's PDF and the
API's (`transfer_form`); a stock count's sheet in Excel (盘点, `count_sheet`), the page's and the
API's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core.excel import Sheet
from aftersales.core.pdf import PrintedForm, printable_record

from .models import StockCount, StockTransfer
from .selectors_stock import count_get, may_see_stock, transfer_get
from .services.counts import SHEET_HEADERS

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


def count_sheet(user: Any, count_id: int) -> Sheet:
    """The sheet of a count the user may see in Excel: each line's part, expected quantity and, as
    counted so far, the counted quantity and the difference; filled in, it is read back by the
    count's import (`services.counts.count_sheet_import`, the same headers). The count page's
    export (`?export=xlsx`) and the API's. 403 for a role that sees no stock; 404 for a count out
    of the user's scope (R37)."""
    count = printable_record(
        user, count_id, allowed=may_see_stock, get=count_get, missing=StockCount.DoesNotExist
    )
    return Sheet(
        resource="stock_count",
        title=count.number,
        headers=SHEET_HEADERS,
        rows=(
            [line.part.number, line.part.name, line.expected, line.counted, line.difference]
            for line in count.lines.all()
        ),
    )
