"""The printed documents of the dealer network: the part request (售后服务配件申请单, R28) and a
dealer's monthly statement (对账单); one template each for the print view and the PDF, and the
statement's spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.money import in_words

from .models import PartRequest
from .selectors_dealers import Statement, entry_document, part_request_steps

REQUEST_TEMPLATE = "parts/dealers/request_print.html"
STATEMENT_TEMPLATE = "parts/dealers/statement_print.html"


def request_print_context(request: PartRequest) -> dict[str, Any]:
    """The request's data: its lines (confirmed quantities and costs once HQ confirmed), total in
    words, its steps."""
    url = reverse("parts:part_request_detail", args=[request.pk])
    return {
        "title": _("After-sales part request"),
        "number": request.number,
        "record_url": url,
        "back_url": url,
        "pr": request,
        "lines": list(request.lines.all()),
        "events": part_request_steps(request),
        "total_words": in_words(request.total),
    }


def request_file_name(request: PartRequest) -> str:
    return f"{_('Part request')}-{request.number}"


def statement_number(statement: Statement) -> str:
    return f"{statement.dealer.code}-{statement.month:%Y%m}"


def statement_print_context(statement: Statement) -> dict[str, Any]:
    url = reverse("parts:account_statement", args=[statement.dealer.pk]) + f"?month={statement.label}"
    return {
        "title": _("Account statement"),
        "number": statement_number(statement),
        "record_url": url,
        "back_url": url,
        "statement": statement,
        "closing_words": in_words(abs(statement.closing)),
    }


def statement_file_name(statement: Statement) -> str:
    return f"{_('Account statement')}-{statement_number(statement)}"


def statement_headers() -> list[str]:
    return [
        _("Date"),
        _("Kind"),
        _("Document"),
        _("Reason"),
        _("Debit"),
        _("Credit"),
        _("Balance after"),
        _("By"),
    ]


def statement_rows(statement: Statement) -> Iterator[list[Any]]:
    """The statement as spreadsheet rows: the opening balance, each entry, the month's totals, the
    closing balance, then the charges flagged (R30)."""
    yield ["", _("Opening balance"), "", statement.label, "", "", statement.opening, ""]
    for entry in statement.entries:
        yield [
            timezone.localtime(entry.posted_at),
            entry.get_kind_display(),
            entry_document(entry),
            entry.reason,
            entry.amount if entry.amount > 0 else "",
            -entry.amount if entry.amount < 0 else "",
            entry.balance_after,
            entry.posted_by.display_name if entry.posted_by else "",
        ]
    yield ["", _("Total for the month"), "", "", statement.debits, statement.credits, "", ""]
    yield ["", _("Closing balance"), "", statement.label, "", "", statement.closing, ""]
    for flag in statement.flagged:
        yield [
            flag.day,
            _("Flagged"),
            flag.document,
            f"{flag.description}: {flag.reason}",
            flag.amount,
            "",
            "",
            "",
        ]
