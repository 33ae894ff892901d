"""Parts catalog pages: list (search, filters, sort, pages, Excel export in the import's format),
detail with fits and substitutes, Excel import. Read by the staff who quote, fit or order parts;
kept (import, retired parts) by HQ admins, supervisors and parts clerks (R37)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aftersales.core.import_views import import_page, import_template_download
from aftersales.core.lists import Column, ObjectListView

from .filtersets import PartFilterSet
from .importing import PART_COLUMNS_HELP, PART_HEADERS, part_export_rows, part_template, parts_import
from .models import Part
from .selectors import PART_LINKS_PREFETCH, can_manage_parts, can_read_parts, part_links, part_scope


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
