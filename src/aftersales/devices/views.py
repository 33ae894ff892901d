"""Device pages: list (search, pages, Excel export), detail, Excel import; scoped through the
device's customer (R37), customer phone masked where the role does not need it (R41). Service
contracts (R35): list (filters, search, sort, pages, Excel), the form that sells one, the contract
page with its devices, plans, generated work orders, history and lifecycle buttons."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aftersales.core.forms import REFUSALS, attempt, error_messages, form_error_messages
from aftersales.core.htmx import is_partial
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.panels import HistoryCursor, history_page, object_panels_for
from aftersales.core.privacy import personal_address, personal_phone
from aftersales.core.qr import qr_svg
from aftersales.core.transitions import transition_run
from aftersales.customers.importing import can_import
from aftersales.customers.privacy import customer_in_full
from aftersales.customers.selectors import customer_scope
from aftersales.customers.views import import_page, import_template_download

from . import services
from .choices import PLAN_KINDS, ContractState
from .entitlement import device_warranty, months_after, warranty_state
from .filtersets import DeviceFilterSet, ServiceContractFilterSet
from .forms import ContractActionForm, ContractCustomerForm, ContractForm, MaintenancePlanForm
from .hooks import contract_panels
from .importing import DEVICE_COLUMNS_HELP, device_template, devices_import
from .selectors import contract_get, contract_history, contract_list, contracts_of_device, device_scope
from .tables import CONTRACT_COLUMNS, STATE_STYLE, history_rows
from .transitions import CONTRACT, may_sell

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


def _device_get(request: HttpRequest, pk: int):
    return get_object_or_404(
        device_scope(request.user).select_related("product_model__product_line", "customer__dealer"),
        pk=pk,
    )


def _history_context(request: HttpRequest, device) -> dict:
    """One page of the device's service history (core.panels), older than `?before=`."""
    before = None
    if request.GET.get("before"):
        try:
            before = HistoryCursor.decode(request.GET["before"])
        except ValueError:
            raise Http404 from None
    page = history_page("device", request.user, device, before=before)
    more_url = ""
    if page.next is not None:
        more_url = reverse("devices:history", args=[device.pk]) + f"?before={page.next.encode()}"
    return {"device": device, "history": page.rows, "history_more_url": more_url}


@login_required
def device_detail(request, pk: int):
    """`/devices/<pk>/`: the device, its QR code and serial number, its warranty state today, the
    customer, the contracts on it, its whole service history (work orders, visits, parts
    replaced, depot and external repairs with what was found: the apps above register them in
    core.panels), newest first a page at a time, and a button to take a new request for it."""
    device = _device_get(request, pk)
    contracts = list(contracts_of_device(request.user, device))
    for contract in contracts:
        contract.style = STATE_STYLE.get(contract.state, "secondary")
    warranty = device_warranty(device, day=timezone.localdate())
    page_url = request.build_absolute_uri(reverse("devices:detail", args=[device.pk]))
    return render(
        request,
        "devices/detail.html",
        {
            "device": device,
            "customer_phone": personal_phone(
                device.customer.phone,
                in_full=customer_in_full(request.user),
                resource="customer",
                object_id=device.customer_id,
                field="phone",
            ),
            "install_address": personal_address(
                "",
                device.install_address,
                in_full=customer_in_full(request.user),
                resource="device",
                object_id=device.pk,
                field="install_address",
            ),
            "contracts": contracts,
            "may_sell": may_sell(request.user),
            "warranty": warranty,
            "warranty_state": warranty_state(warranty),
            "qr": qr_svg(page_url),
            "may_take": request.user.takes_requests,
            "new_request_url": reverse("workorders:intake") + f"?device={device.pk}",
            "panels": object_panels_for("device", request, device),
            **_history_context(request, device),
        },
    )


@login_required
def device_history(request, pk: int):
    """`/devices/<pk>/history/?before=<cursor>`: the next page of the device's history (the rows
    for HTMX, the whole page otherwise)."""
    device = _device_get(request, pk)
    if not is_partial(request):
        return redirect("devices:detail", pk=pk)
    return render(request, "devices/_service_history_rows.html", _history_context(request, device))


@login_required
@require_http_methods(["GET", "POST"])
def device_import(request):
    return import_page(
        request,
        run=devices_import,
        template_url=reverse("devices:import_template"),
        title=_("Import devices"),
        columns=DEVICE_COLUMNS_HELP,
    )


@login_required
def device_import_template(request):
    return import_template_download(request, content=device_template(), filename="devices-template.xlsx")


# -- service contracts (R35) -------------------------------------------------------------------


class ContractListView(ObjectListView):
    """`/devices/contracts/`: the service contracts of the customers in the user's scope (R35, R37);
    filters, search, sort, pages and Excel export (logged, R41)."""

    list_key = "service-contracts"
    title = gettext_lazy("Service contracts")
    filterset_class = ServiceContractFilterSet
    columns = CONTRACT_COLUMNS
    page_template = "devices/contract_list.html"
    page_filters = ("q", "state", "kind", "customer", "ends_after", "ends_before")
    search_placeholder = gettext_lazy("Contract number, customer or serial number")

    def get_queryset(self, request):
        return contract_list(request.user)

    def row_css(self, row) -> str:
        return "table-secondary" if row.state in (ContractState.CANCELLED, ContractState.EXPIRED) else ""

    def extra_context(self, request) -> dict:
        return {"may_sell": may_sell(request.user)}


class ContractExportView(ContractListView):
    """`/devices/contracts/export.xlsx`: kept for links; the list's `?export=xlsx` is the same."""

    export_only = True


def _require_seller(request: HttpRequest) -> None:
    if not may_sell(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    """`/devices/contracts/new/?customer=<id>` (or `?device=<id>`): sell a contract (R35) to the
    customer on some of its devices; without a customer, choose one first."""
    _require_seller(request)
    source = request.POST if request.method == "POST" else request.GET
    customer = None
    device_pk = source.get("device", "")
    if device_pk.isdigit():
        device = get_object_or_404(device_scope(request.user), pk=int(device_pk))
        customer = device.customer
    elif source.get("customer", "").isdigit():
        customer = get_object_or_404(customer_scope(request.user), pk=int(source["customer"]))
    if customer is None:
        chooser = ContractCustomerForm(user=request.user)
        return render(request, "devices/contract_form.html", {"chooser": chooser})
    if request.method == "POST":
        form = ContractForm(request.POST, customer=customer)
        contract = form.is_valid() and attempt(
            form, lambda: services.contract_create(actor=request.user, **form.create_kwargs())
        )
        if contract:
            messages.success(
                request, _("Service contract %(number)s drawn up.") % {"number": contract.number}
            )
            return redirect("devices:contract_detail", pk=contract.pk)
    else:
        today = timezone.localdate()
        initial = {"starts_on": today, "ends_on": months_after(today, 12) - timedelta(days=1)}
        if device_pk.isdigit():
            initial["devices"] = [int(device_pk)]
        form = ContractForm(customer=customer, initial=initial)
    return render(
        request,
        "devices/contract_form.html",
        {"form": form, "customer": customer, "device_pk": device_pk if device_pk.isdigit() else ""},
    )


def _contract_page(
    request: HttpRequest,
    contract,
    *,
    bound: ContractActionForm | None = None,
    plan_form: MaintenancePlanForm | None = None,
) -> HttpResponse:
    available = CONTRACT.available(contract, request.user)
    if bound is not None and bound.transition not in available:
        form_error_messages(request, bound)
    actions = [
        (
            transition,
            bound
            if bound is not None and bound.transition == transition
            else ContractActionForm(transition=transition, user=request.user),
        )
        for transition in available
    ]
    seller = may_sell(request.user)
    takes_plans = (
        seller
        and contract.kind in PLAN_KINDS
        and contract.state
        in (
            ContractState.DRAFT,
            ContractState.ACTIVE,
        )
    )
    panels = [(panel.template, panel.context(request, contract)) for panel in contract_panels]
    context = {
        "contract": contract,
        "obj": contract,
        "actions": actions,
        "open_action": bound.transition.name if bound is not None else "",
        "transition_url_name": "devices:contract_transition",
        "history": history_rows(contract_history(contract)),
        "plans": list(contract.plans.all()),
        "plan_form": (plan_form or MaintenancePlanForm(initial={"first_due_on": contract.starts_on}))
        if takes_plans
        else None,
        "may_sell": seller,
        "panels": panels,
        "state_style": STATE_STYLE.get(contract.state, "secondary"),
        "covers": [
            (ContractForm.base_fields[name].label, getattr(contract, name)) for name in services.COVER_FIELDS
        ],
    }
    return render(request, "devices/contract_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_detail(request: HttpRequest, pk: int, action: str = "") -> HttpResponse:
    """`/devices/contracts/<pk>/`: the contract, its devices, plans, generated work orders (the
    servicing app's panel) and history, with the buttons of what the user may do now; POST
    `<pk>/do/<action>/` runs one transition, a refusal shown on its form."""
    contract = contract_get(request.user, pk)
    if request.method == "GET":
        if action:
            return redirect("devices:contract_detail", pk=pk)
        return _contract_page(request, contract)
    transition = CONTRACT.transitions.get(action)
    if transition is None:
        raise Http404
    form = ContractActionForm(request.POST, transition=transition, user=request.user)
    done = form.is_valid() and attempt(
        form,
        lambda: transition_run(
            CONTRACT, pk=contract.pk, action=action, actor=request.user, **form.run_kwargs()
        ),
    )
    if not done:
        return _contract_page(request, contract, bound=form)
    messages.success(
        request,
        _("%(action)s: done. %(number)s is now “%(state)s”.")
        % {"action": transition.label, "number": done.number, "state": done.get_state_display()},
    )
    return redirect("devices:contract_detail", pk=pk)


@login_required
@require_http_methods(["POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/devices/contracts/<pk>/plans/`: add a maintenance plan (R35)."""
    _require_seller(request)
    contract = contract_get(request.user, pk)
    form = MaintenancePlanForm(request.POST)
    plan = form.is_valid() and attempt(
        form,
        lambda: services.maintenance_plan_create(contract=contract, actor=request.user, **form.cleaned_data),
    )
    if not plan:
        return _contract_page(request, contract, plan_form=form)
    messages.success(request, _("Maintenance plan added."))
    return redirect(reverse("devices:contract_detail", args=[pk]) + "#plans")


@login_required
@require_http_methods(["POST"])
def plan_toggle(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    """POST `/devices/contracts/<pk>/plans/<plan_pk>/toggle/`: pause or resume a plan (R35)."""
    _require_seller(request)
    contract = contract_get(request.user, pk)
    plan = get_object_or_404(contract.plans.all(), pk=plan_pk)
    try:
        services.maintenance_plan_set_active(
            plan_id=plan.pk, is_active=not plan.is_active, actor=request.user
        )
    except REFUSALS as error:
        error_messages(request, error)
    return redirect(reverse("devices:contract_detail", args=[pk]) + "#plans")
