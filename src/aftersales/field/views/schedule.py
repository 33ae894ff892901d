"""The dispatchers' schedule board (R5, R12, R38): `/field/schedule/` shows the day of the chosen
service points' engineers with the unassigned work orders beside; dropping one on a free slot (or the
row's keyboard form) posts `/field/schedule/book/`, which assigns and books in one step
(`services.schedule_assign_book`). For HTMX the board is returned with the result inline; otherwise
back to the board with a message."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.selectors import engineers_in_scope
from aftersales.core.forms import REFUSALS
from aftersales.core.htmx import is_partial
from aftersales.workorders.selectors import workorder_get
from aftersales.workorders.transitions import WORKORDER

from ..api_schedule import ScheduleMapSerializer
from ..forms import ScheduleBookForm, ScheduleChoicesForm, ScheduleQueryForm
from ..selectors_schedule import schedule_board, schedule_map, window_of
from ..services import schedule_assign_book
from .dispatch import _require_dispatcher, refusal_text


def board_url(day, point_ids, length) -> str:
    query = [("date", f"{day:%Y-%m-%d}"), *(("service_point", pk) for pk in point_ids), ("length", length)]
    return f"{reverse('field:schedule')}?{urlencode(query)}"


def _render(request: HttpRequest, query: dict, *, error: str = "", done: str = "") -> HttpResponse:
    board = schedule_board(request.user, day=query["day"], point_ids=query["point_ids"])
    point_ids = [p.pk for p in board.points]
    context = {
        "board": board,
        "waiting": [
            {
                "wo": wo,
                "s": suggestion,
                "may_assign": WORKORDER["assign"] in WORKORDER.available(wo, request.user),
            }
            for wo, suggestion in board.unassigned
        ],
        "length": query["length"],
        "error": error,
        "done": done,
        "point_ids": point_ids,
        "choices": ScheduleChoicesForm(request.user, initial={"service_point": point_ids}),
        "previous_url": board_url(board.previous, point_ids, query["length"]),
        "next_url": board_url(board.next, point_ids, query["length"]),
        "self_url": board_url(board.day, point_ids, query["length"]),
        "map_url": map_url(board.day, point_ids),
    }
    template = "field/_schedule_board.html" if is_partial(request) else "field/schedule.html"
    return render(request, template, context)


@login_required
@require_GET
def schedule_view(request: HttpRequest) -> HttpResponse:
    """`/field/schedule/?date=&service_point=&length=`: the board of one day (dispatch roles; R37:
    the points of the user's scope only)."""
    _require_dispatcher(request)
    return _render(request, ScheduleQueryForm(request.GET).query())


@login_required
@require_POST
def schedule_book_view(request: HttpRequest) -> HttpResponse:
    """`/field/schedule/book/`: `work_order`, `engineer`, `date`, `window_start`, `length` (hours),
    `reason` (needed for another engineer than the suggested one), `version`: assign and book in
    one transaction; a refusal (not qualified, on leave, double booked ...) saves nothing and is
    shown on the board."""
    _require_dispatcher(request)
    user = request.user
    query = ScheduleQueryForm(request.POST).query()
    form = ScheduleBookForm(request.POST)
    error = done = ""
    if not form.is_valid():
        error = " ".join(
            f"{form.fields[name].label or name}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
    else:
        data = form.cleaned_data
        work_order = workorder_get(user, data["work_order"])  # 404 out of scope (R37)
        engineer = engineers_in_scope(user).filter(pk=data["engineer"]).first()
        if engineer is None:
            error = _("Choose an engineer.")
        else:
            start, end = window_of(data["date"], data["window_start"], data["length"])
            try:
                appointment = schedule_assign_book(
                    work_order_id=work_order.pk,
                    engineer=engineer,
                    day=data["date"],
                    window_start=start,
                    window_end=end,
                    actor=user,
                    reason=data.get("reason") or "",
                    expected_version=data.get("version"),
                )
            except REFUSALS as refused:
                error = refusal_text(refused)
            else:
                done = _("Work order %(number)s assigned to %(engineer)s and booked %(when)s.") % {
                    "number": work_order.number,
                    "engineer": engineer,
                    "when": appointment,
                }
    if is_partial(request):
        return _render(request, query, error=error, done=done)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(board_url(query["day"], query["point_ids"], query["length"]))


def map_url(day, point_ids) -> str:
    query = [("date", f"{day:%Y-%m-%d}"), *(("service_point", pk) for pk in point_ids)]
    return f"{reverse('field:schedule_map')}?{urlencode(query)}"


@login_required
@require_GET
def schedule_map_view(request: HttpRequest) -> HttpResponse:
    """`/field/schedule/map/?date=&service_point=`: where the day's visits of the chosen points
    happened, beside the points, each engineer's route in time order and last check-in. Leaflet
    draws them (on the MAP_TILE_URL tiles, if any) from the data of `GET /api/schedule/map/`; the
    SVG drawn here from the coordinates stays the page's map when the script cannot run."""
    _require_dispatcher(request)
    query = ScheduleQueryForm(request.GET).query()
    day_map = schedule_map(request.user, day=query["day"], point_ids=query["point_ids"])
    point_ids = [p.pk for p in day_map.points]
    context = {
        "map": day_map,
        "choices": ScheduleChoicesForm(request.user, initial={"service_point": point_ids}),
        "previous_url": map_url(day_map.previous, point_ids),
        "next_url": map_url(day_map.next, point_ids),
        "board_url": board_url(day_map.day, point_ids, query["length"]),
        "map_data": ScheduleMapSerializer(day_map).data,
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "subdomains": settings.MAP_TILE_SUBDOMAINS,
            "coordinates": settings.MAP_COORDINATES,
        },
    }
    return render(request, "field/schedule_map.html", context)
