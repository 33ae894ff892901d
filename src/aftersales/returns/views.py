"""Pages of returns and exchanges (退换货申请表, R33):

- the list (filters: state, kind, customer, days, overdue follow-up; search by number, serial
  number, tracking number or customer; sort; pages; Excel);
- a new request (also from a work order's page: `?work_order=<id>`);
- its page: the facts (edited in place while a draft), the photos, the rules it is checked
  against and what it breaks, the buttons of the steps the user may take now (HTMX: the page's
  body comes back with the outcome), and its history;
- the print view and PDF;
- HQ's rules.

A dealer's staff see only their dealer's requests; another's is "not found" (pages, exports).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.forms import REFUSALS, attempt, error_messages, form_error_messages
from aftersales.core.htmx import is_partial, render_page_or_partial
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.pdf import form_response
from aftersales.core.views import TransitionView, transition_buttons
from aftersales.workorders.selectors import workorder_scope

from . import forms as f
from .choices import ReturnState
from .filtersets import ReturnRequestFilterSet
from .models import ReturnPhoto, ReturnRequest
from .printing import return_form, steps
from .rules import allowed_conditions, breaches_open, conditions_text, judged_on, limit_days, policy_current
from .selectors import is_follow_up_overdue, return_get, return_list, return_scope
from .services import (
    EDITABLE,
    may_add_photos,
    policy_update,
    return_create,
    return_delete,
    return_photo_add,
    return_photo_remove,
    return_update,
)
from .transitions import RETURN_REQUEST, may_draw_up, may_edit, may_keep_policy, may_read_returns

STATE_CSS = {
    ReturnState.DRAFT: "text-bg-light border",
    ReturnState.SUBMITTED: "text-bg-info",
    ReturnState.REFUSED: "text-bg-danger",
    ReturnState.CANCELLED: "text-bg-secondary",
    ReturnState.CLOSED: "text-bg-dark",
    ReturnState.FOLLOWED_UP: "text-bg-success",
}


def _reader(request: HttpRequest) -> None:
    if not may_read_returns(request.user):
        raise PermissionDenied


def _readable(request: HttpRequest, pk: int) -> ReturnRequest:
    _reader(request)
    return return_get(request.user, pk)


def state_badge(rq: ReturnRequest, user: Any = None) -> str:
    return format_html(
        '<span class="badge {}" data-testid="return-state" data-state="{}">{}</span>',
        STATE_CSS.get(ReturnState(rq.state), "text-bg-primary"),
        rq.state,
        rq.get_state_display(),
    )


def _link(rq: ReturnRequest, user: Any) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="return-link">{}</a>',
        reverse("returns:detail", args=[rq.pk]),
        rq.number,
    )


COLUMNS = (
    Column(
        "number", gettext_lazy("Number"), value=lambda r, u: r.number, html=_link, sort="number", fixed=True
    ),
    Column(
        "state",
        gettext_lazy("State"),
        value=lambda r, u: r.get_state_display(),
        html=state_badge,
        sort="state",
    ),
    Column("kind", gettext_lazy("Kind"), value=lambda r, u: r.get_kind_display()),
    Column("customer", gettext_lazy("Customer"), value=lambda r, u: r.customer.name),
    Column("product", gettext_lazy("Product"), value=lambda r, u: r.product_label),
    Column("serial_number", gettext_lazy("Serial number"), value=lambda r, u: r.serial_number),
    Column("reason", gettext_lazy("Reason"), value=lambda r, u: r.get_reason_display()),
    Column(
        "purchase_date",
        gettext_lazy("Purchase date"),
        value=lambda r, u: r.purchase_date or "",
        sort="purchased",
        default=False,
    ),
    Column(
        "work_order",
        gettext_lazy("Work order"),
        value=lambda r, u: r.work_order.number if r.work_order_id else "",
        default=False,
    ),
    Column(
        "pickup",
        gettext_lazy("Pickup tracking"),
        value=lambda r, u: " ".join(p for p in (r.pickup_carrier, r.pickup_tracking_number) if p),
    ),
    Column(
        "replacement",
        gettext_lazy("Replacement tracking"),
        value=lambda r, u: " ".join(p for p in (r.replacement_carrier, r.replacement_tracking_number) if p),
        default=False,
    ),
    Column(
        "refund",
        gettext_lazy("Refunded"),
        value=lambda r, u: r.refund_amount if r.refund_amount is not None else "",
        css="text-end",
        default=False,
    ),
    Column(
        "follow_up",
        gettext_lazy("Follow up by"),
        value=lambda r, u: r.follow_up_due_on or "",
        sort="follow_up",
    ),
    Column("created", gettext_lazy("Requested"), value=lambda r, u: r.created_at, sort="created"),
    Column(
        "requested_by",
        gettext_lazy("Requested by"),
        value=lambda r, u: r.requested_by.display_name,
        default=False,
    ),
)


class ReturnListView(ObjectListView):
    """`/returns/`: the requests in the user's scope, the newest first."""

    list_key = "returns"
    title = gettext_lazy("Returns and exchanges")
    filterset_class = ReturnRequestFilterSet
    columns = COLUMNS
    page_template = "returns/list.html"
    search_placeholder = gettext_lazy("Number, serial number, tracking number or customer")
    page_filters = ("q", "state", "kind", "customer", "created_after", "created_before", "overdue")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _reader(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return return_list(request.user).order_by("-created_at", "-pk")

    def row_css(self, row: ReturnRequest) -> str:
        return "table-warning" if is_follow_up_overdue(row) else ""

    def extra_context(self, request) -> dict:
        return {"may_create": may_draw_up(request.user), "may_keep_policy": may_keep_policy(request.user)}


@login_required
@require_http_methods(["GET", "POST"])
def return_create_view(request: HttpRequest) -> HttpResponse:
    """`/returns/new/` (`?work_order=<id>`): draw up a request (R33), then its page."""
    work_order = None
    if request.GET.get("work_order", "").isdigit():
        work_order = get_object_or_404(workorder_scope(request.user), pk=int(request.GET["work_order"]))
    if not may_draw_up(request.user, work_order):
        raise PermissionDenied
    initial: dict[str, Any] = {"kind": "return"}
    if work_order is not None:
        initial.update(work_order_number=work_order.number, serial_number=work_order.serial_number)
    form = f.ReturnRequestForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> ReturnRequest:
            created = return_create(
                actor=request.user,
                work_order=data["work_order"],
                device=data["device"],
                customer=data["customer"],
                **{name: data[name] for name in EDITABLE if name in data and data[name] is not None},
            )
            if data.get("photo"):
                return_photo_add(
                    request_id=created.pk,
                    actor=request.user,
                    upload=data["photo"],
                    description=data.get("photo_description") or "",
                )
            return created

        created = attempt(form, create, aliases={"photo": "photo", "work_order": "work_order_number"})
        if created is not None:
            messages.success(
                request, _("Request %(number)s drawn up: submit it for review.") % {"number": created.number}
            )
            return redirect("returns:detail", pk=created.pk)
    return render(request, "returns/form.html", {"form": form, "wo": work_order})


def _detail_context(request: HttpRequest, rq: ReturnRequest, edit_form=None) -> dict[str, Any]:
    user = request.user
    policy = policy_current()
    actions = [
        (transition, form)
        for transition, form in transition_buttons(RETURN_REQUEST, rq, user, f.RETURN_INPUTS)
        if transition.name != "grant_exception" or breaches_open(rq, policy=policy)
    ]
    editable = may_edit(user, rq)
    if editable and edit_form is None:
        edit_form = f.ReturnEditForm(initial={name: getattr(rq, name) for name in EDITABLE})
    checking = rq.state in (ReturnState.DRAFT, ReturnState.SUBMITTED)
    return {
        "rq": rq,
        "actions": actions,
        "edit_form": edit_form if editable else None,
        "photo_form": f.PhotoForm() if may_add_photos(user, rq) else None,
        "photos": list(rq.photos.all()),
        "steps": steps(rq),
        "breaches": breaches_open(rq, policy=policy) if checking else [],
        "judged_on": judged_on(rq),
        "limit_days": limit_days(policy, rq.kind),
        "accepted_conditions": conditions_text(allowed_conditions(policy, rq.kind)),
        "policy": policy,
        "overdue": is_follow_up_overdue(rq),
        "deletable": editable and rq.submitted_at is None,
    }


def _detail_response(request: HttpRequest, rq: ReturnRequest, edit_form=None) -> HttpResponse:
    return render_page_or_partial(
        request,
        page_template="returns/detail.html",
        partial_template="returns/_body.html",
        context=_detail_context(request, rq, edit_form),
    )


@login_required
@require_GET
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/returns/<pk>/`: the request, its photos, rules, steps and what may be done now."""
    return _detail_response(request, _readable(request, pk))


def _back(request: HttpRequest, rq: ReturnRequest, edit_form=None) -> HttpResponse:
    """For HTMX the page's body again (with the outcome as messages); otherwise the page."""
    if is_partial(request):
        return _detail_response(request, return_get(request.user, rq.pk), edit_form)
    if edit_form is not None and edit_form.errors:
        form_error_messages(request, edit_form)
    return redirect("returns:detail", pk=rq.pk)


@login_required
@require_POST
def return_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/returns/<pk>/edit/`: a draft's facts (R33)."""
    rq = _readable(request, pk)
    form = f.ReturnEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: return_update(
                request_id=rq.pk,
                actor=request.user,
                **{name: data[name] for name in EDITABLE if name in data},
            ),
        )
        if done is not None:
            messages.success(request, _("Request updated."))
            return _back(request, rq)
    return _back(request, rq, form)


@login_required
@require_POST
def return_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/returns/<pk>/delete/`: throw away a draft never submitted."""
    rq = _readable(request, pk)
    try:
        return_delete(request_id=rq.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
        return redirect("returns:detail", pk=rq.pk)
    messages.success(request, _("Draft %(number)s deleted.") % {"number": rq.number})
    return redirect("returns:list")


class ReturnTransitionView(TransitionView):
    """`/returns/<pk>/do/<action>/`: one step of the request (R33); with HTMX the page's body comes
    back with the outcome."""

    machine = RETURN_REQUEST
    fields = f.RETURN_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _readable(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _back(request, obj)


@login_required
@require_POST
def return_photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/returns/<pk>/photos/`: a photo of the product (R33)."""
    rq = _readable(request, pk)
    form = f.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            return_photo_add(
                request_id=rq.pk,
                actor=request.user,
                upload=form.cleaned_data["photo"],
                description=form.cleaned_data["description"],
            )
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Photo added."))
    return _back(request, rq)


def _photo_of(request: HttpRequest, pk: int) -> ReturnPhoto:
    _reader(request)
    return get_object_or_404(
        ReturnPhoto.objects.filter(request__in=return_scope(request.user)).select_related("request"), pk=pk
    )


@login_required
@require_GET
def return_photo_file(request: HttpRequest, key: uuid.UUID) -> FileResponse:
    """`/returns/photos/<key>/`: the photo by its random key (R41), only for who may see its
    request (404 otherwise, R37)."""
    photo = get_object_or_404(ReturnPhoto.objects.filter(request__in=return_scope(request.user)), uuid=key)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, content_type=photo.content_type, filename=photo.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def return_photo_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/returns/photos/<pk>/remove/`: a photo taken off a draft."""
    photo = _photo_of(request, pk)
    try:
        return_photo_remove(photo_id=photo.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    return _back(request, photo.request)


@login_required
@require_GET
def return_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/returns/<pk>/print/` (`?format=pdf`): 退换货申请表 (`printing.return_form`)."""
    return form_response(request, return_form(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def policy_view(request: HttpRequest) -> HttpResponse:
    """`/returns/rules/`: the rules every request is checked against; HQ changes them (R33)."""
    _reader(request)
    policy = policy_current()
    keeper = may_keep_policy(request.user)
    initial = {
        "return_days": policy.return_days,
        "exchange_days": policy.exchange_days,
        "return_conditions": policy.return_conditions,
        "exchange_conditions": policy.exchange_conditions,
        "proof_required": policy.proof_required,
        "follow_up_days": policy.follow_up_days,
    }
    form = f.PolicyForm(request.POST or None, initial=initial) if keeper else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and attempt(form, lambda: policy_update(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("The return and exchange rules are saved."))
            return redirect("returns:policy")
    return render(
        request,
        "returns/policy.html",
        {
            "policy": policy,
            "form": form,
            "return_conditions": conditions_text(policy.return_conditions),
            "exchange_conditions": conditions_text(policy.exchange_conditions),
        },
    )
