"""Customer pages: list (search, pages, Excel export), detail, create, Excel import.

Rows come from `customer_scope`, so a user only ever sees the customers of their scope (R37);
phone numbers and streets are masked (revealed one at a time, `accounts.privacy`) and
viewing/export is logged (R41).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aftersales.core.import_views import import_page as core_import_page
from aftersales.core.import_views import import_template_download as core_template_download
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.panels import last_contact, object_facts, object_panels_for
from aftersales.core.phones import phone_mask
from aftersales.core.privacy import STREET_MASK, personal_data_viewed

from .filtersets import CustomerFilterSet
from .forms import CustomerCreateForm, add_service_errors
from .importing import CUSTOMER_COLUMNS_HELP, can_import, customer_template, customers_import
from .models import Customer
from .privacy import customer_personal
from .selectors import customer_scope
from .services import customer_create


def _region(customer: Customer, user) -> str:
    return " ".join(part for part in (customer.province, customer.city, customer.district) if part)


def _dealer(customer: Customer, user) -> str:
    return str(customer.dealer) if customer.dealer_id else _("HQ")


CUSTOMER_COLUMNS = (
    Column(
        "code",
        gettext_lazy("Customer code"),
        value=lambda c, user: c.code,
        template="customers/cells/_code.html",
        sort="code",
        fixed=True,
    ),
    Column("name", gettext_lazy("Name"), value=lambda c, user: c.name, sort="name"),
    Column("kind", gettext_lazy("Kind"), value=lambda c, user: c.get_kind_display()),
    Column("phone", gettext_lazy("Phone"), value=lambda c, user: phone_mask(c.phone), css="text-nowrap"),
    Column("email", gettext_lazy("Email"), value=lambda c, user: c.email, default=False),
    Column("province", gettext_lazy("Province"), value=lambda c, user: c.province, default=False),
    Column("city", gettext_lazy("City"), value=lambda c, user: c.city, default=False),
    Column("district", gettext_lazy("District"), value=lambda c, user: c.district, default=False),
    Column("region", gettext_lazy("Region"), value=_region, css="d-none d-md-table-cell", export=False),
    Column(
        "address",
        gettext_lazy("Address"),
        value=lambda c, user: STREET_MASK if c.address else "",
        default=False,
    ),
    Column("dealer", gettext_lazy("Dealer"), value=_dealer, css="d-none d-md-table-cell"),
    Column(
        "devices",
        gettext_lazy("Devices"),
        value=lambda c, user: getattr(c, "device_count", None),
        css="text-end",
        export=False,
    ),
)


class CustomerListView(ObjectListView):
    """`/customers/`: customers in the user's scope (R37), phones and streets masked (R41); the Excel
    export (`?export=xlsx`, logged) has every column."""

    list_key = "customers"
    title = gettext_lazy("Customers")
    filterset_class = CustomerFilterSet
    columns = CUSTOMER_COLUMNS
    page_template = "customers/list.html"
    search_placeholder = gettext_lazy("Name, code, phone or contact")

    def get_queryset(self, request):
        return customer_scope(request.user).select_related("dealer").order_by("code")

    def decorate(self, request, rows: list[Customer]) -> list[Customer]:
        """The devices of this page's customers, counted in one query."""
        counts = dict(
            Customer.objects.filter(pk__in=[c.pk for c in rows])
            .annotate(n=Count("devices"))
            .values_list("pk", "n")
        )
        for customer in rows:
            customer.device_count = counts.get(customer.pk, 0)
        return rows

    def extra_context(self, request) -> dict:
        return {"can_create": request.user.takes_requests, "can_import": can_import(request.user)}


class CustomerExportView(CustomerListView):
    """`/customers/export/`: kept for links; the list's `?export=xlsx` is the same."""

    export_only = True


@login_required
def customer_detail(request, pk: int):
    """`/customers/<pk>/` (customer 360): the customer, contacts and addresses, the counts and the
    last contact time at the top, and the sections the apps above register (devices with their
    warranty, work orders, visits, complaints, return-visit scores, documents), each scoped to
    the user and limited to its latest rows with a link to the whole filtered list."""
    customer = get_object_or_404(customer_scope(request.user).select_related("dealer"), pk=pk)
    user = request.user
    personal_data_viewed(request, resource="customer", object_id=customer.pk, detail=customer.code)
    contacts, addresses = list(customer.contacts.all()), list(customer.addresses.all())
    facts = object_facts("customer", user, customer)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            **customer_personal(user, customer, contacts, addresses),
            "contacts": contacts,
            "addresses": addresses,
            "facts": facts,
            "last_contact": last_contact(facts),
            "panels": object_panels_for("customer", request, customer),
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
    """Shared by the customer and device imports: those the front office may import."""
    return core_import_page(
        request, allowed=can_import, run=run, template_url=template_url, title=title, columns=columns
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request):
    return import_page(
        request,
        run=customers_import,
        template_url=reverse("customers:import_template"),
        title=_("Import customers"),
        columns=CUSTOMER_COLUMNS_HELP,
    )


def import_template_download(request, *, content: bytes, filename: str) -> HttpResponse:
    """The empty spreadsheet with the import's Chinese headers, for those who may import."""
    return core_template_download(request, allowed=can_import, content=content, filename=filename)


@login_required
def customer_import_template(request):
    return import_template_download(request, content=customer_template(), filename="customers-template.xlsx")
