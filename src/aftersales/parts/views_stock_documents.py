"""Pages of the stock desk's documents (R32): transfers (调拨单: list, new, detail with its lines
and lifecycle buttons, printed form and PDF) and stock counts (盘点: list, new, the count sheet
with its counted quantities entered line by line over HTMX, its Excel export and lifecycle
buttons). Scoped to the warehouses the user may see: another dealer's document is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.excel import sheet_response
from aftersales.core.forms import REFUSALS, attempt, error_messages, form_add_errors
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.lists import Column
from aftersales.core.pdf import form_response
from aftersales.core.templatetags.ui import label_of
from aftersales.core.views import TransitionView, transition_buttons

from .choices import CountState, TransferState
from .errors import InsufficientStock
from .filtersets_stock import CountFilterSet, TransferFilterSet
from .forms_stock import STOCK_INPUTS, CountForm, TransferForm, TransferLineAddForm, TransferLineFormSet
from .models import StockCount, StockCountLine, StockTransfer, TransferLine
from .printing_stock import count_sheet, transfer_form
from .selectors_stock import available_at, count_get, count_scope, shortage_help, transfer_get, transfer_scope
from .services.counts import count_create, count_lines_set, count_sheet_import
from .services.transfers import transfer_create, transfer_line_add, transfer_line_remove
from .transitions import COUNT, TRANSFER, may_count, may_edit_transfer, may_write_stock, van_engineer_user_id
from .views_stock import StockListView, _stock_reader, stock_tabs, warehouse_link

TRANSFER_STATE_CLASSES = {
    TransferState.DRAFT: "text-bg-secondary",
    TransferState.SHIPPED: "text-bg-warning",
    TransferState.RECEIVED: "text-bg-success",
    TransferState.CANCELLED: "text-bg-light border",
}
COUNT_STATE_CLASSES = {
    CountState.DRAFT: "text-bg-info",
    CountState.SUBMITTED: "text-bg-warning",
    CountState.APPROVED: "text-bg-success",
    CountState.CANCELLED: "text-bg-light border",
}


def state_badge(obj, classes: dict[str, str]) -> str:
    return format_html(
        '<span class="badge {}" data-testid="state" data-state="{}">{}</span>',
        classes.get(obj.state, "text-bg-secondary"),
        obj.state,
        label_of(obj, "state"),
    )


# --- transfers ------------------------------------------------------------------------------------------


def _transfer_link(transfer: StockTransfer, user=None) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="transfer-link">{}</a>',
        reverse("parts:transfer_detail", args=[transfer.pk]),
        transfer.number,
    )


class TransferListView(StockListView):
    """`/parts/transfers/`: transfers from or to the warehouses in the user's scope
    (`?state=shipped`: in transit)."""

    list_key = "stock_transfers"
    title = gettext_lazy("Transfers")
    tab = "transfers"
    page_template = "parts/stock/transfer_list.html"
    filterset_class = TransferFilterSet
    search_placeholder = gettext_lazy("Number, tracking number or note")
    columns = (
        Column(
            "number",
            gettext_lazy("Number"),
            value=lambda t, user: t.number,
            html=_transfer_link,
            sort="number",
            fixed=True,
        ),
        Column(
            "state",
            gettext_lazy("State"),
            value=lambda t, user: label_of(t, "state"),
            html=lambda t, user: state_badge(t, TRANSFER_STATE_CLASSES),
            fixed=True,
        ),
        Column(
            "source",
            gettext_lazy("From"),
            value=lambda t, user: t.source.name,
            html=lambda t, user: warehouse_link(t.source),
        ),
        Column(
            "destination",
            gettext_lazy("To"),
            value=lambda t, user: t.destination.name,
            html=lambda t, user: warehouse_link(t.destination),
        ),
        Column("lines", gettext_lazy("Lines"), value=lambda t, user: t.line_count, css="text-end"),
        Column("created", gettext_lazy("Created"), value=lambda t, user: t.created_at, sort="created"),
        Column("shipped", gettext_lazy("Shipped"), value=lambda t, user: t.shipped_at),
        Column("received", gettext_lazy("Received"), value=lambda t, user: t.received_at),
        Column("carrier", gettext_lazy("Carrier"), value=lambda t, user: t.carrier, default=False),
        Column("tracking", gettext_lazy("Tracking number"), value=lambda t, user: t.tracking_number),
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda t, user: t.work_order.number if t.work_order else "",
            default=False,
        ),
        Column("created_by", gettext_lazy("Created by"), value=lambda t, user: t.created_by.display_name),
    )

    def get_queryset(self, request):
        return transfer_scope(request.user).annotate(line_count=Count("lines")).order_by("-created_at", "-pk")


def _readable_transfer(request: HttpRequest, pk: int) -> StockTransfer:
    _stock_reader(request)
    try:
        return transfer_get(request.user, pk)
    except StockTransfer.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create_view(request: HttpRequest) -> HttpResponse:
    """`/parts/transfers/new/` (`?source=<id>`): a draft transfer with its lines (R32)."""
    _stock_reader(request)
    user = request.user
    initial = {"source": request.GET["source"]} if request.GET.get("source", "").isdigit() else {}
    form = TransferForm(request.POST or None, user=user, initial=initial)
    lines = TransferLineFormSet(request.POST or None, user=user, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        try:
            transfer = transfer_create(
                source=data["source"],
                destination=data["destination"],
                lines=lines.lines(),
                work_order=data["work_order"],
                note=data["note"],
                actor=user,
            )
        except REFUSALS as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Transfer %(number)s drawn up.") % {"number": transfer.number})
            return redirect("parts:transfer_detail", pk=transfer.pk)
    return render(
        request,
        "parts/stock/transfer_form.html",
        {"form": form, "lines": lines, **stock_tabs("transfers")},
        status=400 if form.errors or lines.total_error_count() else 200,
    )


def _may_act(user, transfer: StockTransfer, action: str) -> bool:
    """The buttons of the side the user keeps: ship and cancel at the source, receive at the
    destination (the machine's guard refuses the others anyway)."""
    if action == "receive":
        return (
            may_write_stock(user, transfer.destination)
            or van_engineer_user_id(transfer.destination) == user.pk
        )
    return may_write_stock(user, transfer.source)


def _transfer_context(request: HttpRequest, transfer: StockTransfer, line_form=None) -> dict[str, Any]:
    user = request.user
    lines = list(transfer.lines.all())
    editable = may_edit_transfer(user, transfer)
    if transfer.state == TransferState.DRAFT:
        available = available_at(transfer.source_id, [line.part_id for line in lines])
        for line in lines:
            line.available = available.get(line.part_id, 0)
            line.short = line.available < line.quantity
    return {
        "transfer": transfer,
        "lines": lines,
        "events": list(transfer.events.all()),
        "editable": editable,
        "line_form": (line_form or TransferLineAddForm(user=user)) if editable else None,
        "actions": [
            (transition, form)
            for transition, form in transition_buttons(TRANSFER, transfer, user, STOCK_INPUTS)
            if _may_act(user, transfer, transition.name)
        ],
        "state_badge": state_badge(transfer, TRANSFER_STATE_CLASSES),
        "state_labels": TRANSFER.state_labels,
        **stock_tabs("transfers"),
    }


@login_required
@require_GET
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/transfers/<pk>/`: a transfer, its lines (with what the source has for a draft),
    its steps and the buttons the user may use now."""
    transfer = _readable_transfer(request, pk)
    context = _transfer_context(request, transfer)
    kept = request.session.pop("stock_shortage", None)
    if kept and kept.get("transfer") == transfer.pk:
        line = next((line for line in context["lines"] if line.part_id == kept.get("part")), None)
        if line is not None:  # R32: the shipment just refused for want of this part
            context["shortage"] = shortage_help(user=request.user, part=line.part, warehouse=transfer.source)
    return render_page_or_partial(
        request,
        page_template="parts/stock/transfer_detail.html",
        partial_template="parts/stock/_transfer_lines.html",
        context=context,
    )


def _lines_response(request: HttpRequest, transfer_id: int, form=None) -> HttpResponse:
    transfer = _readable_transfer(request, transfer_id)
    if is_partial(request):
        return render(request, "parts/stock/_transfer_lines.html", _transfer_context(request, transfer, form))
    if form is not None and form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("parts:transfer_detail", pk=transfer.pk)


@login_required
@require_POST
def transfer_line_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/transfers/<pk>/lines/`: a part added to a draft."""
    transfer = _readable_transfer(request, pk)
    form = TransferLineAddForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        added = attempt(
            form,
            lambda: transfer_line_add(
                transfer_id=transfer.pk, part=data["part"], quantity=data["quantity"], actor=request.user
            ),
        )
        if added is not None:
            form = None
    return _lines_response(request, transfer.pk, form)


@login_required
@require_POST
def transfer_line_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/transfer-lines/<pk>/remove/`: a line taken off a draft."""
    _stock_reader(request)
    line = get_object_or_404(TransferLine.objects.filter(transfer__in=transfer_scope(request.user)), pk=pk)
    try:
        transfer_line_remove(line_id=line.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return _lines_response(request, line.transfer_id)


class TransferTransitionView(TransitionView):
    """`/parts/transfers/<pk>/do/<action>/`: ship, receive or cancel (R32); a shipment refused
    for want of stock says which part and offers the shortage help on the page."""

    machine = TRANSFER
    fields = STOCK_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _readable_transfer(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("parts:transfer_detail", pk=obj.pk)

    def run(self, request, obj, transition, form):
        try:
            return super().run(request, obj, transition, form)
        except InsufficientStock as error:
            request.session["stock_shortage"] = {"transfer": obj.pk, "part": error.part_id}
            raise


@login_required
@require_GET
def transfer_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/transfers/<pk>/print/` (`?format=pdf`): 调拨单, the transfer's form with its lines,
    carrier and tracking number, and a QR code that opens it (`printing_stock.transfer_form`)."""
    return form_response(request, transfer_form(request, pk))


# --- counts ---------------------------------------------------------------------------------------------


def _count_link(count: StockCount, user=None) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="count-link">{}</a>',
        reverse("parts:count_detail", args=[count.pk]),
        count.number,
    )


class CountListView(StockListView):
    """`/parts/counts/`: stock counts of the warehouses in the user's scope (`?state=submitted`
    wait for approval)."""

    list_key = "stock_counts"
    title = gettext_lazy("Stock counts")
    tab = "counts"
    page_template = "parts/stock/count_list.html"
    filterset_class = CountFilterSet
    search_placeholder = gettext_lazy("Number or note")
    columns = (
        Column(
            "number", gettext_lazy("Number"), value=lambda c, user: c.number, html=_count_link, fixed=True
        ),
        Column(
            "state",
            gettext_lazy("State"),
            value=lambda c, user: label_of(c, "state"),
            html=lambda c, user: state_badge(c, COUNT_STATE_CLASSES),
            fixed=True,
        ),
        Column(
            "warehouse",
            gettext_lazy("Warehouse"),
            value=lambda c, user: c.warehouse.name,
            html=lambda c, user: warehouse_link(c.warehouse),
        ),
        Column("lines", gettext_lazy("Lines"), value=lambda c, user: c.line_count, css="text-end"),
        Column("created", gettext_lazy("Created"), value=lambda c, user: c.created_at, sort="created"),
        Column("created_by", gettext_lazy("Counted by"), value=lambda c, user: c.created_by.display_name),
        Column("submitted", gettext_lazy("Submitted"), value=lambda c, user: c.submitted_at),
        Column("approved", gettext_lazy("Approved"), value=lambda c, user: c.approved_at),
        Column(
            "approved_by",
            gettext_lazy("Approved by"),
            value=lambda c, user: c.approved_by.display_name if c.approved_by else "",
            default=False,
        ),
    )

    def get_queryset(self, request):
        return count_scope(request.user).annotate(line_count=Count("lines")).order_by("-created_at", "-pk")


def _readable_count(request: HttpRequest, pk: int) -> StockCount:
    _stock_reader(request)
    try:
        return count_get(request.user, pk)
    except StockCount.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def count_create_view(request: HttpRequest) -> HttpResponse:
    """`/parts/counts/new/` (`?warehouse=<id>`): a count sheet of a warehouse (R32)."""
    _stock_reader(request)
    initial = {"warehouse": request.GET["warehouse"]} if request.GET.get("warehouse", "").isdigit() else {}
    form = CountForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        count = attempt(
            form,
            lambda: count_create(
                warehouse=data["warehouse"],
                parts=list(data["parts"]) or None,
                note=data["note"],
                actor=request.user,
            ),
        )
        if count is not None:
            messages.success(
                request, _("Count sheet %(number)s made: enter what you find.") % {"number": count.number}
            )
            return redirect("parts:count_detail", pk=count.pk)
    return render(
        request,
        "parts/stock/count_form.html",
        {"form": form, **stock_tabs("counts")},
        status=400 if form.errors else 200,
    )


def _count_lines(count: StockCount) -> list[StockCountLine]:
    return list(count.lines.all())


@login_required
@require_GET
def count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/counts/<pk>/`: the count sheet: expected, counted and the difference per line,
    entered line by line while counting; `?export=xlsx` is the sheet in Excel
    (`printing_stock.count_sheet`)."""
    if request.GET.get("export") == "xlsx":
        return sheet_response(request, count_sheet(request.user, pk))
    count = _readable_count(request, pk)
    lines = _count_lines(count)
    context = {
        "count": count,
        "lines": lines,
        "events": list(count.events.all()),
        "counting": may_count(request.user, count),
        "counted_lines": sum(1 for line in lines if line.counted is not None),
        "differences": sum(1 for line in lines if line.difference),
        "actions": transition_buttons(COUNT, count, request.user, STOCK_INPUTS),
        "state_badge": state_badge(count, COUNT_STATE_CLASSES),
        "state_labels": COUNT.state_labels,
        **stock_tabs("counts"),
    }
    return render(request, "parts/stock/count_detail.html", context)


@login_required
@require_POST
def count_lines_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/counts/<pk>/lines/`: counted quantities (`counted-<line id>`): one line over HTMX
    (its row comes back with the difference), or the whole sheet from the form."""
    count = _readable_count(request, pk)
    counted = {
        int(key.removeprefix("counted-")): value
        for key, value in request.POST.items()
        if key.startswith("counted-") and key.removeprefix("counted-").isdigit()
    }
    error = None
    try:
        count_lines_set(count_id=count.pk, counted=counted, actor=request.user)
    except REFUSALS as refused:
        error = getattr(refused, "message", None) or "; ".join(getattr(refused, "messages", [str(refused)]))
    if is_partial(request) and len(counted) == 1:
        line_id = next(iter(counted))
        line = get_object_or_404(StockCountLine.objects.select_related("part"), pk=line_id, count=count)
        return render(
            request,
            "parts/stock/_count_line.html",
            {"line": line, "count": count, "counting": may_count(request.user, count), "error": error},
            status=200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Counted quantities saved."))
    return redirect("parts:count_detail", pk=count.pk)


@login_required
@require_POST
def count_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/counts/<pk>/import/`: the counted quantities from the sheet's Excel export, filled
    in (all or nothing; a refused row is named)."""
    count = _readable_count(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the filled-in sheet (.xlsx)."))
        return redirect("parts:count_detail", pk=count.pk)
    try:
        done = count_sheet_import(count_id=count.pk, upload=upload, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    else:
        messages.success(request, _("%(count)s counted quantities read from the sheet.") % {"count": done})
    return redirect("parts:count_detail", pk=count.pk)


class CountTransitionView(TransitionView):
    """`/parts/counts/<pk>/do/<action>/`: submit, approve (posts the differences), send back for
    a recount or cancel (R32)."""

    machine = COUNT
    fields = STOCK_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _readable_count(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("parts:count_detail", pk=obj.pk)
