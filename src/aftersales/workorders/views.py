"""Work-order pages: list (+ HTMX partial and Excel export), intake with read-back, detail with
lifecycle buttons, notes and attachments, and edit under optimistic locking.

Views stay thin: reads through selectors (scoped: out of scope is a 404), writes through services,
and every DomainError/ValidationError becomes a message on the page, never a 500.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.privacy import Seen, shows_in_full
from aftersales.core.errors import DomainError
from aftersales.core.forms import REFUSALS, error_messages, form_add_errors, form_error_messages
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.lists import ObjectListView
from aftersales.core.phones import phone_display, phone_mask
from aftersales.core.privacy import personal_data_viewed
from aftersales.core.views import TransitionView, register_home_panel, transition_buttons
from aftersales.customers.selectors import customer_scope, customer_search
from aftersales.devices.selectors import device_scope, device_search

from . import hooks
from .bulk import BULK_ACTIONS
from .choices import State
from .filtersets import WorkOrderFilterSet
from .forms import (
    TRANSITION_FIELDS,
    WORKORDER_FIELD_ALIASES,
    AttachmentForm,
    IntakeForm,
    NoteForm,
    WorkOrderEditForm,
)
from .models import WorkOrder
from .privacy import RESOURCE, workorder_in_full, workorder_personal
from .selectors import (
    TimelineCursor,
    attachment_scope,
    caller_lookup,
    caller_lookup_params,
    search_everything,
    workorder_get,
    workorder_list,
    workorder_queue,
    workorder_scope,
    workorder_timeline_page,
)
from .services import attachment_add, note_add, workorder_intake, workorder_update
from .tables import export_headers, export_rows, list_columns, timeline_entries
from .transitions import WORKORDER, shown_transition

# ---------------------------------------------------------------------------------------------
# List, HTMX partial and export: one FilterSet, scoped rows.


class WorkOrderListView(ObjectListView):
    """`/workorders/`: the scoped list with its one FilterSet; the page, its HTMX partial, the
    Excel export (`?export=xlsx`) and the bulk actions (assign, priority, close)."""

    list_key = "workorders"
    title = gettext_lazy("Work orders")
    filterset_class = WorkOrderFilterSet
    page_template = "workorders/list.html"
    bulk_actions = BULK_ACTIONS

    def get_queryset(self, request: HttpRequest):
        return workorder_list(request.user)

    def get_columns(self, request: HttpRequest):
        return list_columns()

    def export_headers(self, request: HttpRequest):
        return list(export_headers())

    def export_rows(self, request: HttpRequest, rows):
        return export_rows(rows, request.user)


class WorkOrderExportView(WorkOrderListView):
    """`/workorders/export.xlsx`: the filtered, scoped list as a spreadsheet; logged (R41)."""

    export_only = True


# ---------------------------------------------------------------------------------------------
# Intake: form → read-back → confirmed create (with an inline customer) in one transaction.


def _intake_save(*, form: IntakeForm, actor, dry_run: bool) -> WorkOrder | None:
    """Run the intake service with the form's data; its errors land on the form's fields."""
    data = form.cleaned_data
    new_customer = None
    if data.get("new_customer"):
        new_customer = {
            "name": data["new_customer_name"],
            "phone": data["new_customer_phone"],
            "kind": data["new_customer_kind"],
            "province": data.get("new_customer_province", ""),
            "city": data.get("new_customer_city", ""),
            "district": data.get("new_customer_district", ""),
            "address": data.get("new_customer_address", ""),
        }
    try:
        return workorder_intake(
            actor=actor,
            customer=data.get("customer"),
            new_customer=new_customer,
            first_contact_resolution=(
                data.get("resolution", "") if data.get("resolved_at_first_contact") else None
            ),
            dry_run=dry_run,
            **form.workorder_fields(),
        )
    except REFUSALS as error:
        form_add_errors(form, error, WORKORDER_FIELD_ALIASES)
        raise


def _readback_rows(form: IntakeForm, user) -> list[tuple[str, str, str]]:
    """The key data read back to the caller before saving (R3): (testid, label, value)."""
    data = form.cleaned_data
    choices = {name: dict(form.fields[name].choices) for name in ("channel", "type", "priority")}
    if data.get("new_customer"):
        customer = _("%(name)s (new customer, %(phone)s)") % {
            "name": data["new_customer_name"],
            "phone": data["new_customer_phone"],
        }
    else:
        customer = str(data["customer"])
    device = data.get("device")
    device_text = (
        str(device)
        if device
        else " / ".join(part for part in (data.get("device_model_text"), data.get("serial_number")) if part)
    )
    rows = [
        ("type", _("Type"), str(choices["type"].get(data["type"], ""))),
        ("channel", _("Channel"), str(choices["channel"].get(data["channel"], ""))),
        ("priority", _("Priority"), str(choices["priority"].get(data["priority"], ""))),
        ("customer", _("Customer"), customer),
        ("contact_name", _("Contact person"), data["contact_name"]),
        ("contact_phone", _("Contact phone"), data["contact_phone"]),
        ("device", _("Device"), device_text or "—"),
        ("part_model", _("Consumable / part model"), data.get("part_model") or "—"),
        ("purchase_date", _("Purchase date"), str(data["purchase_date"] or "—")),
        ("fault_symptom", _("Fault symptom / service need"), data["fault_symptom"]),
    ]
    if data.get("error_messages"):
        rows.append(("error_messages", _("Error messages shown"), data["error_messages"]))
    if data.get("received_at"):
        received = timezone.localtime(data["received_at"])
        rows.append(("received_at", _("Received at"), f"{received:%Y-%m-%d %H:%M}"))
    if data.get("resolved_at_first_contact"):
        rows.append(("resolution", _("Resolved at first contact"), data.get("resolution", "")))
    return rows


def _caller_initial(user, customer) -> dict:
    """The customer picked and their primary contact filled in (the phone for the roles that take
    the call, R41)."""
    contact = customer.contacts.order_by("-is_primary", "name", "pk").first()
    phone = contact.phone if contact else customer.phone
    return {
        "customer": customer.pk,
        "customer_label": f"{customer.name} ({customer.code})",
        "contact_name": contact.name if contact else customer.name,
        "contact_phone": phone_display(phone) if shows_in_full(user, Seen.INTAKE) else "",
    }


def _intake_initial(request: HttpRequest) -> dict:
    """`/workorders/new/?device=<id>` (the device page's "new request for this device") or
    `?customer=<id>` (the customer page's): the form opens with them filled in, in the user's
    scope (anything else is ignored)."""
    initial: dict = {}
    device_id, customer_id = request.GET.get("device", ""), request.GET.get("customer", "")
    if device_id.isdigit():
        devices = device_scope(request.user).select_related("product_model", "customer")
        device = devices.filter(pk=device_id).first()
        if device is not None:
            initial.update(_caller_initial(request.user, device.customer))
            initial.update(
                device=device.pk,
                device_label=f"{device.product_model} · {device.serial_number}",
                serial_number=device.serial_number,
                purchase_date=device.purchase_date,
            )
            return initial
    if customer_id.isdigit():
        customer = customer_scope(request.user).filter(pk=customer_id).first()
        if customer is not None:
            initial.update(_caller_initial(request.user, customer))
    return initial


class FrontLineRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Taking and editing requests is for front-line roles (403 for finance, parts, quality)."""

    def test_func(self) -> bool:
        return self.request.user.takes_requests

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


class WorkOrderIntakeView(FrontLineRequiredMixin, View):
    """`/workorders/new/`: take a request on the phone, read it back, then create it (R1-R4, R7)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.form_page(request, IntakeForm(user=request.user, initial=_intake_initial(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IntakeForm(request.POST, user=request.user)
        step = request.POST.get("step", "review")
        if step == "edit" or not form.is_valid():
            return self.form_page(request, form)
        try:
            work_order = _intake_save(form=form, actor=request.user, dry_run=step != "confirm")
        except (DomainError, ValidationError):
            return self.form_page(request, form)
        if work_order is None:
            context = {"form": form, "readback": _readback_rows(form, request.user)}
            return render(request, "workorders/intake_review.html", context)
        if work_order.state == State.CLOSED:
            messages.success(
                request,
                _("Work order %(number)s created and closed at first contact.")
                % {"number": work_order.number},
            )
        else:
            messages.success(request, _("Work order %(number)s created.") % {"number": work_order.number})
        if workorder_scope(request.user).filter(pk=work_order.pk).exists():
            return redirect("workorders:detail", pk=work_order.pk)
        return redirect("workorders:list")

    def form_page(self, request: HttpRequest, form: IntakeForm) -> HttpResponse:
        return render(request, "workorders/intake.html", {"form": form})


@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """The navbar's search box (issue 12): a whole work-order number opens it; anything else lists
    the work orders, customers and devices it finds (`selectors.search_everything`)."""
    results = search_everything(request.user, request.GET.get("q", ""))
    if results.jump is not None:
        return redirect("workorders:detail", pk=results.jump.pk)
    return render(request, "workorders/search.html", {"results": results})


@login_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Autocomplete for intake: customers by name, code or phone digits, in the user's scope."""
    customers = list(customer_search(request.user, request.GET.get("q", "")))
    on_the_call = shows_in_full(request.user, Seen.INTAKE)
    prefetch_related_objects(customers, "contacts")
    results = []
    for customer in customers:
        contact = next(iter(customer.contacts.all()), None)
        contact_phone = contact.phone if contact else customer.phone
        results.append(
            {
                "customer": customer,
                "phone": phone_mask(customer.phone),
                "contact_name": contact.name if contact else customer.name,
                # The matches are a list (masked); the one picked fills the form in full for the
                # roles taking the call (R41).
                "contact_phone": phone_display(contact_phone) if on_the_call else "",
            }
        )
    return render(
        request, "htmx/customer_lookup.html", {"results": results, "query": request.GET.get("q", "")}
    )


@login_required
@require_GET
def device_lookup(request: HttpRequest) -> HttpResponse:
    """Autocomplete for intake: devices by serial number, in the user's scope."""
    devices = device_search(request.user, request.GET.get("serial", ""))
    return render(
        request, "htmx/device_lookup.html", {"devices": devices, "query": request.GET.get("serial", "")}
    )


@login_required
@require_GET
def caller_lookup_view(request: HttpRequest) -> HttpResponse:
    """`/workorders/lookup/caller/` (HTMX, beside the intake form): once the phone or the serial
    number is recognised, the caller's open and latest work orders and the device's history, and
    an open work order on the same device offered instead of a duplicate (a note on it)."""
    if not request.user.takes_requests:
        raise PermissionDenied
    lookup = caller_lookup(request.user, **caller_lookup_params(request.GET))
    for work_order in (*lookup.duplicates, *lookup.open_work_orders):
        work_order.note_url = hooks.detail_url(work_order.pk, "overview", "notes")
    return render(request, "htmx/intake_caller.html", {"lookup": lookup})


# ---------------------------------------------------------------------------------------------
# Detail, lifecycle actions, notes, attachments.


TAB_LABELS = {
    "overview": gettext_lazy("Overview"),
    "service": gettext_lazy("Service"),
    "money": gettext_lazy("Money"),
    "feedback": gettext_lazy("Feedback"),
    "documents": gettext_lazy("Documents"),
    "timeline": gettext_lazy("Timeline"),
}
# Tabs shown even without a panel: they hold the work order's own data.
OWN_TABS = frozenset({"overview", "documents", "timeline"})


def detail_tabs(work_order: WorkOrder, *, attachments: int) -> list[dict]:
    """The tabs of the work-order page: its own and those other apps registered panels for."""
    registered = hooks.tabs_with_panels()
    counts = {"documents": attachments}
    return [
        {"key": key, "label": TAB_LABELS[key], "count": counts.get(key, 0)}
        for key in hooks.PANEL_TABS
        if key in OWN_TABS or key in registered
    ]


# The detail page shows this many of the newest notes and attachments; the timeline (which holds
# every note too) pages back through the rest, and the attachments have a page of their own.
NOTES_SHOWN = 10
ATTACHMENTS_SHOWN = 20


def _log_view(request: HttpRequest, work_order: WorkOrder) -> None:
    """Viewing a work order's customer data is logged when the reader sees it in full (R41)."""
    if workorder_in_full(request.user, work_order):
        personal_data_viewed(request, resource=RESOURCE, object_id=work_order.pk, detail=work_order.number)


def _timeline_context(request: HttpRequest, work_order: WorkOrder, before: TimelineCursor | None) -> dict:
    page = workorder_timeline_page(work_order, before=before)
    return {
        "timeline": timeline_entries(page.rows, request.user),
        "timeline_next": page.next.encode() if page.next else "",
    }


def _overview_context(request: HttpRequest, work_order: WorkOrder) -> dict:
    user = request.user
    notes = list(work_order.notes.select_related("author").order_by("-created_at", "-id")[: NOTES_SHOWN + 1])
    return {
        **workorder_personal(user, work_order),
        "notes": notes[:NOTES_SHOWN],
        "more_notes": len(notes) > NOTES_SHOWN,
        "note_form": NoteForm(),
    }


def _documents_context(request: HttpRequest, work_order: WorkOrder) -> dict:
    attachments = list(
        work_order.attachments.select_related("uploaded_by").order_by("-id")[: ATTACHMENTS_SHOWN + 1]
    )
    return {
        "attachments": attachments[:ATTACHMENTS_SHOWN],
        "more_attachments": len(attachments) > ATTACHMENTS_SHOWN,
        "attachment_form": AttachmentForm(),
    }


# What each of the work order's own tabs reads, besides the panels other apps put in it.
TAB_CONTEXTS = {
    "overview": _overview_context,
    "documents": _documents_context,
    "timeline": lambda request, work_order: _timeline_context(request, work_order, None),
}


def _tab_context(request: HttpRequest, work_order: WorkOrder, tab: str) -> dict:
    own = TAB_CONTEXTS.get(tab)
    return {
        "tab": tab,
        "panels": hooks.detail_panels_for(request, work_order, tab),
        **(own(request, work_order) if own else {}),
    }


class WorkOrderDetailView(LoginRequiredMixin, View):
    """`/workorders/<pk>/?tab=<key>`: the work order's header, exactly the allowed actions and one
    tab (the overview by default: data, handling, the newest notes); the other tabs load when
    opened (HTMX asks the same address for one tab's content; without JavaScript the tabs are
    links), so the page's cost grows neither with the work order's history nor with the panels
    other apps add."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        work_order = workorder_get(user, pk)
        tab = request.GET.get("tab", "overview")
        if tab not in hooks.PANEL_TABS:
            tab = "overview"
        _log_view(request, work_order)
        context = {"wo": work_order, **_tab_context(request, work_order, tab)}
        if not is_partial(request):
            attachment_count = work_order.attachments.count()  # the tab's badge: one query however many
            context["actions"] = [
                (shown_transition(transition, work_order), form)
                for transition, form in transition_buttons(WORKORDER, work_order, user, TRANSITION_FIELDS)
            ]
            context["tabs"] = detail_tabs(work_order, attachments=attachment_count)
        return render_page_or_partial(
            request,
            page_template="workorders/detail.html",
            partial_template="workorders/_detail_tab.html",
            context=context,
        )


class WorkOrderTimelineView(LoginRequiredMixin, View):
    """`/workorders/<pk>/timeline/?before=<cursor>`: the next older page of the timeline, after
    the entry the cursor names (keyset, so no entry repeats or goes missing while new ones are
    written). The "show older" link fetches its entries with HTMX; without JavaScript it is a
    page of its own."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        work_order = workorder_get(request.user, pk)
        before = None
        if request.GET.get("before"):
            try:
                before = TimelineCursor.decode(request.GET["before"])
            except ValueError as error:
                raise Http404 from error
        _log_view(request, work_order)
        context = {"wo": work_order, **_timeline_context(request, work_order, before)}
        return render_page_or_partial(
            request,
            page_template="workorders/timeline.html",
            partial_template="workorders/_timeline_entries.html",
            context=context,
        )


def _back_to(request: HttpRequest, work_order: WorkOrder) -> HttpResponse:
    """To the work order's page, or the list when the user no longer sees it."""
    if workorder_scope(request.user).filter(pk=work_order.pk).exists():
        return redirect("workorders:detail", pk=work_order.pk)
    return redirect("workorders:list")


class WorkOrderTransitionView(TransitionView):
    """`/workorders/<pk>/do/<action>/`: run one lifecycle transition; refusals become messages."""

    machine = WORKORDER
    fields = TRANSITION_FIELDS

    def get_object(self, request: HttpRequest, pk: int) -> WorkOrder:
        return workorder_get(request.user, pk)

    def redirect_to(self, request: HttpRequest, obj: WorkOrder) -> HttpResponse:
        return _back_to(request, obj)


@login_required
@require_POST
def note_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    work_order = workorder_get(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            note_add(work_order=work_order, actor=request.user, **form.cleaned_data)
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Note added."))
    return redirect(hooks.detail_url(work_order.pk, "overview", "notes"))


@login_required
@require_POST
def attachment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    work_order = workorder_get(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            attachment_add(
                work_order=work_order,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Attachment uploaded."))
    return redirect(hooks.detail_url(work_order.pk, "documents", "attachments"))


@login_required
@require_GET
def attachment_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/workorders/<pk>/attachments/list/?before=<id>`: the attachments older than the one named,
    newest first, a page at a time (keyset on the id, the order they were uploaded in)."""
    work_order = workorder_get(request.user, pk)
    attachments = work_order.attachments.select_related("uploaded_by").order_by("-id")
    before = request.GET.get("before", "")
    if before:
        if not before.isdigit():
            raise Http404
        attachments = attachments.filter(pk__lt=int(before))
    rows = list(attachments[: ATTACHMENTS_SHOWN + 1])
    context = {
        "wo": work_order,
        "attachments": rows[:ATTACHMENTS_SHOWN],
        "older": rows[ATTACHMENTS_SHOWN - 1].pk if len(rows) > ATTACHMENTS_SHOWN else None,
    }
    return render(request, "workorders/attachments.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, key: uuid.UUID) -> FileResponse:
    """`/workorders/files/<key>/`: served only to users who may see the work order (404
    otherwise, R37), under its original name; addressed by its random key (R41)."""
    attachment = get_object_or_404(attachment_scope(request.user), uuid=key)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# ---------------------------------------------------------------------------------------------
# Edit under optimistic locking.


class WorkOrderEditView(FrontLineRequiredMixin, View):
    """`/workorders/<pk>/edit/`: saved only over the version that was read; if someone else saved
    in between, the user's input stays on the page and nothing is overwritten (R41)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        work_order = workorder_get(request.user, pk)
        form = WorkOrderEditForm(work_order=work_order, user=request.user)
        return self.form_page(request, work_order, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        work_order = workorder_get(request.user, pk)
        form = WorkOrderEditForm(request.POST, work_order=work_order, user=request.user)
        if not form.is_valid():
            return self.form_page(request, work_order, form)
        try:
            workorder_update(
                work_order_id=work_order.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **form.workorder_fields(),
            )
        except REFUSALS as error:
            form_add_errors(form, error, WORKORDER_FIELD_ALIASES)
            stale = isinstance(error, DomainError) and error.code == "stale_version"
            return self.form_page(request, work_order, form, stale=stale)
        messages.success(request, _("Work order %(number)s saved.") % {"number": work_order.number})
        return _back_to(request, work_order)

    def form_page(self, request, work_order, form, *, stale: bool = False) -> HttpResponse:
        return render(request, "workorders/edit.html", {"wo": work_order, "form": form, "stale": stale})


# ---------------------------------------------------------------------------------------------
# "My queue" on the home page.


def queue_panel(request: HttpRequest) -> dict:
    return workorder_queue(request.user)


register_home_panel("workorders/_queue_panel.html", queue_panel, order=10)
