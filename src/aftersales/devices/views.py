"""Device pages: list (search, pages, Excel export), detail, Excel import; scoped through the
device's customer (R37), customer phone masked where the role does not need it (R41)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aftersales.core.lists import Column, ObjectListView
from aftersales.customers.importing import can_import
from aftersales.customers.views import import_page, import_template_download, phone_for

from .filtersets import DeviceFilterSet
from .importing import device_template, devices_import
from .selectors import device_scope

DEVICE_COLUMNS = (
    Column(
        "serial",
        gettext_lazy("Serial number"),
        value=lambda d, user: d.serial_number,
        template="devices/cells/_serial.html",
        sort="serial",
        fixed=True,
    ),
    Column(
        "model_code", gettext_lazy("Model code"), value=lambda d, user: d.product_model.code, default=False
    ),
    Column("model", gettext_lazy("Model"), value=lambda d, user: d.product_model.name),
    Column(
        "product_line",
        gettext_lazy("Product line"),
        value=lambda d, user: d.product_model.product_line.name,
        css="d-none d-md-table-cell",
    ),
    Column(
        "customer_code", gettext_lazy("Customer code"), value=lambda d, user: d.customer.code, default=False
    ),
    Column("customer", gettext_lazy("Customer"), value=lambda d, user: d.customer.name, sort="customer"),
    Column(
        "purchase_date",
        gettext_lazy("Purchase date"),
        value=lambda d, user: d.purchase_date,
        sort="purchase_date",
        css="d-none d-md-table-cell",
    ),
    Column(
        "install_address",
        gettext_lazy("Install address"),
        value=lambda d, user: d.install_address,
        default=False,
    ),
)


class DeviceListView(ObjectListView):
    """`/devices/`: installed devices of the customers in the user's scope (R37); Excel export."""

    list_key = "devices"
    title = gettext_lazy("Devices")
    filterset_class = DeviceFilterSet
    columns = DEVICE_COLUMNS
    page_template = "devices/list.html"
    page_filters = ("q", "customer", "product_line")
    search_placeholder = gettext_lazy("Serial number, customer or model")

    def get_queryset(self, request):
        return (
            device_scope(request.user)
            .select_related("product_model__product_line", "customer")
            .order_by("serial_number", "pk")
        )

    def extra_context(self, request) -> dict:
        return {"can_import": can_import(request.user)}


class DeviceExportView(DeviceListView):
    """`/devices/export/`: kept for links; the list's `?export=xlsx` is the same."""

    export_only = True


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
