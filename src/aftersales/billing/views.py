"""Pages of quotes (R8, R9): the quote page (phone-friendly: the engineer builds it on site and the
customer signs it there), its lines changed with live totals (HTMX: the lines and totals come back
as a partial), its lifecycle buttons, and the printed quote (报价单) with its PDF."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.forms import REFUSALS, attempt, error_messages, form_error_messages
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.money import in_words
from aftersales.core.pdf import document_response
from aftersales.core.transitions import Transition
from aftersales.core.views import TransitionView
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_get

from . import forms as f
from .choices import ApprovalMethod, QuoteState
from .models import Quote, QuoteLine
from .panels import payer_rows
from .selectors import quote_get, quote_scope, quotes_of
from .services import (
    quote_approve,
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
)
from .transitions import QUOTE, may_edit_quote, may_read_quotes


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


def _signature_data_url(quote: Quote) -> str:
    if not quote.signature:
        return ""
    with quote.signature.open("rb") as image:
        encoded = base64.b64encode(image.read()).decode()
    extension = quote.signature.name.rsplit(".", 1)[-1].lower()
    return f"data:image/{'jpeg' if extension == 'jpg' else extension};base64,{encoded}"


@login_required
@require_GET
def quote_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/billing/quotes/<pk>/print/` (`?format=pdf`): 报价单, the itemised quote with the totals per
    payer, the amount in words, its validity and, once approved, the customer's signature."""
    quote = _readable_quote(request, pk)
    lines = list(quote.lines.all())
    record_url = reverse("billing:quote_detail", args=[quote.pk])
    number = f"{quote.work_order.number}-{quote.version}"
    context = {
        "title": _("Quote"),
        "number": number,
        "record_url": record_url,
        "back_url": record_url,
        "quote": quote,
        "wo": quote.work_order,
        "lines": lines,
        "payers": payer_rows(lines),
        "customer_total_words": in_words(quote.customer_total),
        "signature": _signature_data_url(quote) if quote.state == QuoteState.APPROVED else "",
    }
    return document_response(
        request, template_name="billing/quote_print.html", context=context, filename=f"{_('Quote')}-{number}"
    )
