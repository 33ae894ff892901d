"""The dispatch board (R5, R38): unassigned work orders with the suggested engineer and why, and
assign-by-click (HTMX swaps the row; a refusal is shown inline in the row)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.selectors import engineers_in_scope
from aftersales.core.errors import DomainError
from aftersales.core.forms import REFUSALS
from aftersales.core.htmx import is_partial
from aftersales.workorders.selectors import workorder_get

from ..forms import DispatchVisitForm
from ..selectors import (
    BOARD_SIZE,
    dispatch_board_get,
    dispatch_may_assign,
    dispatch_points_for,
    dispatch_suggest,
)
from ..services import dispatch_assign


def _require_dispatcher(request: HttpRequest) -> None:
    if not request.user.dispatches:
        raise PermissionDenied


def _row_context(
    work_order,
    suggestion,
    user,
    *,
    error: str = "",
    done: bool = False,
    reason: str = "",
    visit: dict | None = None,
) -> dict:
    """A row of the board: the work order, its suggestion, whether the user may assign it now (an
    accepted work order; a new one is accepted first), and the refusal of the last try."""
    return {
        "wo": work_order,
        "s": suggestion,
        "why_url": why_url(work_order, visit or {}),
        "may_assign": dispatch_may_assign(work_order, user),
        "error": error,
        "done": done,
        "reason": reason,
        "visit": visit or {},
    }


def why_url(work_order, visit: dict) -> str:
    """The row's "why" (`dispatch_why`) for the same requested visit."""
    query = {}
    if visit.get("day"):
        query["visit_date"] = f"{visit['day']:%Y-%m-%d}"
    if visit.get("window"):
        query["visit_from"], query["visit_until"] = (f"{moment:%H:%M}" for moment in visit["window"])
    url = reverse("field:dispatch_why", args=[work_order.pk])
    return f"{url}?{urlencode(query)}" if query else url


def refusal_text(error: Exception) -> str:
    """A refused write as one line (shown inline in the row)."""
    return error.message if isinstance(error, DomainError) else " ".join(error.messages)


def next_or(request: HttpRequest, default: str, *args) -> HttpResponse:
    """Back to `next` when it is a page of this site, else to `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default, *args)


@login_required
@require_GET
def dispatch_board(request: HttpRequest) -> HttpResponse:
    """`/field/dispatch/` (`?visit_date=&visit_from=&visit_until=` for a requested visit, R12):
    unassigned work orders with the suggested engineer and why, and the engineers' load today.
    A fixed number of queries whatever the number of rows."""
    _require_dispatcher(request)
    visit = DispatchVisitForm(request.GET).visit()
    board = dispatch_board_get(request.user, **visit)
    context = {
        "visit": visit,
        "rows": [_row_context(wo, board.suggestions[wo.pk], request.user, visit=visit) for wo in board.rows],
        "truncated": board.truncated,
        "board_size": BOARD_SIZE,
        "engineers": board.engineers,
    }
    return render(request, "field/dispatch_board.html", context)


@login_required
@require_GET
def dispatch_why(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/dispatch/<pk>/why/` (same `?visit_…` as the board): the candidate points of one
    work order with their best engineers and every reason (R5, R38, R12); the board reads it
    when a row's "why" is opened (HTMX), or as a page of its own."""
    _require_dispatcher(request)
    work_order = workorder_get(request.user, pk)
    visit = DispatchVisitForm(request.GET).visit()
    suggestion = dispatch_suggest(work_order, points=dispatch_points_for(request.user), **visit)
    template = "field/_why_content.html" if is_partial(request) else "field/dispatch_why.html"
    return render(request, template, {"wo": work_order, "s": suggestion})


@login_required
@require_POST
def dispatch_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/dispatch/<pk>/assign/`: assign the chosen engineer; for HTMX the row is returned
    (assigned, or with the refusal inline), else back to the board or `next`."""
    _require_dispatcher(request)
    user = request.user
    work_order = workorder_get(user, pk)
    reason = request.POST.get("reason", "").strip()
    visit = DispatchVisitForm(request.POST).visit()
    error = ""
    engineer = None
    try:
        engineer_id = int(request.POST.get("engineer", ""))
    except ValueError:
        error = _("Choose an engineer.")
    else:
        engineer = engineers_in_scope(user).filter(pk=engineer_id).first()
        if engineer is None:
            error = _("Choose an engineer.")
    if engineer is not None:
        try:
            version = int(request.POST["version"]) if request.POST.get("version") else None
            work_order = dispatch_assign(
                work_order_id=work_order.pk,
                engineer=engineer,
                actor=user,
                reason=reason,
                expected_version=version,
                **visit,
            )
        except REFUSALS as refused:
            error = refusal_text(refused)
    if is_partial(request):
        if not error:
            work_order = workorder_get(user, work_order.pk)
            return render(request, "field/_board_row.html", _row_context(work_order, None, user, done=True))
        suggestion = dispatch_suggest(work_order, points=dispatch_points_for(user), **visit)
        context = _row_context(work_order, suggestion, user, error=error, reason=reason, visit=visit)
        return render(request, "field/_board_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Work order %(number)s assigned to %(engineer)s.")
            % {"number": work_order.number, "engineer": engineer},
        )
    return next_or(request, "field:dispatch_board")
