"""Device pages: list (search, pages, Excel export), detail, Excel import; scoped through the
device's customer (R37), customer phone masked where the role does not need it (R41)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core.excel import export_response
from aftersales.customers.importing import can_import
from aftersales.customers.views import import_page, import_template_download, phone_for

from .filtersets import DeviceFilterSet
from .importing import device_template, devices_import
from .models import Device
from .selectors import device_scope

PAGE_SIZE = 25


def _filtered(request) -> tuple[forms.Form, QuerySet[Device]]:
    queryset = (
        device_scope(request.user)
        .select_related("product_model__product_line", "customer")
        .order_by("serial_number", "pk")
    )
    filterset = DeviceFilterSet(request.GET or None, queryset=queryset)
    return filterset.form, filterset.qs


@login_required
def device_list(request):
    form, queryset = _filtered(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "devices/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_import": can_import(request.user)},
    )


@login_required
def device_export(request):
    form, queryset = _filtered(request)
    rows = (
        (
            d.product_model.code,
            d.product_model.name,
            d.product_model.product_line.name,
            d.serial_number,
            d.customer.code,
            d.customer.name,
            d.purchase_date,
            d.install_address,
        )
        for d in queryset.iterator(chunk_size=2000)
    )
    return export_response(
        request=request,
        resource="devices",
        title=_("Devices"),
        headers=[
            _("Model code"),
            _("Model"),
            _("Product line"),
            _("Serial number"),
            _("Customer code"),
            _("Customer"),
            _("Purchase date"),
            _("Install address"),
        ],
        rows=rows,
    )


@login_required
def device_detail(request, pk: int):
    device = get_object_or_404(
        device_scope(request.user).select_related("product_model__product_line", "customer__dealer"),
        pk=pk,
    )
    return render(
        request,
        "devices/detail.html",
        {"device": device, "customer_phone": phone_for(request.user, device.customer.phone)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_import(request):
    return import_page(
        request,
        run=devices_import,
        template_url=reverse("devices:import_template"),
        title=_("Import devices"),
        columns="产品型号, 序列号, 客户编码 / 客户名称, 购买日期 (2025-03-01), 安装地址",
    )


@login_required
def device_import_template(request):
    return import_template_download(request, content=device_template(), filename="devices-template.xlsx")
