"""Pages of the dealer network (R28-R31, R37):

- part requests (售后服务配件申请单): the list (filters, search, sort, pages, Excel), a new draft,
  its page with its lines edited in place (HTMX), HQ's confirmation of quantities and costs, the
  lifecycle buttons the user may press, its history, and its print view and PDF;
- dealer accounts: HQ finance's list of every dealer's balance and limit, an account's ledger
  (filters, pages, Excel) with finance's payment, credit limit and reversal forms, and the
  monthly statement (对账单) as a page, print view, PDF and Excel.

A dealer's staff see only their own dealer's requests and account: another's is "not found".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import Dealer
from aftersales.core.excel import sheet_response
from aftersales.core.forms import REFUSALS, attempt, error_messages, form_error_messages
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.models import ChangeRecord
from aftersales.core.money import yuan
from aftersales.core.pdf import form_response
from aftersales.core.views import TransitionView, transition_buttons

from . import forms_dealers as f
from .choices import PartRequestState
from .filtersets_dealers import AccountEntryFilterSet, DealerAccountFilterSet, PartRequestFilterSet
from .models import AccountEntry, DealerAccount, PartRequest, PartRequestLine
from .printing_dealers import part_request_form, statement_form, statement_sheet
from .selectors_dealers import (
    account_dealer_scope,
    account_of_dealer,
    entry_document,
    entry_document_url,
    entry_scope,
    is_over_limit,
    may_read_accounts,
    month_of,
    part_request_get,
    part_request_scope,
    part_request_steps,
    statement_for,
)
from .services.dealer_accounts import (
    account_entry_reverse,
    credit_limit_set,
    may_keep_accounts,
    payment_record,
)
from .services.requests import (
    part_request_create,
    part_request_line_add,
    part_request_line_remove,
    part_request_line_update,
    part_request_transition,
)
from .transitions import PART_REQUEST, may_draw_up_part_request, may_read_part_requests

# --- part requests ----------------------------------------------------------------------------------


def _require_reader(request: HttpRequest) -> None:
    if not may_read_part_requests(request.user):
        raise PermissionDenied


def _readable(request: HttpRequest, pk: int) -> PartRequest:
    _require_reader(request)
    try:
        return part_request_get(request.user, pk)
    except PartRequest.DoesNotExist:
        raise Http404 from None


def _request_link(pr: PartRequest, user: Any) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="request-link">{}</a>',
        reverse("parts:part_request_detail", args=[pr.pk]),
        pr.number,
    )


def _state_badge(pr: PartRequest, user: Any) -> str:
    css = {
        PartRequestState.RECEIVED: "text-bg-success",
        PartRequestState.REJECTED: "text-bg-danger",
        PartRequestState.CANCELLED: "text-bg-secondary",
        PartRequestState.DRAFT: "text-bg-light border",
    }.get(PartRequestState(pr.state), "text-bg-primary")
    return format_html('<span class="badge {}">{}</span>', css, pr.get_state_display())


REQUEST_COLUMNS = (
    Column(
        "number",
        gettext_lazy("Number"),
        value=lambda r, u: r.number,
        html=_request_link,
        sort="number",
        fixed=True,
    ),
    Column(
        "state",
        gettext_lazy("State"),
        value=lambda r, u: r.get_state_display(),
        html=_state_badge,
        sort="state",
    ),
    Column("dealer", gettext_lazy("Dealer"), value=lambda r, u: r.dealer.name),
    Column("service_point", gettext_lazy("Deliver to"), value=lambda r, u: r.service_point.name),
    Column(
        "total",
        gettext_lazy("Total at cost"),
        value=lambda r, u: r.total,
        html=lambda r, u: yuan(r.total),
        sort="total",
        css="text-end",
    ),
    Column(
        "ship_date",
        gettext_lazy("Estimated ship date"),
        value=lambda r, u: r.expected_ship_date or "",
    ),
    Column(
        "credit",
        gettext_lazy("Over the credit limit"),
        value=lambda r, u: _("Yes") if r.needs_credit_approval else "",
        default=False,
    ),
    Column("created", gettext_lazy("Drawn up"), value=lambda r, u: r.created_at, sort="created"),
    Column(
        "created_by",
        gettext_lazy("Requested by"),
        value=lambda r, u: r.created_by.display_name,
        default=False,
    ),
)


class PartRequestListView(ObjectListView):
    """`/parts/dealers/requests/`: the part requests in the user's scope, the newest first."""

    list_key = "part_requests"
    title = gettext_lazy("Part requests")
    filterset_class = PartRequestFilterSet
    columns = REQUEST_COLUMNS
    page_template = "parts/dealers/request_list.html"
    search_placeholder = gettext_lazy("Request number or part number")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_read_part_requests(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return part_request_scope(request.user).order_by("-created_at", "-pk")

    def row_css(self, row: PartRequest) -> str:
        return "table-warning" if row.needs_credit_approval and row.state == PartRequestState.ACCEPTED else ""

    def extra_context(self, request) -> dict:
        return {"may_create": may_draw_up_part_request(request.user)}


@login_required
@require_http_methods(["GET", "POST"])
def part_request_create_view(request: HttpRequest) -> HttpResponse:
    """`/parts/dealers/requests/new/`: a dealer's staff start a request (R28)."""
    if not may_draw_up_part_request(request.user):
        raise PermissionDenied
    form = f.PartRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = [(data["part"], data["quantity"] or 1)] if data["part"] else []
        created = attempt(
            form,
            lambda: part_request_create(
                service_point=data["service_point"], actor=request.user, lines=lines, note=data["note"]
            ),
        )
        if created is not None:
            messages.success(request, _("Part request %(number)s drawn up.") % {"number": created.number})
            return redirect("parts:part_request_detail", pk=created.pk)
    return render(request, "parts/dealers/request_form.html", {"form": form})


def _editable(request: HttpRequest, pr: PartRequest) -> bool:
    return (
        pr.state == PartRequestState.DRAFT
        and may_draw_up_part_request(request.user)
        and (request.user.is_superuser or request.user.dealer_id == pr.dealer_id)
    )


def _lines_context(request: HttpRequest, pr: PartRequest, line_form=None) -> dict[str, Any]:
    editable = _editable(request, pr)
    return {
        "pr": pr,
        "lines": list(pr.lines.all()),
        "editable": editable,
        "line_form": (line_form or f.PartRequestLineForm(user=request.user)) if editable else None,
    }


@login_required
@require_GET
def part_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/requests/<pk>/`: the request, its lines (edited in place while a draft), the
    actions the user may take now and its history."""
    pr = _readable(request, pk)
    buttons = [
        (t, form)
        for t, form in transition_buttons(PART_REQUEST, pr, request.user, f.REQUEST_INPUTS)
        if t.name != "confirm"
    ]
    may_confirm = any(t.name == "confirm" for t in PART_REQUEST.available(pr, request.user))
    context = {
        **_lines_context(request, pr),
        "actions": buttons,
        "confirm_form": f.ConfirmForm(lines=pr.lines.all()) if may_confirm else None,
        "events": part_request_steps(pr),
    }
    return render_page_or_partial(
        request,
        page_template="parts/dealers/request_detail.html",
        partial_template="parts/dealers/_request_lines.html",
        context=context,
    )


def _lines_response(request: HttpRequest, pr: PartRequest, form=None) -> HttpResponse:
    """For HTMX the lines (with the form and its errors); otherwise back to the page."""
    if is_partial(request):
        pr = part_request_get(request.user, pr.pk)
        return render(request, "parts/dealers/_request_lines.html", _lines_context(request, pr, form))
    if form is not None and form.errors:
        form_error_messages(request, form)
    return redirect("parts:part_request_detail", pk=pr.pk)


@login_required
@require_POST
def part_request_line_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/requests/<pk>/lines/`: a part added to a draft (R28)."""
    pr = _readable(request, pk)
    form = f.PartRequestLineForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        added = attempt(
            form,
            lambda: part_request_line_add(
                request_id=pr.pk, part=data["part"], quantity=data["quantity"], actor=request.user
            ),
        )
        if added is not None:
            form = None
    return _lines_response(request, pr, form)


def _line_of(request: HttpRequest, pk: int) -> PartRequestLine:
    _require_reader(request)
    return get_object_or_404(
        PartRequestLine.objects.filter(request__in=part_request_scope(request.user)).select_related(
            "request"
        ),
        pk=pk,
    )


@login_required
@require_POST
def part_request_line_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/request-lines/<pk>/`: a draft's line asks for another quantity."""
    line = _line_of(request, pk)
    form = f.LineQuantityForm(request.POST)
    if form.is_valid():
        attempt(
            form,
            lambda: part_request_line_update(
                line_id=line.pk, quantity=form.cleaned_data["quantity"], actor=request.user
            ),
        )
    if form.errors:
        form_error_messages(request, form)
    return _lines_response(request, line.request)


@login_required
@require_POST
def part_request_line_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/request-lines/<pk>/remove/`: a line taken off a draft."""
    line = _line_of(request, pk)
    try:
        part_request_line_remove(line_id=line.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return _lines_response(request, line.request)


class PartRequestTransitionView(TransitionView):
    """`/parts/dealers/requests/<pk>/do/<action>/`: submit, reject, accept, debit, ship, receive,
    cancel (R28); confirm has its own form with the lines."""

    machine = PART_REQUEST
    fields = f.REQUEST_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _readable(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("parts:part_request_detail", pk=obj.pk)


@login_required
@require_POST
def part_request_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/requests/<pk>/confirm/`: HQ confirms each line's quantity and unit cost (the
    cost price list's when left empty, R30) and the estimated ship date (R28)."""
    pr = _readable(request, pk)
    form = f.ConfirmForm(request.POST, lines=pr.lines.all())
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("parts:part_request_detail", pk=pr.pk)
    inputs = {name: value for name, value in form.inputs().items() if value not in (None, "")}
    try:
        part_request_transition(request_id=pr.pk, action="confirm", actor=request.user, **inputs)
    except REFUSALS as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Confirmed: the dealer is asked to accept it."))
    return redirect("parts:part_request_detail", pk=pr.pk)


@login_required
@require_GET
def part_request_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/requests/<pk>/print/` (`?format=pdf`): 售后服务配件申请单
    (`printing_dealers.part_request_form`)."""
    return form_response(request, part_request_form(request.user, pk))


# --- dealer accounts ----------------------------------------------------------------------------------


def _require_account_reader(request: HttpRequest) -> None:
    if not may_read_accounts(request.user):
        raise PermissionDenied


def _dealer_for(request: HttpRequest, pk: int) -> Dealer:
    """A dealer whose account the user may see (another dealer's: 404)."""
    _require_account_reader(request)
    return get_object_or_404(account_dealer_scope(request.user), pk=pk)


def _account(dealer: Dealer) -> DealerAccount | None:
    try:
        return dealer.account
    except DealerAccount.DoesNotExist:
        return None


def _balance(dealer: Dealer) -> Any:
    account = _account(dealer)
    return account.balance if account is not None else 0


def _limit(dealer: Dealer) -> Any:
    account = _account(dealer)
    return account.credit_limit if account is not None else None


def _account_link(dealer: Dealer, user: Any) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="account-link">{}</a>',
        reverse("parts:account_detail", args=[dealer.pk]),
        dealer.name,
    )


ACCOUNT_COLUMNS = (
    Column("dealer", gettext_lazy("Dealer"), value=lambda d, u: d.name, html=_account_link, fixed=True),
    Column("code", gettext_lazy("Code"), value=lambda d, u: d.code, sort="code"),
    Column(
        "balance",
        gettext_lazy("Balance owed"),
        value=lambda d, u: _balance(d),
        html=lambda d, u: yuan(_balance(d)),
        sort="balance",
        css="text-end",
    ),
    Column(
        "credit_limit",
        gettext_lazy("Credit limit"),
        value=lambda d, u: _limit(d) if _limit(d) is not None else "",
        html=lambda d, u: yuan(_limit(d)) if _limit(d) is not None else "—",
        sort="limit",
        css="text-end",
    ),
    Column(
        "over_limit",
        gettext_lazy("Over the limit"),
        value=lambda d, u: _("Yes") if is_over_limit(_account(d)) else "",
        html=lambda d, u: (
            format_html('<span class="badge text-bg-danger">{}</span>', _("Over the limit"))
            if is_over_limit(_account(d))
            else ""
        ),
    ),
)


class DealerAccountListView(ObjectListView):
    """`/parts/dealers/accounts/`: every dealer's balance and credit limit (HQ finance); a dealer's
    staff see their own."""

    list_key = "dealer_accounts"
    title = gettext_lazy("Dealer accounts")
    filterset_class = DealerAccountFilterSet
    columns = ACCOUNT_COLUMNS
    search_placeholder = gettext_lazy("Dealer name or code")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_read_accounts(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return account_dealer_scope(request.user)

    def row_css(self, row: Dealer) -> str:
        return "table-danger" if is_over_limit(_account(row)) else ""


def _signed(entry: AccountEntry, sign: int) -> Any:
    return entry.amount * sign if entry.amount * sign > 0 else ""


def _document_cell(entry: AccountEntry, user: Any) -> str:
    url = entry_document_url(entry)
    text = entry_document(entry)
    return format_html('<a href="{}">{}</a>', url, text) if url else text


ENTRY_COLUMNS = (
    Column("posted", gettext_lazy("Time"), value=lambda e, u: e.posted_at, sort="posted", fixed=True),
    Column("kind", gettext_lazy("Kind"), value=lambda e, u: e.get_kind_display()),
    Column("document", gettext_lazy("Document"), value=lambda e, u: entry_document(e), html=_document_cell),
    Column(
        "debit",
        gettext_lazy("Debit"),
        value=lambda e, u: _signed(e, 1),
        html=lambda e, u: yuan(e.amount) if e.amount > 0 else "",
        sort="amount",
        css="text-end",
    ),
    Column(
        "credit",
        gettext_lazy("Credit"),
        value=lambda e, u: _signed(e, -1),
        html=lambda e, u: yuan(-e.amount) if e.amount < 0 else "",
        css="text-end",
    ),
    Column(
        "balance_after",
        gettext_lazy("Balance after"),
        value=lambda e, u: e.balance_after,
        html=lambda e, u: yuan(e.balance_after),
        css="text-end",
    ),
    Column("reason", gettext_lazy("Reason"), value=lambda e, u: e.reason),
    Column("by", gettext_lazy("By"), value=lambda e, u: e.posted_by.display_name if e.posted_by else ""),
    Column(
        "reverse",
        gettext_lazy("Reverse"),
        template="parts/dealers/_entry_reverse.html",
        export=False,
        default=True,
    ),
)


class AccountLedgerView(ObjectListView):
    """`/parts/dealers/accounts/<dealer>/`: one dealer's account: balance, limit, its entries with
    filters, pages and Excel; finance's forms (payment, limit, reversal)."""

    list_key = "account_entries"
    title = gettext_lazy("Dealer account")
    filterset_class = AccountEntryFilterSet
    columns = ENTRY_COLUMNS
    page_template = "parts/dealers/account_detail.html"
    search_placeholder = gettext_lazy("Document or reason")
    page_filters = ("q", "kind", "posted_after", "posted_before")

    dealer: Dealer | None = None

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.pop("pk")
        if request.user.is_authenticated:
            self.dealer = _dealer_for(request, pk)
        return super().dispatch(request, *args, **kwargs)

    def get_columns(self, request):
        if may_keep_accounts(request.user):
            return list(self.columns)
        return [column for column in self.columns if column.key != "reverse"]

    def get_queryset(self, request):
        if self.dealer is None:
            return AccountEntry.objects.none()
        reversed_by = AccountEntry.objects.filter(reverses=OuterRef("pk"))
        return (
            entry_scope(request.user)
            .filter(account__dealer=self.dealer)
            .annotate(is_reversed=Exists(reversed_by))
            .order_by("-posted_at", "-id")
        )

    def extra_context(self, request) -> dict:
        dealer = self.dealer
        assert dealer is not None
        account = account_of_dealer(dealer)
        keeps = may_keep_accounts(request.user)
        history = (
            ChangeRecord.objects.filter(
                content_type=ContentType.objects.get_for_model(DealerAccount), object_id=account.pk
            )
            .select_related("actor")
            .order_by("-created_at")[:10]
            if account.pk
            else []
        )
        return {
            "dealer": dealer,
            "account": account,
            "over_limit": is_over_limit(account),
            "keeps": keeps,
            "payment_form": f.PaymentForm() if keeps else None,
            "limit_form": f.CreditLimitForm(initial={"credit_limit": account.credit_limit})
            if keeps
            else None,
            "limit_history": history,
            "this_month": timezone.localdate().strftime("%Y-%m"),
        }


@login_required
@require_POST
def account_payment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/accounts/<dealer>/payments/`: finance records money received (R28)."""
    dealer = _dealer_for(request, pk)
    form = f.PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        entry = attempt(form, lambda: payment_record(dealer=dealer, actor=request.user, **data))
        if entry is not None:
            messages.success(request, _("Payment of %(amount)s recorded.") % {"amount": yuan(-entry.amount)})
    if form.errors:
        form_error_messages(request, form)
    return redirect("parts:account_detail", pk=dealer.pk)


@login_required
@require_POST
def account_credit_limit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/accounts/<dealer>/credit-limit/`: finance sets (or removes) the limit."""
    dealer = _dealer_for(request, pk)
    form = f.CreditLimitForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: credit_limit_set(
                dealer=dealer, credit_limit=form.cleaned_data["credit_limit"], actor=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("Credit limit saved."))
    if form.errors:
        form_error_messages(request, form)
    return redirect("parts:account_detail", pk=dealer.pk)


@login_required
@require_POST
def account_entry_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/entries/<pk>/reverse/`: finance reverses an entry, saying why (R41)."""
    _require_account_reader(request)
    entry = get_object_or_404(entry_scope(request.user), pk=pk)
    form = f.ReverseForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: account_entry_reverse(
                entry=entry, actor=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("Entry reversed."))
    if form.errors:
        form_error_messages(request, form)
    return redirect("parts:account_detail", pk=entry.account.dealer_id)


@login_required
@require_GET
def account_statement_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/accounts/<dealer>/statement/?month=YYYY-MM`: the monthly statement (对账单):
    opening balance, the month's entries, closing balance, the charges flagged (R30); `?export=xlsx`
    for Excel."""
    dealer = _dealer_for(request, pk)
    try:
        month = month_of(request.GET.get("month"))
    except REFUSALS as error:
        error_messages(request, error)
        return redirect("parts:account_statement", pk=dealer.pk)
    statement = statement_for(dealer, month)
    if request.GET.get("export") == "xlsx":
        return sheet_response(request, statement_sheet(statement))
    return render(
        request,
        "parts/dealers/statement.html",
        {
            "statement": statement,
            "dealer": dealer,
            "month_form": f.MonthForm(initial={"month": statement.label}),
        },
    )


@login_required
@require_GET
def account_statement_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/dealers/accounts/<dealer>/statement/print/?month=YYYY-MM` (`&format=pdf`):
    对账单 (`printing_dealers.statement_form`); a month not written so is a 404."""
    try:
        form = statement_form(request.user, pk, request.GET.get("month"))
    except REFUSALS:
        raise Http404 from None
    return form_response(request, form)
