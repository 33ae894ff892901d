"""Pages of the stock desk (R32, R37, R41): on hand across warehouses, the moves ledger, the
warehouses and each one's stock, the stock alerts and the reorder rules: lists with filters,
search, sort, pages and Excel export (`core.lists.ObjectListView`), scoped to the warehouses the
user may see (another dealer's warehouse is a 404, on the page and its export). A warehouse's page
receives purchased parts and scraps parts (HTMX forms); a refused posting for want of stock
offers the substitutes and the nearest stock. Transfers and counts are `views_stock_documents`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.forms import REFUSALS, attempt, error_messages, form_add_errors
from aftersales.core.htmx import is_partial
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.money import yuan
from aftersales.core.templatetags.ui import label_of

from .choices import WarehouseKind
from .errors import InsufficientStock
from .filtersets_stock import (
    AlertFilterSet,
    BalanceFilterSet,
    MoveFilterSet,
    ReorderRuleFilterSet,
    WarehouseFilterSet,
)
from .forms_stock import ReceiptForm, ReorderRuleChangeForm, ReorderRuleForm, ScrapForm
from .models import Warehouse
from .selectors_stock import (
    alert_scope,
    balance_scope,
    may_see_stock,
    move_scope,
    rule_scope,
    shortage_help,
    warehouse_get,
    warehouse_list,
)
from .services.alerts import reorder_rule_create, reorder_rule_delete, reorder_rule_update
from .services.stock import average_cost
from .services.stock_desk import stock_receive, stock_scrap
from .transitions import may_draw_up_stock_documents, may_keep_stock, may_write_stock

# The tabs of the stock desk: (key, label, URL name).
STOCK_TABS = (
    ("on_hand", gettext_lazy("On hand"), "parts:stock_list"),
    ("moves", gettext_lazy("Moves"), "parts:move_list"),
    ("warehouses", gettext_lazy("Warehouses"), "parts:warehouse_list"),
    ("transfers", gettext_lazy("Transfers"), "parts:transfer_list"),
    ("counts", gettext_lazy("Counts"), "parts:count_list"),
    ("alerts", gettext_lazy("Alerts"), "parts:alert_list"),
    ("rules", gettext_lazy("Reorder rules"), "parts:rule_list"),
)


def stock_tabs(current: str) -> dict[str, Any]:
    return {
        "stock_tabs": [(key, label, reverse(url)) for key, label, url in STOCK_TABS],
        "stock_tab": current,
    }


def _stock_reader(request: HttpRequest) -> None:
    if request.user.is_authenticated and not may_see_stock(request.user):
        raise PermissionDenied


class StockListView(ObjectListView):
    """A list of the stock desk: for those who see stock, with the desk's tabs."""

    page_template = "parts/stock/list.html"
    tab = ""

    def dispatch(self, request, *args, **kwargs):
        _stock_reader(request)
        return super().dispatch(request, *args, **kwargs)

    def extra_context(self, request) -> dict[str, Any]:
        return {**stock_tabs(self.tab), "may_draw_up": may_draw_up_stock_documents(request.user)}


# --- cells ---------------------------------------------------------------------------------------------


def warehouse_link(warehouse: Warehouse) -> str:
    return format_html(
        '<a href="{}" data-testid="warehouse-link">{}</a>',
        reverse("parts:warehouse_detail", args=[warehouse.pk]),
        warehouse.name,
    )


def _number(name: str, label, *, sort: str = "", default: bool = True, value=None) -> Column:
    read = value or (lambda row, user: getattr(row, name))
    return Column(name, label, value=read, sort=sort, css="text-end", default=default)


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


def _low(balance) -> bool:
    minimum = getattr(balance, "reorder_minimum", None)
    return minimum is not None and balance.projected_quantity <= minimum


def _part_cells(*, fixed: bool = False) -> tuple[Column, Column]:
    return (
        Column(
            "part",
            gettext_lazy("Part number"),
            value=lambda row, user: row.part.number,
            html=lambda row, user: format_html("<span class='fw-semibold'>{}</span>", row.part.number),
            sort="part",
            fixed=fixed,
        ),
        Column("part_name", gettext_lazy("Part"), value=lambda row, user: row.part.name),
    )


BALANCE_COLUMNS = (
    *_part_cells(fixed=True),
    _number("on_hand", gettext_lazy("On hand"), sort="on_hand"),
    _number("in_transit", gettext_lazy("In transit"), sort="in_transit"),
    _number("reserved", gettext_lazy("Reserved"), default=False),
    _number("available", gettext_lazy("Available")),
    _number("projected_quantity", gettext_lazy("Projected"), sort="projected", default=False),
    _number("reorder_minimum", gettext_lazy("Reorder point")),
    Column(
        "average_cost",
        gettext_lazy("Average cost"),
        value=lambda row, user: average_cost(row),
        html=lambda row, user: yuan(average_cost(row)),
        css="text-end",
        default=False,
    ),
    _amount("value", gettext_lazy("Value at cost"), sort="value"),
)


class OnHandListView(StockListView):
    """`/parts/stock/`: what each warehouse holds, across the warehouses in the user's scope
    (`?below=true`: at or under the reorder point by projected quantity)."""

    list_key = "stock_on_hand"
    title = gettext_lazy("Stock on hand")
    tab = "on_hand"
    filterset_class = BalanceFilterSet
    search_placeholder = gettext_lazy("Part number or name")
    columns = (
        Column(
            "warehouse",
            gettext_lazy("Warehouse"),
            value=lambda row, user: row.warehouse.name,
            html=lambda row, user: warehouse_link(row.warehouse),
            sort="warehouse",
            fixed=True,
        ),
        Column("kind", gettext_lazy("Kind"), value=lambda row, user: label_of(row.warehouse, "kind")),
        Column(
            "service_point",
            gettext_lazy("Service point"),
            value=lambda row, user: row.warehouse.service_point.name if row.warehouse.service_point else "",
            default=False,
        ),
        *BALANCE_COLUMNS,
    )

    def get_queryset(self, request):
        return balance_scope(request.user).order_by("warehouse__code", "part__number", "pk")

    def row_css(self, row) -> str:
        return "table-warning" if _low(row) else ""


class WarehouseListView(StockListView):
    """`/parts/warehouses/`: the warehouses in the user's scope: HQ, service points, vans and
    defective locations, with how many parts and units each holds."""

    list_key = "stock_warehouses"
    title = gettext_lazy("Warehouses")
    tab = "warehouses"
    filterset_class = WarehouseFilterSet
    search_placeholder = gettext_lazy("Code or name")
    columns = (
        Column("code", gettext_lazy("Code"), value=lambda w, user: w.code, sort="code", fixed=True),
        Column(
            "name",
            gettext_lazy("Name"),
            value=lambda w, user: w.name,
            html=lambda w, user: warehouse_link(w),
            sort="name",
        ),
        Column("kind", gettext_lazy("Kind"), value=lambda w, user: label_of(w, "kind"), sort="kind"),
        Column(
            "service_point",
            gettext_lazy("Service point"),
            value=lambda w, user: w.service_point.name if w.service_point else "",
        ),
        Column(
            "engineer",
            gettext_lazy("Engineer"),
            value=lambda w, user: w.engineer.user.display_name if w.engineer else "",
        ),
        _number("part_count", gettext_lazy("Parts held")),
        _number("unit_count", gettext_lazy("Units"), sort="units"),
        Column(
            "active",
            gettext_lazy("Active"),
            value=lambda w, user: _("yes") if w.is_active else _("no"),
            default=False,
        ),
    )

    def get_queryset(self, request):
        return warehouse_list(request.user).order_by("code", "pk")


class WarehouseStockView(StockListView):
    """`/parts/warehouses/<pk>/`: one warehouse and what it holds (filters, search by part,
    sort, pages, Excel), with its receipt and scrap forms for those who keep it. Another dealer's
    warehouse is a 404, on the page and its export."""

    list_key = "stock_warehouse"
    title = gettext_lazy("Warehouse stock")
    tab = "warehouses"
    page_template = "parts/stock/warehouse_detail.html"
    filterset_class = BalanceFilterSet
    page_filters = ("q", "below", "held")
    search_placeholder = gettext_lazy("Part number or name")
    columns = BALANCE_COLUMNS
    warehouse: Warehouse

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.pop("pk")
        if request.user.is_authenticated:
            _stock_reader(request)
            try:
                self.warehouse = warehouse_get(request.user, pk)
            except Warehouse.DoesNotExist:
                raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        rows = balance_scope(request.user).filter(warehouse=self.warehouse)
        return rows.order_by("part__number", "pk")

    def row_css(self, row) -> str:
        return "table-warning" if _low(row) else ""

    def extra_context(self, request) -> dict[str, Any]:
        return {
            **super().extra_context(request),
            **warehouse_forms_context(request, self.warehouse),
            "title": self.warehouse.name,
        }


def warehouse_forms_context(
    request: HttpRequest, warehouse: Warehouse, *, receipt=None, scrap=None
) -> dict[str, Any]:
    """The warehouse's header and the forms the user may use on it."""
    user = request.user
    writable = may_write_stock(user, warehouse)
    receivable = may_keep_stock(user) and writable and warehouse.kind != WarehouseKind.DEFECTIVE
    return {
        "warehouse": warehouse,
        "may_write": writable,
        "receipt_form": (receipt or ReceiptForm(user=user)) if receivable else None,
        "scrap_form": (scrap or ScrapForm(user=user)) if writable else None,
    }


# --- receipts and scrap (HTMX forms on the warehouse's page) --------------------------------------------


def _writable_warehouse(request: HttpRequest, pk: int) -> Warehouse:
    _stock_reader(request)
    try:
        return warehouse_get(request.user, pk)
    except Warehouse.DoesNotExist:
        raise Http404 from None


def _posting_response(request: HttpRequest, warehouse: Warehouse, form, kind: str, shortage=None):
    """HTMX: the form again (with its errors, and for want of stock the shortage help); a
    posting done reloads the page with its message. Without HTMX: back to the page."""
    if not form.errors:
        if is_partial(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("parts:warehouse_detail", args=[warehouse.pk])
            return response
        return redirect("parts:warehouse_detail", pk=warehouse.pk)
    if is_partial(request):
        return render(
            request,
            "parts/stock/_posting_form.html",
            {"warehouse": warehouse, "form": form, "kind": kind, "shortage": shortage},
        )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("parts:warehouse_detail", pk=warehouse.pk)


@login_required
@require_POST
def receipt_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/warehouses/<pk>/receive/`: purchased parts received at their unit cost (R32)."""
    warehouse = _writable_warehouse(request, pk)
    form = ReceiptForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        move = attempt(
            form,
            lambda: stock_receive(
                warehouse=warehouse,
                part=data["part"],
                quantity=data["quantity"],
                unit_cost=data["unit_cost"],
                reference=data["reference"],
                note=data["note"],
                actor=request.user,
            ),
        )
        if move is not None:
            messages.success(
                request,
                _("Received %(quantity)s × %(part)s: %(on_hand)s on hand.")
                % {"quantity": move.quantity, "part": data["part"], "on_hand": move.quantity_after},
            )
    return _posting_response(request, warehouse, form, "receipt")


@login_required
@require_POST
def scrap_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/warehouses/<pk>/scrap/`: parts written off with the reason (R32, R41); refused for
    want of stock with the substitutes and the nearest stock."""
    warehouse = _writable_warehouse(request, pk)
    form = ScrapForm(request.POST, user=request.user)
    shortage = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            move = stock_scrap(
                warehouse=warehouse,
                part=data["part"],
                quantity=data["quantity"],
                reason=data["reason"],
                actor=request.user,
            )
        except InsufficientStock as error:
            form.add_error("quantity", error.message)
            shortage = shortage_help(user=request.user, part=data["part"], warehouse=warehouse)
        except REFUSALS as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request,
                _("Scrapped %(quantity)s × %(part)s: %(on_hand)s left.")
                % {"quantity": -move.quantity, "part": data["part"], "on_hand": move.quantity_after},
            )
    return _posting_response(request, warehouse, form, "scrap", shortage)


@login_required
@require_GET
def alternatives_view(request: HttpRequest) -> HttpResponse:
    """`/parts/alternatives/?part=<id>&warehouse=<id>`: R32's shortage help for a part short in a
    warehouse: its substitutes in stock there, then the nearest warehouses holding it (a partial
    any page may load where an issue was refused)."""
    _stock_reader(request)
    try:
        warehouse = warehouse_get(request.user, int(request.GET.get("warehouse", "")))
        part = part_scope(request.user).get(pk=int(request.GET.get("part", "")))
    except (ValueError, Warehouse.DoesNotExist, Part.DoesNotExist):
        raise Http404 from None
    return render(
        request,
        "parts/stock/_alternatives.html",
        {"shortage": shortage_help(user=request.user, part=part, warehouse=warehouse)},
    )


# --- moves, alerts ----------------------------------------------------------------------------------------


def _work_order_link(move) -> str:
    if move.work_order is None:
        return ""
    return format_html(
        '<a href="{}">{}</a>', reverse("workorders:detail", args=[move.work_order_id]), move.work_order.number
    )


class MoveListView(StockListView):
    """`/parts/moves/`: the ledger (R32, R41): every movement with who, when, the document, the
    quantity and value after it; by warehouse, part, kind, document or work order and day."""

    list_key = "stock_moves"
    title = gettext_lazy("Stock moves")
    tab = "moves"
    filterset_class = MoveFilterSet
    search_placeholder = gettext_lazy("Part, document, work order or note")
    columns = (
        Column("time", gettext_lazy("Time"), value=lambda m, user: m.posted_at, sort="time", fixed=True),
        Column(
            "warehouse",
            gettext_lazy("Warehouse"),
            value=lambda m, user: m.warehouse.name,
            html=lambda m, user: warehouse_link(m.warehouse),
        ),
        *_part_cells(),
        Column("kind", gettext_lazy("Kind"), value=lambda m, user: label_of(m, "kind")),
        Column(
            "quantity",
            gettext_lazy("Quantity"),
            value=lambda m, user: m.quantity,
            html=lambda m, user: format_html(
                '<span class="{}">{}</span>',
                "text-success" if m.quantity > 0 else "text-danger",
                f"{m.quantity:+d}",
            ),
            sort="quantity",
            css="text-end",
        ),
        _number("quantity_after", gettext_lazy("On hand after")),
        _amount("unit_cost", gettext_lazy("Unit cost"), default=False),
        _amount("value", gettext_lazy("Value"), sort="value"),
        _amount("value_after", gettext_lazy("Value after"), default=False),
        Column("reference", gettext_lazy("Document"), value=lambda m, user: m.reference),
        Column(
            "work_order",
            gettext_lazy("Work order"),
            value=lambda m, user: m.work_order.number if m.work_order else "",
            html=lambda m, user: _work_order_link(m) or "—",
        ),
        Column(
            "posted_by",
            gettext_lazy("By"),
            value=lambda m, user: m.posted_by.display_name if m.posted_by else _("System"),
        ),
        Column("note", gettext_lazy("Note"), value=lambda m, user: m.note, default=False),
    )

    def get_queryset(self, request):
        return move_scope(request.user).order_by("-posted_at", "-pk")


class AlertListView(StockListView):
    """`/parts/alerts/`: stock alerts (R32), one per crossing of a reorder point, open ones first
    to act on (`?open=true`)."""

    list_key = "stock_alerts"
    title = gettext_lazy("Stock alerts")
    tab = "alerts"
    filterset_class = AlertFilterSet
    search_placeholder = gettext_lazy("Part number or name")
    columns = (
        Column(
            "raised", gettext_lazy("Raised"), value=lambda a, user: a.created_at, sort="raised", fixed=True
        ),
        Column(
            "warehouse",
            gettext_lazy("Warehouse"),
            value=lambda a, user: a.warehouse.name,
            html=lambda a, user: warehouse_link(a.warehouse),
        ),
        *_part_cells(),
        _number("projected", gettext_lazy("Projected"), sort="projected"),
        _number("minimum", gettext_lazy("Reorder point")),
        _number("suggested_quantity", gettext_lazy("Suggested order"), sort="suggested"),
        Column(
            "state",
            gettext_lazy("State"),
            value=lambda a, user: _("Resolved") if a.resolved_at else _("Open"),
            html=lambda a, user: format_html(
                '<span class="badge {}" data-testid="alert-state">{}</span>',
                "text-bg-secondary" if a.resolved_at else "text-bg-danger",
                _("Resolved") if a.resolved_at else _("Open"),
            ),
        ),
        Column("resolved", gettext_lazy("Resolved at"), value=lambda a, user: a.resolved_at, default=False),
    )

    def get_queryset(self, request):
        return alert_scope(request.user).order_by("-created_at", "-pk")

    def row_css(self, row) -> str:
        return "" if row.resolved_at else "table-danger"


# --- reorder rules ---------------------------------------------------------------------------------------


def _rule_actions(rule, user) -> str:
    if not may_write_stock(user, rule.warehouse):
        return ""
    return format_html(
        '<a class="btn btn-sm btn-outline-secondary" href="{}" data-testid="rule-edit">{}</a>',
        reverse("parts:rule_edit", args=[rule.pk]),
        _("Change"),
    )


class ReorderRuleListView(StockListView):
    """`/parts/reorder-rules/`: the reorder points (R32) of the warehouses in the user's scope."""

    list_key = "stock_reorder_rules"
    title = gettext_lazy("Reorder rules")
    tab = "rules"
    page_template = "parts/stock/rule_list.html"
    filterset_class = ReorderRuleFilterSet
    search_placeholder = gettext_lazy("Part number or name")
    columns = (
        Column(
            "warehouse",
            gettext_lazy("Warehouse"),
            value=lambda r, user: r.warehouse.name,
            html=lambda r, user: warehouse_link(r.warehouse),
            sort="warehouse",
            fixed=True,
        ),
        *_part_cells(),
        _number("minimum", gettext_lazy("Reorder point"), sort="minimum"),
        _number("target", gettext_lazy("Order up to")),
        Column("actions", "", html=_rule_actions, export=False, fixed=True),
    )

    def get_queryset(self, request):
        return rule_scope(request.user).order_by("warehouse__code", "part__number", "pk")


def _rule_page(request: HttpRequest, form, rule=None) -> HttpResponse:
    return render(
        request,
        "parts/stock/rule_form.html",
        {"form": form, "rule": rule, **stock_tabs("rules")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create_view(request: HttpRequest) -> HttpResponse:
    """`/parts/reorder-rules/new/`: a reorder point for a part in a warehouse (R32)."""
    _stock_reader(request)
    initial = {key: request.GET[key] for key in ("warehouse", "part") if request.GET.get(key)}
    form = ReorderRuleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = attempt(
            form,
            lambda: reorder_rule_create(
                warehouse=data["warehouse"],
                part=data["part"],
                minimum=data["minimum"],
                target=data["target"],
                actor=request.user,
            ),
        )
        if rule is not None:
            messages.success(request, _("Reorder rule saved."))
            return redirect("parts:rule_list")
    return _rule_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/reorder-rules/<pk>/`: change a rule's reorder point and target, or delete it."""
    _stock_reader(request)
    rule = get_object_or_404(rule_scope(request.user), pk=pk)
    form = ReorderRuleChangeForm(
        request.POST or None, initial={"minimum": rule.minimum, "target": rule.target}
    )
    if request.method == "POST" and request.POST.get("delete"):
        try:
            reorder_rule_delete(rule_id=rule.pk, actor=request.user)
        except REFUSALS as error:
            error_messages(request, error)
            return redirect("parts:rule_edit", pk=rule.pk)
        messages.success(request, _("Reorder rule deleted."))
        return redirect("parts:rule_list")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = attempt(
            form,
            lambda: reorder_rule_update(
                rule_id=rule.pk, minimum=data["minimum"], target=data["target"], actor=request.user
            ),
        )
        if changed is not None:
            messages.success(request, _("Reorder rule saved."))
            return redirect("parts:rule_list")
    return _rule_page(request, form, rule)
