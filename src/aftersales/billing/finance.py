"""The finance area (R10, R11, R15): receivables, payments and refunds, invoices to issue or send,
and refusals and waivers awaiting a supervisor; each a list with filters, search, sort, pages and
Excel export (`core.lists.ObjectListView`), scoped to the work orders the user may see (R37)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.money import yuan
from aftersales.workorders.hooks import detail_url

from .filtersets import (
    InvoiceListFilterSet,
    PaymentFilterSet,
    SettlementFilterSet,
    UnapprovedFeeFilterSet,
    WaiverFilterSet,
)
from .selectors import invoice_scope, payment_scope, settlement_scope, unapproved_fee_lines, waiver_scope

# Who works in the finance area: finance, the department heads, the clerks who chase invoices.
FINANCE_ROLES = frozenset({Role.FINANCE, Role.SUPERVISOR, Role.HQ_ADMIN, Role.CLERK})


def may_view_finance(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*FINANCE_ROLES))


# The tabs of the area: (list key, label, URL name).
FINANCE_TABS = (
    ("receivables", gettext_lazy("Receivables"), "billing:finance_receivables"),
    ("payments", gettext_lazy("Payments"), "billing:finance_payments"),
    ("invoices", gettext_lazy("Invoices"), "billing:finance_invoices"),
    ("waivers", gettext_lazy("Waivers"), "billing:finance_waivers"),
    ("unapproved_fees", gettext_lazy("Unapproved fee standards"), "billing:finance_unapproved_fees"),
)


def _work_order_link(work_order) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold">{}</a>',
        detail_url(work_order.pk, "money", "quote"),
        work_order.number,
    )


def _amount(name: str, label, *, sort: str = "", default: bool = True) -> Column:
    return Column(
        name,
        label,
        value=lambda row, user: getattr(row, name),
        html=lambda row, user: yuan(getattr(row, name)),
        sort=sort,
        css="text-end",
        default=default,
    )


class FinanceListView(ObjectListView):
    """A list of the finance area: for the finance roles only, with the area's tabs."""

    page_template = "billing/finance_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_view_finance(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def extra_context(self, request) -> dict:
        return {"finance_tabs": [(key, label, reverse(url)) for key, label, url in FINANCE_TABS]}


class ReceivablesListView(FinanceListView):
    """`/billing/finance/receivables/`: the settlements, those still owed first by default."""

    list_key = "receivables"
    title = gettext_lazy("Receivables")
    filterset_class = SettlementFilterSet
    search_placeholder = gettext_lazy("Work order or customer")
    columns = (
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda s, user: s.work_order.number,
            html=lambda s, user: _work_order_link(s.work_order),
            fixed=True,
        ),
        Column("customer", gettext_lazy("Customer"), value=lambda s, user: s.work_order.customer.name),
        Column("state", gettext_lazy("State"), value=lambda s, user: s.get_state_display(), sort="state"),
        _amount("customer_total", gettext_lazy("Owed"), sort="owed"),
        _amount("amount_paid", gettext_lazy("Paid")),
        _amount("amount_waived", gettext_lazy("Waived")),
        _amount("balance", gettext_lazy("Still owed")),
        Column("created", gettext_lazy("Settled at"), value=lambda s, user: s.created_at, sort="created"),
    )

    def get_queryset(self, request):
        return (
            settlement_scope(request.user)
            .select_related("work_order__customer")
            .order_by("-created_at", "-pk")
        )


class PaymentListView(FinanceListView):
    """`/billing/finance/payments/`: payments and refunds with their receipts."""

    list_key = "payments"
    title = gettext_lazy("Payments")
    filterset_class = PaymentFilterSet
    search_placeholder = gettext_lazy("Receipt, work order, reference or customer")
    columns = (
        Column(
            "receipt",
            gettext_lazy("Receipt"),
            value=lambda p, user: p.receipt_number,
            html=lambda p, user: format_html(
                '<a href="{}">{}</a>', reverse("billing:receipt", args=[p.pk]), p.receipt_number
            ),
            fixed=True,
        ),
        Column("recorded", gettext_lazy("Recorded"), value=lambda p, user: p.created_at, sort="recorded"),
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda p, user: p.settlement.work_order.number,
            html=lambda p, user: _work_order_link(p.settlement.work_order),
        ),
        Column(
            "customer", gettext_lazy("Customer"), value=lambda p, user: p.settlement.work_order.customer.name
        ),
        Column("kind", gettext_lazy("Kind"), value=lambda p, user: p.get_kind_display()),
        Column("method", gettext_lazy("Method"), value=lambda p, user: p.get_method_display()),
        _amount("amount", gettext_lazy("Amount"), sort="amount"),
        Column("reference", gettext_lazy("Reference"), value=lambda p, user: p.reference),
        Column("recorded_by", gettext_lazy("Recorded by"), value=lambda p, user: p.recorded_by.display_name),
    )

    def get_queryset(self, request):
        return payment_scope(request.user).order_by("-created_at", "-pk")


class InvoiceListView(FinanceListView):
    """`/billing/finance/invoices/`: invoice requests, the first due first; overdue ones in red."""

    list_key = "invoices"
    title = gettext_lazy("Invoices")
    filterset_class = InvoiceListFilterSet
    search_placeholder = gettext_lazy("Title, tax number, invoice or work order")
    columns = (
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda i, user: i.settlement.work_order.number,
            html=lambda i, user: _work_order_link(i.settlement.work_order),
            fixed=True,
        ),
        Column("title", gettext_lazy("Invoice title"), value=lambda i, user: i.title),
        Column("tax_number", gettext_lazy("Tax number"), value=lambda i, user: i.tax_number),
        Column("type", gettext_lazy("Type"), value=lambda i, user: i.get_invoice_type_display()),
        _amount("amount", gettext_lazy("Amount"), sort="amount"),
        Column("state", gettext_lazy("State"), value=lambda i, user: i.get_state_display()),
        Column("due", gettext_lazy("Due by"), value=lambda i, user: i.due_on, sort="due"),
        Column("number", gettext_lazy("Invoice number"), value=lambda i, user: i.invoice_number),
        Column("delivery", gettext_lazy("Delivered"), value=lambda i, user: i.get_delivery_display()),
    )

    def get_queryset(self, request):
        return invoice_scope(request.user).order_by("due_on", "pk")

    def row_css(self, row) -> str:
        return "table-danger" if row.overdue else ""


class WaiverListView(FinanceListView):
    """`/billing/finance/waivers/`: refusals and waiver requests; a supervisor decides on the work
    order's money tab."""

    list_key = "waivers"
    title = gettext_lazy("Waivers")
    filterset_class = WaiverFilterSet
    search_placeholder = gettext_lazy("Work order, customer or reason")
    columns = (
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda w, user: w.settlement.work_order.number,
            html=lambda w, user: _work_order_link(w.settlement.work_order),
            fixed=True,
        ),
        Column(
            "customer", gettext_lazy("Customer"), value=lambda w, user: w.settlement.work_order.customer.name
        ),
        Column("kind", gettext_lazy("The customer asks"), value=lambda w, user: w.get_kind_display()),
        _amount("amount_requested", gettext_lazy("Amount asked for"), sort="amount"),
        Column("reason", gettext_lazy("Reason"), value=lambda w, user: w.reason),
        Column(
            "requested_by", gettext_lazy("Recorded by"), value=lambda w, user: w.requested_by.display_name
        ),
        Column("requested", gettext_lazy("Requested"), value=lambda w, user: w.created_at, sort="requested"),
        Column("state", gettext_lazy("State"), value=lambda w, user: w.get_state_display()),
        Column(
            "approved",
            gettext_lazy("Waived"),
            value=lambda w, user: w.amount_approved,
            html=lambda w, user: yuan(w.amount_approved) if w.amount_approved is not None else "",
        ),
    )

    def get_queryset(self, request):
        return waiver_scope(request.user).order_by("-created_at", "-pk")


class UnapprovedFeeListView(FinanceListView):
    """`/billing/finance/unapproved-fees/`: R30: fees charged to customers on a dealer's fee
    standard HQ had not approved (awaiting approval, rejected, or approved only afterwards)."""

    list_key = "unapproved_fees"
    title = gettext_lazy("Fees on unapproved fee standards")
    filterset_class = UnapprovedFeeFilterSet
    search_placeholder = gettext_lazy("Work order, customer or fee")
    columns = (
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda line, user: line.quote.work_order.number,
            html=lambda line, user: _work_order_link(line.quote.work_order),
            fixed=True,
        ),
        Column("dealer", gettext_lazy("Dealer"), value=lambda line, user: line.fee_schedule.dealer.name),
        Column(
            "service_point",
            gettext_lazy("Service point"),
            value=lambda line, user: str(line.quote.work_order.service_point or ""),
        ),
        Column("fee", gettext_lazy("Fee"), value=lambda line, user: line.description),
        _amount("amount", gettext_lazy("Amount"), sort="amount"),
        Column(
            "schedule",
            gettext_lazy("Fee standard"),
            value=lambda line, user: line.fee_schedule.name,
            html=lambda line, user: format_html(
                '<a href="{}">{}</a>', line.fee_schedule.get_absolute_url(), line.fee_schedule.name
            ),
        ),
        Column(
            "approval",
            gettext_lazy("Approval"),
            value=lambda line, user: line.fee_schedule.get_approval_state_display(),
        ),
        Column("quote_state", gettext_lazy("Quote"), value=lambda line, user: line.quote.get_state_display()),
        Column(
            "charged", gettext_lazy("Charged at"), value=lambda line, user: line.created_at, sort="charged"
        ),
    )

    def get_queryset(self, request):
        return unapproved_fee_lines(request.user).order_by("-created_at", "-pk")

    def row_css(self, row) -> str:
        return "table-danger"
