"""Pages of quotes (R8, R9): the quote page (phone-friendly: the engineer builds it on site and the
customer signs it there), its lines changed with live totals (HTMX: the lines and totals come back
as a partial), its lifecycle buttons, and the printed quote (报价单) with its PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.catalog.selectors import substitutes_by_part
from aftersales.core.forms import REFUSALS, attempt, error_messages, form_error_messages
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.pdf import form_response
from aftersales.core.transitions import Transition
from aftersales.core.views import TransitionView
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_get

from . import forms as f
from .choices import ApprovalMethod, QuoteState
from .models import Payment, Quote, QuoteLine, Settlement, WaiverRequest
from .panels import payer_rows, settlement_context
from .printing import quote_form, receipt_form
from .selectors import invoice_scope, quote_get, quote_scope, quotes_of, settlement_scope
from .services import (
    invoice_request,
    payment_record,
    quote_approve,
    quote_create,
    quote_discounts_apply,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
    quote_visit_parts_add,
    refund_record,
    settlement_create,
    waiver_decide,
    waiver_request,
)
from .transitions import INVOICE, QUOTE, may_edit_quote, may_read_quotes


def _readable_quote(request: HttpRequest, pk: int) -> Quote:
    if not may_read_quotes(request.user):
        raise PermissionDenied
    try:
        return quote_get(request.user, pk)
    except Quote.DoesNotExist:
        raise Http404 from None


def _lines_context(
    request: HttpRequest, quote: Quote, line_form: f.QuoteLineForm | None = None
) -> dict[str, Any]:
    """The lines, their totals per payer, and (on a draft the user may change) the forms."""
    lines = list(quote.lines.all())
    editable = may_edit_quote(request.user, quote)
    if editable:  # R32: what may be fitted instead of each part quoted
        offered = substitutes_by_part([line.part_id for line in lines if line.part_id], user=request.user)
        for line in lines:
            line.substitutes = offered.get(line.part_id, [])
    return {
        "quote": quote,
        "lines": lines,
        "payers": payer_rows(lines),
        "editable": editable,
        "line_form": (line_form or f.QuoteLineForm(user=request.user)) if editable else None,
    }


@login_required
@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/`: a quote version with its lines and what may be done now."""
    quote = _readable_quote(request, pk)
    user = request.user
    available = QUOTE.available(quote, user) if quote.work_order.is_open else []
    if quote.awaits_authorisation:
        available = [t for t in available if t.name != "send"]
    else:
        available = [t for t in available if t.name != "authorise"]
    context = {
        **_lines_context(request, quote),
        "wo": quote.work_order,
        "versions": quotes_of(quote.work_order),
        "actions": [(t, f.quote_action_form(quote, t, user)) for t in available],
        "may_sign": any(t.name == "approve" for t in available),
        "signature_form": f.QuoteSignatureForm(),
        "back_url": detail_url(quote.work_order_id, "money", "quote"),
        **(
            settlement_context(request, quote.work_order, quote) if quote.state == QuoteState.APPROVED else {}
        ),
    }
    return render_page_or_partial(
        request,
        page_template="billing/quote_detail.html",
        partial_template="billing/_quote_lines.html",
        context=context,
    )


@login_required
@require_POST
def quote_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/workorders/<pk>/quote/`: start the work order's quote (R9), then its page."""
    work_order = workorder_get(request.user, pk)
    try:
        quote = quote_create(work_order_id=work_order.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
        return redirect(detail_url(work_order.pk, "money", "quote"))
    messages.success(request, _("Quote drawn up: add its lines."))
    return redirect("billing:quote_detail", pk=quote.pk)


def _lines_response(request: HttpRequest, quote: Quote, form=None) -> HttpResponse:
    """For HTMX the lines and totals (with the form and its errors); otherwise back to the page."""
    if is_partial(request):
        quote = quote_get(request.user, quote.pk)
        return render_page_or_partial(
            request,
            page_template="billing/quote_detail.html",
            partial_template="billing/_quote_lines.html",
            context=_lines_context(request, quote, form),
        )
    if form is not None and form.errors:
        form_error_messages(request, form)
    return redirect("billing:quote_detail", pk=quote.pk)


@login_required
@require_POST
def quote_line_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/lines/`: add a line to a draft (R9)."""
    quote = _readable_quote(request, pk)
    form = f.QuoteLineForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        added = attempt(
            form,
            lambda: quote_line_add(
                quote_id=quote.pk,
                actor=request.user,
                kind=data["kind"],
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                part_id=data["part"].pk if data["part"] else None,
                description=data["description"],
                distance_km=data["distance_km"],
            ),
        )
        if added is not None:
            form = None
    return _lines_response(request, quote, form)


def _line_of(request: HttpRequest, pk: int) -> QuoteLine:
    if not may_read_quotes(request.user):
        raise PermissionDenied
    return get_object_or_404(QuoteLine.objects.filter(quote__in=quote_scope(request.user)), pk=pk)


@login_required
@require_POST
def quote_line_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/lines/<pk>/`: change a draft's line (R9)."""
    line = _line_of(request, pk)
    form = f.QuoteLineChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            form,
            lambda: quote_line_update(
                line_id=line.pk,
                actor=request.user,
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                description=data["description"],
            ),
        )
    if form.errors:
        form_error_messages(request, form)
    return _lines_response(request, line.quote)


@login_required
@require_POST
def quote_line_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/lines/<pk>/remove/`: take a line off a draft (R9)."""
    line = _line_of(request, pk)
    try:
        quote_line_remove(line_id=line.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return _lines_response(request, line.quote)


class QuoteTransitionView(TransitionView):
    """`/billing/quotes/<pk>/do/<action>/`: send, approve (noted by staff), reject, revise or
    authorise (R8); a revision opens the new version's page."""

    machine = QUOTE
    fields = f.QUOTE_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _readable_quote(request, pk)

    def run(self, request: HttpRequest, obj: Any, transition: Transition, form) -> Any:
        quote = super().run(request, obj, transition, form)
        if transition.name == "revise":
            return Quote.objects.get(previous_id=quote.pk)
        return quote

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("billing:quote_detail", pk=obj.pk)


@login_required
@require_POST
def quote_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/sign/`: the customer approves by signing on the screen (R8)."""
    quote = _readable_quote(request, pk)
    form = f.QuoteSignatureForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: quote_approve(
                quote_id=quote.pk,
                actor=request.user,
                approved_by_name=data["approved_by_name"],
                approval_method=ApprovalMethod.SIGNATURE,
                drawn_signature=data["signature"],
                signature_upload=data["stamp"],
            ),
        )
        if done:
            messages.success(request, _("The customer approved the quote."))
            return redirect("billing:quote_detail", pk=quote.pk)
    form_error_messages(request, form)
    return redirect("billing:quote_detail", pk=quote.pk)


@login_required
@require_GET
def quote_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/print/` (`?format=pdf`): 报价单 (`printing.quote_form`)."""
    return form_response(request, quote_form(request.user, pk))


# --- settlement (R9, R11, R15) ----------------------------------------------------------------------


def _back(request: HttpRequest, work_order_id: int) -> HttpResponse:
    """Back where the form was (the quote page on the phone), else the work order's money tab."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(detail_url(work_order_id, "money", "quote"))


def _settlement_for(request: HttpRequest, pk: int) -> Settlement:
    if not may_read_quotes(request.user):
        raise PermissionDenied
    return get_object_or_404(settlement_scope(request.user), pk=pk)


def _run(request: HttpRequest, form, call, done: str) -> bool:
    """A settlement form posted: the service's refusal as messages, or `done`."""
    if not form.is_valid():
        form_error_messages(request, form)
        return False
    if attempt(form, lambda: call(form.cleaned_data)) is None:
        form_error_messages(request, form)
        return False
    messages.success(request, done)
    return True


@login_required
@require_POST
def settlement_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/workorders/<pk>/settle/`: settle the fees as on the approved quote (R9, R15)."""
    work_order = workorder_get(request.user, pk)
    try:
        settlement_create(work_order_id=work_order.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Fees settled from the approved quote: take the payment."))
    return _back(request, work_order.pk)


def _settlement_form(request: HttpRequest, pk: int, form_class, service, done: str) -> HttpResponse:
    """A settlement's form posted: `service(settlement_id=, actor=, **cleaned_data)`, its refusal
    as messages, then back where the form was."""
    settlement = _settlement_for(request, pk)
    form = form_class(request.POST)
    _run(request, form, lambda data: service(settlement_id=settlement.pk, actor=request.user, **data), done)
    return _back(request, settlement.work_order_id)


@login_required
@require_POST
def payment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/settlements/<pk>/payments/`: a payment with its receipt (R15); a form sent twice
    (its idempotency key) records one payment."""
    return _settlement_form(
        request, pk, f.PaymentForm, payment_record, _("Payment recorded; the receipt is ready.")
    )


@login_required
@require_POST
def refund_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/settlements/<pk>/refunds/`: money given back (R15)."""
    return _settlement_form(request, pk, f.RefundForm, refund_record, _("Refund recorded."))


@login_required
@require_POST
def waiver_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/settlements/<pk>/waiver/`: the customer refuses or asks for a waiver (R11)."""
    done = _("Request recorded: the work order waits for a supervisor's decision.")
    return _settlement_form(request, pk, f.WaiverRequestForm, waiver_request, done)


@login_required
@require_POST
def waiver_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/waivers/<pk>/decide/`: a supervisor's decision (R11)."""
    waiver = get_object_or_404(
        WaiverRequest.objects.filter(settlement__in=settlement_scope(request.user)), pk=pk
    )
    form = f.WaiverDecisionForm(request.POST)
    _run(
        request,
        form,
        lambda d: waiver_decide(waiver_id=waiver.pk, actor=request.user, **d),
        _("Decision recorded."),
    )
    return _back(request, waiver.settlement.work_order_id)


@login_required
@require_GET
def receipt_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/payments/<pk>/receipt/` (`?format=pdf`): 收据 (or the refund voucher), numbered,
    with the amount in words, the charges and waivers, and a QR code that verifies it (R10, R15);
    `printing.receipt_form`, the API's too."""
    return form_response(request, receipt_form(request, pk))


@require_GET
def receipt_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    """`/billing/receipts/verify/<token>/`: what the receipt's QR code opens, for anyone holding
    the paper: genuine or not, its number, amount, date and payee; nothing about the customer."""
    payment = Payment.objects.filter(verify_token=token).select_related("settlement__work_order").first()
    return render(
        request, "billing/receipt_verify.html", {"payment": payment}, status=200 if payment else 404
    )


# --- invoices (R10) ---------------------------------------------------------------------------------


@login_required
@require_POST
def invoice_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/settlements/<pk>/invoices/`: the customer asks for an invoice (R10)."""
    return _settlement_form(
        request, pk, f.InvoiceRequestForm, invoice_request, _("Invoice request recorded.")
    )


class InvoiceTransitionView(TransitionView):
    """`/billing/invoices/<pk>/do/<action>/`: record an invoice issued or sent, or cancel the
    request (R10)."""

    machine = INVOICE
    fields = f.INVOICE_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        if not may_read_quotes(request.user):
            raise PermissionDenied
        return get_object_or_404(invoice_scope(request.user), pk=pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _back(request, obj.settlement.work_order_id)


@login_required
@require_POST
def quote_visit_parts_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/visit-parts/`: price the parts replaced on the visits (R9, R12)."""
    quote = _readable_quote(request, pk)
    try:
        added, unpriced = quote_visit_parts_add(quote_id=quote.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    else:
        if not added and not unpriced:
            messages.info(request, _("Every part replaced on the visits is on the quote."))
        if unpriced:
            messages.warning(
                request,
                _("No price list prices %(parts)s: add them with a unit price.")
                % {"parts": ", ".join(part.number for part in unpriced)},
            )
    return _lines_response(request, quote)


@login_required
@require_POST
def quote_discounts_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/discounts/`: apply the discount rules the work order meets (R35)."""
    quote = _readable_quote(request, pk)
    try:
        quote_discounts_apply(quote_id=quote.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return _lines_response(request, quote)
