"""Catalog pages. Parts: list (search, filters, sort, pages, Excel export in the import's format),
detail with fits and substitutes, Excel import. Price lists: list, detail with their prices
(search, pages, export), a new version, the import of prices. Fee schedules: list and detail with
their standards. Read by the staff who quote, fit, order or pay for parts; kept (imports, new
versions, retired rows) by HQ admins, supervisors and parts clerks (R37)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core.excel import sheet_response
from aftersales.core.forms import (
    REFUSALS,
    InputField,
    attempt,
    error_messages,
    form_error_messages,
    text_input,
)
from aftersales.core.htmx import render_page_or_partial
from aftersales.core.import_views import import_page, import_template_download
from aftersales.core.lists import Column, ObjectListView, page_numbers
from aftersales.core.views import TransitionView, transition_buttons

from .choices import FEE_STANDARD_KINDS, FeeApproval, FeeUnit, PeriodStatus
from .filtersets import FeeScheduleFilterSet, PartFilterSet, PriceListFilterSet, PriceListItemFilterSet
from .importing import (
    PART_COLUMNS_HELP,
    PART_HEADERS,
    PRICE_COLUMNS_HELP,
    part_export_rows,
    part_template,
    parts_import,
    price_list_items_import,
    price_list_sheet,
    price_template,
)
from .models import FeeSchedule, Part, PriceList, ProductLine, period_status
from .selectors import (
    PART_LINKS_PREFETCH,
    can_manage_parts,
    can_manage_prices,
    can_read_parts,
    can_read_prices,
    fee_schedule_history,
    fee_schedule_list,
    fee_schedule_scope,
    fee_standards,
    part_links,
    part_scope,
    price_list_items,
    price_list_list,
    price_list_scope,
    price_list_versions,
)
from .services import fee_schedule_submit, price_list_revise
from .transitions import FEE_SCHEDULE, may_decide_fee_schedule, may_submit_fee_schedule


def _number(part: Part, user: Any) -> str:
    return format_html('<a href="{}" class="fw-semibold">{}</a>', part.get_absolute_url(), part.number)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


PART_COLUMNS = (
    Column(
        "number",
        gettext_lazy("Part number"),
        value=lambda p, user: p.number,
        html=_number,
        sort="number",
        fixed=True,
    ),
    Column("name", gettext_lazy("Name"), value=lambda p, user: p.name, sort="name"),
    Column(
        "category",
        gettext_lazy("Part category"),
        value=lambda p, user: p.get_category_display(),
        sort="category",
    ),
    Column(
        "unit", gettext_lazy("Unit"), value=lambda p, user: p.get_unit_display(), css="d-none d-md-table-cell"
    ),
    Column(
        "fits",
        gettext_lazy("Fits models"),
        value=lambda p, user: "、".join(model.code for model in p.fits.all()),
        css="d-none d-md-table-cell",
    ),
    Column(
        "serialised", gettext_lazy("Serialised"), value=lambda p, user: _yes_no(p.serialised), default=False
    ),
    Column("active", gettext_lazy("Active"), value=lambda p, user: _yes_no(p.is_active), default=False),
    Column(
        "updated", gettext_lazy("Updated"), value=lambda p, user: p.updated_at, sort="updated", default=False
    ),
)


class PartListView(ObjectListView):
    """`/catalog/parts/`: the parts the user may see (retired ones for the catalog's keepers only);
    `?export=xlsx` writes the filtered rows in the import's format, so they import back."""

    list_key = "parts"
    title = gettext_lazy("Parts")
    filterset_class = PartFilterSet
    columns = PART_COLUMNS
    page_template = "catalog/parts/list.html"
    search_placeholder = gettext_lazy("Part number or name")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_parts(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return part_scope(request.user).prefetch_related("fits").order_by("number", "pk")

    def export(self, request, queryset, ids=None):
        return super().export(request, queryset.prefetch_related(*PART_LINKS_PREFETCH), ids)

    def export_headers(self, request) -> list[Any]:
        return list(PART_HEADERS)

    def export_rows(self, request, rows):
        return part_export_rows(rows)

    def row_css(self, row: Part) -> str:
        return "" if row.is_active else "text-body-secondary"

    def extra_context(self, request) -> dict:
        return {"can_import": can_manage_parts(request.user)}


@login_required
def part_detail(request, pk: int):
    if not can_read_parts(request.user):
        raise PermissionDenied
    part = get_object_or_404(part_scope(request.user), pk=pk)
    return render(
        request,
        "catalog/parts/detail.html",
        {
            "part": part,
            "fits": part.fits.select_related("product_line").order_by("code"),
            "substitutes": part_links(part, user=request.user),
            "can_manage": can_manage_parts(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def part_import(request):
    return import_page(
        request,
        allowed=can_manage_parts,
        run=parts_import,
        template_url=reverse("catalog:part_import_template"),
        title=_("Import parts"),
        columns=PART_COLUMNS_HELP,
    )


@login_required
def part_import_template(request):
    return import_template_download(
        request, allowed=can_manage_parts, content=part_template(), filename="parts-template.xlsx"
    )


# --- price lists ---------------------------------------------------------------------------------

STATUS_CSS = {
    PeriodStatus.UPCOMING: "text-bg-info",
    PeriodStatus.IN_EFFECT: "text-bg-success",
    PeriodStatus.ENDED: "text-bg-secondary",
    PeriodStatus.INACTIVE: "text-bg-light border",
}
# Prices shown per page of a price list.
ITEMS_PAGE_SIZE = 50


def status_badge(obj: PriceList | FeeSchedule) -> str:
    status = period_status(obj, timezone.localdate())
    return format_html(
        '<span class="badge {}" data-testid="status-{}">{}</span>', STATUS_CSS[status], status, status.label
    )


def _status_text(obj: PriceList | FeeSchedule) -> str:
    return str(period_status(obj, timezone.localdate()).label)


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def _require_price_reader(request) -> None:
    if not can_read_prices(request.user):
        raise PermissionDenied


PRICE_LIST_COLUMNS = (
    Column(
        "name",
        gettext_lazy("Name"),
        value=lambda pl, user: pl.name,
        html=lambda pl, user: format_html(
            '<a href="{}" class="fw-semibold">{}</a>', pl.get_absolute_url(), pl.name
        ),
        sort="name",
        fixed=True,
    ),
    Column("version", gettext_lazy("Version"), value=lambda pl, user: f"v{pl.version}", sort="version"),
    Column("region", gettext_lazy("Region"), value=lambda pl, user: pl.region_label, sort="province"),
    Column(
        "effective_from",
        gettext_lazy("Effective from"),
        value=lambda pl, user: _day(pl.effective_from),
        sort="effective_from",
    ),
    Column(
        "effective_until", gettext_lazy("Effective until"), value=lambda pl, user: _day(pl.effective_until)
    ),
    Column(
        "status",
        gettext_lazy("Status"),
        value=lambda pl, user: _status_text(pl),
        html=lambda pl, user: status_badge(pl),
    ),
    Column(
        "items",
        gettext_lazy("Parts priced"),
        value=lambda pl, user: pl.item_count,
        css="d-none d-md-table-cell",
    ),
    Column(
        "updated",
        gettext_lazy("Updated"),
        value=lambda pl, user: pl.updated_at,
        sort="updated",
        default=False,
    ),
)


class PriceListListView(ObjectListView):
    """`/catalog/price-lists/`: every version of every list the user may see (inactive ones for
    the keepers only), filtered by status (as of today), region and name; `?export=xlsx`."""

    list_key = "price_lists"
    title = gettext_lazy("Price lists")
    filterset_class = PriceListFilterSet
    columns = PRICE_LIST_COLUMNS
    search_placeholder = gettext_lazy("Price list name")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_prices(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return price_list_list(request.user)

    def row_css(self, row: PriceList) -> str:
        return "" if row.is_active else "text-body-secondary"


class RevisionForm(forms.Form):
    effective_from = forms.DateField(
        label=gettext_lazy("New version effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def price_list_detail(request, pk: int):
    """A price list with its prices (search by part number or name, pages, `?export=xlsx` in the
    import's format: `importing.price_list_sheet`), its other versions, and for its keepers: a new
    version, the import."""
    if request.GET.get("export") == "xlsx":
        return sheet_response(request, price_list_sheet(request, pk))
    _require_price_reader(request)
    price_list = get_object_or_404(price_list_scope(request.user), pk=pk)
    filterset = PriceListItemFilterSet(request.GET, queryset=price_list_items(price_list), request=request)
    items = filterset.qs
    page = Paginator(items, ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "price_list": price_list,
        "status": status_badge(price_list),
        "versions": price_list_versions(price_list, request.user),
        "filterset": filterset,
        "page": page,
        "page_numbers": page_numbers(page),
        "query": query.urlencode(),
        "list_url": request.path,
        "target": "#price-items",
        "can_manage": can_manage_prices(request.user),
        "editable": price_list.items_editable(today),
        "revision_form": RevisionForm(initial={"effective_from": today + timedelta(days=1)}),
    }
    return render_page_or_partial(
        request,
        page_template="catalog/price_lists/detail.html",
        partial_template="catalog/price_lists/_items.html",
        context=context,
    )


@login_required
@require_POST
def price_list_revise_view(request, pk: int):
    """POST: a new version of the list from the date given (its keepers only)."""
    if not can_manage_prices(request.user):
        raise PermissionDenied
    price_list = get_object_or_404(price_list_scope(request.user), pk=pk)
    form = RevisionForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect(price_list.get_absolute_url())
    try:
        revision = price_list_revise(
            price_list_id=price_list.pk,
            effective_from=form.cleaned_data["effective_from"],
            actor=request.user,
        )
    except REFUSALS as error:
        error_messages(request, error)
        return redirect(price_list.get_absolute_url())
    messages.success(
        request,
        _(
            "%(new)s made: it applies from %(day)s; %(old)s ends the day before. Its prices may be "
            "edited until then."
        )
        % {"new": revision.label, "day": revision.effective_from.isoformat(), "old": price_list.label},
    )
    return redirect(revision.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def price_list_import(request, pk: int):
    if not can_manage_prices(request.user):
        raise PermissionDenied
    price_list = get_object_or_404(price_list_scope(request.user), pk=pk)
    return import_page(
        request,
        allowed=can_manage_prices,
        run=partial(price_list_items_import, price_list_id=price_list.pk),
        template_url=reverse("catalog:price_import_template"),
        title=_("Import prices into %(list)s") % {"list": price_list.label},
        columns=PRICE_COLUMNS_HELP,
    )


@login_required
def price_import_template(request):
    return import_template_download(
        request, allowed=can_manage_prices, content=price_template(), filename="price-list-template.xlsx"
    )


# --- fee schedules -------------------------------------------------------------------------------

FEE_SCHEDULE_COLUMNS = (
    Column(
        "code",
        gettext_lazy("Code"),
        value=lambda s, user: s.code,
        html=lambda s, user: format_html(
            '<a href="{}" class="fw-semibold">{}</a>', s.get_absolute_url(), s.code
        ),
        sort="code",
        fixed=True,
    ),
    Column("name", gettext_lazy("Name"), value=lambda s, user: s.name),
    Column(
        "effective_from",
        gettext_lazy("Effective from"),
        value=lambda s, user: _day(s.effective_from),
        sort="effective_from",
    ),
    Column("effective_until", gettext_lazy("Effective until"), value=lambda s, user: _day(s.effective_until)),
    Column(
        "status",
        gettext_lazy("Status"),
        value=lambda s, user: _status_text(s),
        html=lambda s, user: status_badge(s),
    ),
    Column("standards", gettext_lazy("Fee standards"), value=lambda s, user: s.standard_count),
    Column(
        "dealer",
        gettext_lazy("Issued by"),
        value=lambda s, user: s.dealer.name if s.dealer else _("HQ"),
    ),
    Column(
        "approval",
        gettext_lazy("Approval"),
        value=lambda s, user: s.get_approval_state_display(),
        html=lambda s, user: approval_badge(s),
    ),
    Column(
        "updated", gettext_lazy("Updated"), value=lambda s, user: s.updated_at, sort="updated", default=False
    ),
)


APPROVAL_CSS = {
    FeeApproval.SUBMITTED: "text-bg-warning",
    FeeApproval.APPROVED: "text-bg-success",
    FeeApproval.REJECTED: "text-bg-danger",
}


def approval_badge(schedule: FeeSchedule) -> str:
    """R30: a dealer's standard awaiting approval, approved or rejected (HQ's: nothing to show)."""
    if schedule.dealer_id is None:
        return ""
    return format_html(
        '<span class="badge {}" data-testid="approval-{}">{}</span>',
        APPROVAL_CSS[FeeApproval(schedule.approval_state)],
        schedule.approval_state,
        schedule.get_approval_state_display(),
    )


class FeeScheduleListView(ObjectListView):
    """`/catalog/fee-schedules/`: the editions of the fee standards (收费标准), newest first; the
    dealers' own (R30) with their approval."""

    list_key = "fee_schedules"
    title = gettext_lazy("Fee standards")
    page_template = "catalog/fee_schedules/list.html"
    filterset_class = FeeScheduleFilterSet
    columns = FEE_SCHEDULE_COLUMNS
    search_placeholder = gettext_lazy("Code or name")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_prices(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return fee_schedule_list(request.user)

    def row_css(self, row: FeeSchedule) -> str:
        if row.approval_state == FeeApproval.SUBMITTED:
            return "table-warning"
        return "" if row.is_active else "text-body-secondary"

    def extra_context(self, request) -> dict:
        return {"may_submit": may_submit_fee_schedule(request.user)}


FEE_SCHEDULE_INPUTS: dict[str, InputField] = {"reason": text_input(gettext_lazy("Reason"))}


@login_required
def fee_schedule_detail(request, pk: int):
    """An edition with its standards, grouped by fee kind; a dealer's (R30) with its approval, the
    decision buttons for HQ and the history of the decision."""
    _require_price_reader(request)
    schedule = get_object_or_404(fee_schedule_scope(request.user), pk=pk)
    groups: dict[str, list] = {}
    for standard in fee_standards(schedule):
        groups.setdefault(str(standard.get_kind_display()), []).append(standard)
    decisions = transition_buttons(FEE_SCHEDULE, schedule, request.user, FEE_SCHEDULE_INPUTS)
    return render(
        request,
        "catalog/fee_schedules/detail.html",
        {
            "schedule": schedule,
            "status": status_badge(schedule),
            "approval": approval_badge(schedule),
            "groups": list(groups.items()),
            "can_manage": can_manage_prices(request.user),
            "editable": schedule.standards_editable(timezone.localdate()),
            "actions": decisions if may_decide_fee_schedule(request.user) else [],
            "history": fee_schedule_history(schedule) if schedule.dealer_id else [],
        },
    )


class FeeScheduleTransitionView(TransitionView):
    """`/catalog/fee-schedules/<pk>/do/<action>/`: HQ approves or rejects a dealer's standard (R30)."""

    machine = FEE_SCHEDULE
    fields = FEE_SCHEDULE_INPUTS

    def get_object(self, request, pk: int):
        _require_price_reader(request)
        return get_object_or_404(fee_schedule_scope(request.user), pk=pk)


class FeeScheduleSubmitForm(forms.Form):
    """R30: a dealer's local fee standard: its name, dates and up to STANDARD_ROWS fees."""

    code = forms.CharField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_until = forms.DateField(
        label=gettext_lazy("Effective until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FeeStandardRowForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Fee kind"),
        choices=[("", "—"), *((kind.value, kind.label) for kind in FEE_STANDARD_KINDS)],
        required=False,
    )
    unit = forms.ChoiceField(label=gettext_lazy("Charged"), choices=FeeUnit.choices, initial=FeeUnit.PER_TIME)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    product_line = forms.ModelChoiceField(
        label=gettext_lazy("Product line"), queryset=ProductLine.objects.all(), required=False
    )
    province = forms.CharField(label=gettext_lazy("Province"), max_length=32, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


STANDARD_ROWS = 6
FeeStandardFormSet = forms.formset_factory(FeeStandardRowForm, extra=STANDARD_ROWS, max_num=STANDARD_ROWS)


def _standards_of(formset) -> list[dict[str, Any]]:
    """The rows a fee kind was chosen in, as `fee_schedule_submit` takes them."""
    rows = []
    for data in formset.cleaned_data:
        if data.get("kind"):
            line = data.get("product_line")
            rows.append(
                {
                    "kind": data["kind"],
                    "unit": data["unit"],
                    "amount": data.get("amount") if data.get("amount") is not None else "",
                    "product_line_id": line.pk if line else None,
                    "province": data.get("province") or "",
                    "note": data.get("note") or "",
                }
            )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def fee_schedule_submit_view(request):
    """`/catalog/fee-schedules/submit/`: a dealer submits its local fee standard to HQ (R30)."""
    if not may_submit_fee_schedule(request.user):
        raise PermissionDenied
    form = FeeScheduleSubmitForm(request.POST or None)
    standards = FeeStandardFormSet(request.POST or None, prefix="standards")
    if request.method == "POST" and form.is_valid() and standards.is_valid():
        schedule = attempt(
            form,
            lambda: fee_schedule_submit(
                dealer_id=request.user.dealer_id,
                actor=request.user,
                standards=_standards_of(standards),
                **form.cleaned_data,
            ),
        )
        if schedule is not None:
            messages.success(request, _("Fee standard submitted: HQ approves it before it is used."))
            return redirect(schedule.get_absolute_url())
    return render(request, "catalog/fee_schedules/submit.html", {"form": form, "standards": standards})
