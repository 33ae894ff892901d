"""Customer pages: list (search, pages, Excel export), detail, create, Excel import.

Rows come from `customer_scope`, so a user only ever sees the customers of their scope (R37);
phone numbers are masked for roles that do not need them and viewing/export is logged (R41).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core.excel import XLSX_MIME, export_response
from aftersales.core.models import AccessLog
from aftersales.core.phones import phone_for
from aftersales.core.services import access_log

from .filtersets import CustomerFilterSet
from .forms import CustomerCreateForm, ImportForm, add_service_errors
from .importing import can_import, customer_template, customers_import
from .models import Customer
from .selectors import customer_scope
from .services import customer_create

PAGE_SIZE = 25


def _filtered(request) -> tuple[forms.Form, QuerySet[Customer]]:
    filterset = CustomerFilterSet(
        request.GET or None, queryset=customer_scope(request.user).select_related("dealer").order_by("code")
    )
    return filterset.form, filterset.qs


@login_required
def customer_list(request):
    form, queryset = _filtered(request)
    page = Paginator(queryset.annotate(device_count=Count("devices")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for customer in page:
        customer.phone_shown = phone_for(request.user, customer.phone)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "customers/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": request.user.takes_requests,
            "can_import": can_import(request.user),
        },
    )


@login_required
def customer_export(request):
    form, queryset = _filtered(request)
    user = request.user
    rows = (
        (
            c.code,
            c.name,
            c.get_kind_display(),
            phone_for(user, c.phone),
            c.email,
            c.province,
            c.city,
            c.district,
            c.address,
            str(c.dealer) if c.dealer_id else "",
        )
        for c in queryset.iterator(chunk_size=2000)
    )
    return export_response(
        request=request,
        resource="customers",
        title=_("Customers"),
        headers=[
            _("Customer code"),
            _("Name"),
            _("Kind"),
            _("Phone"),
            _("Email"),
            _("Province"),
            _("City"),
            _("District"),
            _("Address"),
            _("Dealer"),
        ],
        rows=rows,
    )


@login_required
def customer_detail(request, pk: int):
    customer = get_object_or_404(customer_scope(request.user).select_related("dealer"), pk=pk)
    user = request.user
    access_log(actor=user, action=AccessLog.Action.VIEW, resource="customer", detail=customer.code)
    contacts = list(customer.contacts.all())
    for contact in contacts:
        contact.phone_shown = phone_for(user, contact.phone)
    devices = customer.devices.select_related("product_model__product_line").order_by("serial_number")
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "phone_shown": phone_for(user, customer.phone),
            "contacts": contacts,
            "addresses": customer.addresses.all(),
            "devices": devices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_create_view(request):
    if not request.user.takes_requests:
        raise PermissionDenied
    form = CustomerCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_create(
                name=data["name"],
                phone=data["phone"],
                kind=data["kind"],
                email=data["email"],
                province=data["province"],
                city=data["city"],
                district=data["district"],
                address=data["address"],
                contact_name=data["contact_name"],
                dealer=data.get("dealer"),
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form})


def import_page(request, *, run, template_url: str, title: str, columns: str):
    """Shared by the customer and device imports: upload form, then the report on the same page."""
    if not can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run(
            upload=form.cleaned_data["file"],
            skip_invalid=form.cleaned_data["skip_invalid"],
            actor=request.user,
        )
        if report.imported:
            messages.success(request, _("%(count)d rows imported.") % {"count": report.imported})
        elif report.errors:
            messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
    return render(
        request,
        "customers/import.html",
        {"form": form, "report": report, "template_url": template_url, "title": title, "columns": columns},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request):
    return import_page(
        request,
        run=customers_import,
        template_url=reverse("customers:import_template"),
        title=_("Import customers"),
        columns="客户名称, 类型 (企业/个人), 电话, 邮箱, 省, 市, 区, 地址, 联系人, 经销商编码",
    )


def import_template_download(request, *, content: bytes, filename: str) -> HttpResponse:
    """The empty spreadsheet with the import's Chinese headers, for those who may import."""
    if not can_import(request.user):
        raise PermissionDenied
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def customer_import_template(request):
    return import_template_download(request, content=customer_template(), filename="customers-template.xlsx")
