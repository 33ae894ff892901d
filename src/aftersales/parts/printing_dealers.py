"""The printed documents of the dealer network: the part request (售后服务配件申请单, R28) and a
dealer's monthly statement (对账单); one template each for the print view and the PDF, and the
statement's spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Dealer
from aftersales.core.excel import Sheet
from aftersales.core.money import in_words
from aftersales.core.pdf import PrintedForm, printable_record

from .models import PartRequest
from .selectors_dealers import (
    Statement,
    account_dealer_scope,
    entry_document,
    may_read_accounts,
    month_of,
    part_request_get,
    part_request_steps,
    statement_for,
)
from .transitions import may_read_part_requests

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


def part_request_form(user: Any, request_id: int) -> PrintedForm:
    """售后服务配件申请单 of a request the user may see (`request_print_context`): the print view's
    and the API's. 403 for a role that reads no request; 404 for one out of the user's scope
    (R37)."""
    pr = printable_record(
        user,
        request_id,
        allowed=may_read_part_requests,
        get=part_request_get,
        missing=PartRequest.DoesNotExist,
    )
    return PrintedForm(REQUEST_TEMPLATE, request_print_context(pr), name=request_file_name(pr))


def _account_dealer(user: Any, dealer_id: int) -> Dealer:
    return account_dealer_scope(user).get(pk=dealer_id)


def account_statement(user: Any, dealer_id: int, month: str | None) -> Statement:
    """The monthly statement of a dealer whose account the user may see, for the month written
    `YYYY-MM` (this month when empty): what its print view and the API's PDF and workbook show.
    403 for a role that reads no account; 404 for a dealer out of the user's scope (R37); a month
    not written so is refused by `month_of` (DomainError `invalid_month`)."""
    dealer = printable_record(
        user, dealer_id, allowed=may_read_accounts, get=_account_dealer, missing=Dealer.DoesNotExist
    )
    return statement_for(dealer, month_of(month))


def statement_form(user: Any, dealer_id: int, month: str | None) -> PrintedForm:
    """对账单 (`account_statement`): the print view's and the API's."""
    return PrintedForm(STATEMENT_TEMPLATE, statement_print_context(account_statement(user, dealer_id, month)))


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


def statement_sheet(statement: Statement) -> Sheet:
    """The statement as a workbook (`statement_rows`): the statement page's export
    (`?export=xlsx`) and the API's (`account_statement`)."""
    return Sheet(
        resource=f"statement-{statement_number(statement)}",
        title=str(_("Account statement")),
        headers=statement_headers(),
        rows=statement_rows(statement),
    )
