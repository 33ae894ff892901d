"""Reads of quotes, scoped by the work orders the user may see (R37)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from aftersales.catalog.choices import FeeApproval
from aftersales.core.money import total
from aftersales.devices.choices import Payer
from aftersales.workorders.selectors import workorder_scope

from .choices import QuoteState
from .models import InvoiceRequest, Payment, Quote, QuoteLine, Settlement, WaiverRequest


def quote_scope(user: Any, queryset: QuerySet[Quote] | None = None) -> QuerySet[Quote]:
    """The quotes of the work orders `user` may see, with their work order and engineer (who may
    act on them) and the people they name, so lists read no row twice."""
    queryset = Quote.objects.all() if queryset is None else queryset
    return queryset.filter(work_order__in=workorder_scope(user)).select_related(
        "work_order__engineer", "created_by", "authorised_by", "recorded_by"
    )


def quote_get(user: Any, pk: int) -> Quote:
    """One quote the user may see, with its lines (404 otherwise)."""
    return quote_scope(user).prefetch_related(_lines()).get(pk=pk)


def _lines() -> Prefetch:
    return Prefetch("lines", queryset=QuoteLine.objects.select_related("part").order_by("position"))


def quotes_of(work_order) -> list[Quote]:
    """Every version of the work order's quote, oldest first, with their lines (two queries)."""
    return list(
        Quote.objects.filter(work_order=work_order)
        .select_related("created_by", "authorised_by", "recorded_by")
        .prefetch_related(_lines())
        .order_by("version")
    )


def current_quote(work_order) -> Quote | None:
    """The latest version of the work order's quote (None when there is none)."""
    return Quote.objects.filter(work_order=work_order).order_by("-version").first()


def payer_totals(lines: list[QuoteLine]) -> dict[str, Decimal]:
    """What each payer owes on these lines, every payer listed (they add up to the total)."""
    amounts: dict[str, list[Decimal]] = defaultdict(list)
    for line in lines:
        amounts[line.payer].append(line.amount)
    return {payer: total(amounts[payer]) for payer in Payer.values}


def quote_content(quote: Quote) -> list[list[str]]:
    """The lines as they stand, in a canonical form (text only): what the customer approves."""
    return [
        [
            line.kind,
            line.description,
            str(line.part_id or ""),
            f"{Decimal(line.quantity):.2f}",
            f"{Decimal(line.unit_price):.2f}",
            f"{Decimal(line.amount):.2f}",
            line.payer,
        ]
        for line in quote.lines.order_by("position")
    ]


def quote_content_hash(quote: Quote) -> str:
    """R9: the SHA-256 of the quote's lines; equal hashes mean the same charges."""
    text = json.dumps(quote_content(quote), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def settlement_of(work_order) -> Settlement | None:
    """The work order's settlement with its lines, payments and waiver requests (four queries)."""
    return (
        Settlement.objects.filter(work_order=work_order)
        .select_related("quote", "created_by")
        .prefetch_related(
            "lines",
            "payments__recorded_by",
            "waivers__requested_by",
            "waivers__decided_by",
            "invoice_requests",
        )
        .first()
    )


def payment_scope(user: Any) -> QuerySet[Payment]:
    """The payments and refunds of the work orders `user` may see."""
    return Payment.objects.filter(settlement__work_order__in=workorder_scope(user)).select_related(
        "settlement__work_order__customer", "recorded_by"
    )


def settlement_scope(user: Any) -> QuerySet[Settlement]:
    """The settlements of the work orders `user` may see."""
    return Settlement.objects.filter(work_order__in=workorder_scope(user)).select_related("work_order")


def invoice_scope(user: Any) -> QuerySet[InvoiceRequest]:
    """The invoice requests of the work orders `user` may see."""
    return InvoiceRequest.objects.filter(settlement__work_order__in=workorder_scope(user)).select_related(
        "settlement__work_order__customer", "settlement__work_order__engineer", "requested_by", "issued_by"
    )


def waiver_scope(user: Any) -> QuerySet[WaiverRequest]:
    """The refusals and waiver requests of the work orders `user` may see."""
    return WaiverRequest.objects.filter(settlement__work_order__in=workorder_scope(user)).select_related(
        "settlement__work_order__customer", "requested_by", "decided_by"
    )


# --- R30: charges made on a dealer's fee standard HQ had not approved ---------------------------------


def unapproved_fee_lines(user: Any | None = None) -> QuerySet[QuoteLine]:
    """R30: fee lines of quotes put to the customer (sent or approved) that were priced on a
    dealer's fee standard HQ had not approved when the line was drawn up (still awaiting approval,
    rejected, or approved only later); within the work orders `user` may see (all without one)."""
    lines = QuoteLine.objects.filter(
        fee_schedule__dealer__isnull=False, quote__state__in=(QuoteState.SENT, QuoteState.APPROVED)
    ).filter(
        ~Q(fee_schedule__approval_state=FeeApproval.APPROVED)
        | Q(fee_schedule__decided_at__gt=F("created_at"))
    )
    if user is not None:
        lines = lines.filter(quote__in=quote_scope(user))
    return lines.select_related(
        "quote__work_order__service_point", "quote__work_order__customer", "fee_schedule__dealer"
    )
