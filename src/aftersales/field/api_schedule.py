"""REST API of the dispatchers' schedule board (R5, R12, R38, R37): `GET /api/schedule/board/` reads the
board of a day (what `/field/schedule/` shows), `GET /api/schedule/map/` the map of the day (what
`/field/schedule/map/` draws, from the same serializer) and `POST /api/schedule/book/` assigns an engineer and
books the visit in one transaction (`services.schedule_assign_book`, the same services as
`/field/dispatch/<id>/assign/` and `/field/workorders/<id>/appointments/`). Dispatch roles only;
errors are JSON problems with their codes."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.selectors import engineers_in_scope
from aftersales.core.api import (
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    problem_responses,
    refuse_blank_parameters,
)
from aftersales.core.idempotency import idempotent
from aftersales.core.lists import PK_MAX
from aftersales.workorders.api import workorder_of_path

from .selectors_schedule import SCHEDULE_POINTS, schedule_board, schedule_map, visit_position
from .services import schedule_assign_book


class ScheduleQuery(serializers.Serializer):
    """`?date=` (default today) and the `?service_point=` ids, each a whole number."""

    date = serializers.DateField(required=False, allow_null=True, help_text=_("The day (default today)."))
    service_point = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=PK_MAX),
        required=False,
        default=list,
        help_text=_("Service point ids."),
    )


class ScheduleWorkOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    version = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text=_("The work order's page."))

    def get_url(self, work_order) -> str:
        return reverse("workorders:detail", args=[work_order.pk])


class ScheduleEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("visit, or appointment (booked, no visit yet)"))
    id = serializers.IntegerField(source="pk")
    state = serializers.CharField()
    window_start = serializers.TimeField(allow_null=True)
    window_end = serializers.TimeField(allow_null=True)
    work_order = ScheduleWorkOrderSerializer()
    customer = serializers.CharField(source="work_order.customer.name")


class ScheduleRowSerializer(serializers.Serializer):
    engineer = IdNameSerializer(source="engineer.user")
    engineer_id = serializers.IntegerField(source="engineer.pk", help_text=_("The id to book with."))
    employee_no = serializers.CharField(source="engineer.employee_no")
    service_point = IdNameSerializer(source="engineer.service_point")
    on_leave = serializers.SerializerMethodField()
    entries = ScheduleEntrySerializer(many=True)
    free_hours = serializers.SerializerMethodField(help_text=_("Starts of the free hours (HH:MM)."))

    def get_on_leave(self, row) -> bool:
        return row.leave is not None

    def get_free_hours(self, row) -> list[str]:
        return [f"{slot.start:%H:%M}" for slot in row.slots if slot.free]


class ScheduleUnassignedSerializer(serializers.Serializer):
    """A work order waiting for an engineer, with the dispatch suggestion for the day (R5, R38)."""

    work_order = ScheduleWorkOrderSerializer()
    customer = serializers.CharField(source="work_order.customer.name")
    suggested_point = IdNameSerializer(source="suggestion.point", allow_null=True)
    suggested_engineer = serializers.SerializerMethodField()

    def get_suggested_engineer(self, row) -> dict | None:
        engineer = row["suggestion"].engineer
        return None if engineer is None else {"id": engineer.pk, "name": str(engineer.user)}


class ScheduleBoardSerializer(serializers.Serializer):
    """R12: the day of the chosen points' engineers and the work orders waiting for one."""

    date = serializers.DateField(source="day")
    working = serializers.BooleanField(help_text=_("The day has working time at one of the points."))
    start = serializers.TimeField()
    end = serializers.TimeField()
    service_points = IdNameSerializer(source="points", many=True)
    engineers = ScheduleRowSerializer(source="rows", many=True)
    unassigned = serializers.SerializerMethodField()
    truncated = serializers.BooleanField(help_text=_("More work orders wait than are listed."))

    @extend_schema_field(ScheduleUnassignedSerializer(many=True))
    def get_unassigned(self, board) -> list:
        rows = [{"work_order": wo, "suggestion": suggestion} for wo, suggestion in board.unassigned]
        return ScheduleUnassignedSerializer(rows, many=True).data


class MapPointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.SerializerMethodField(
        help_text=_("[latitude, longitude] (WGS-84, as stored); null when the point has none.")
    )

    def get_position(self, point) -> list[float] | None:
        if point.latitude is None or point.longitude is None:
            return None
        return [float(point.latitude), float(point.longitude)]


class MapVisitSerializer(serializers.Serializer):
    """A visit on the map, with what its popup shows."""

    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    url = serializers.SerializerMethodField(help_text=_("The visit's page."))
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    work_order = ScheduleWorkOrderSerializer()
    customer = serializers.CharField(source="work_order.customer.name")
    engineer = IdNameSerializer(source="engineer.user")
    engineer_id = serializers.IntegerField()
    window_start = serializers.TimeField(allow_null=True)
    window_end = serializers.TimeField(allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True, help_text=_("The check-in time."))
    position = serializers.SerializerMethodField(
        help_text=_("[latitude, longitude] of the check-in, else the check-out; null: none yet.")
    )

    def get_url(self, visit) -> str:
        return reverse("field:visit_detail", args=[visit.pk])

    def get_position(self, visit) -> list[float] | None:
        position = visit_position(visit)
        return None if position is None else list(position)


class MapRouteSerializer(serializers.Serializer):
    engineer = IdNameSerializer(source="engineer.user")
    engineer_id = serializers.IntegerField(source="engineer.pk")
    path = serializers.SerializerMethodField(
        help_text=_("[latitude, longitude] pairs: the service point, then the visits in time order.")
    )

    def get_path(self, route) -> list[list[float]]:
        return [list(stop.position) for stop in route.stops]


class ScheduleMapSerializer(serializers.Serializer):
    """R12: the map of a day of the chosen points."""

    date = serializers.DateField(source="day")
    service_points = MapPointSerializer(source="points", many=True)
    visits = MapVisitSerializer(many=True, help_text=_("The day's visits in time order."))
    last_checkins = MapVisitSerializer(
        source="checkins",
        many=True,
        help_text=_("Each engineer's last checked-in visit up to the end of the day (where last seen)."),
    )
    routes = MapRouteSerializer(many=True)


class ScheduleBookInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    work_order = serializers.IntegerField(min_value=1, help_text=_("The work order's id."))
    engineer = serializers.IntegerField(min_value=1, help_text=_("The engineer's id."))
    date = serializers.DateField()
    window_start = serializers.TimeField()
    window_end = serializers.TimeField()
    reason = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed when the engineer is not the one suggested for that day and window."),
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("The work order's version seen.")
    )


class ScheduleAppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    work_order = ScheduleWorkOrderSerializer()
    engineer = IdNameSerializer(source="engineer.user")
    engineer_id = serializers.IntegerField(source="engineer.pk", help_text=_("The id to book with."))
    date = serializers.DateField()
    window_start = serializers.TimeField()
    window_end = serializers.TimeField()
    state = serializers.CharField()


DAY_PARAMETERS = [ScheduleQuery]


class ScheduleViewSet(viewsets.ViewSet):
    """The schedule board (dispatch roles; R37: the points of the user's scope only)."""

    def _require_dispatcher(self, request: Request) -> None:
        if not request.user.dispatches:
            raise exceptions.PermissionDenied(_("Only dispatchers use the schedule board."))

    def _day_and_points(self, request: Request) -> tuple[date, list[int]]:
        """`?date=` (default today; a bad one is a 400 on `date`) and the `?service_point=` ids."""
        refuse_blank_parameters(request, ("date",))
        query = ScheduleQuery(
            data={
                "date": request.query_params.get("date"),
                "service_point": request.query_params.getlist("service_point"),
            }
        )
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or timezone.localdate()
        return day, query.validated_data["service_point"][:SCHEDULE_POINTS]

    @extend_schema(
        summary=_("The schedule board of a day (R12; dispatchers)"),
        description=_(
            "Engineers of the chosen service points (at most five; default: the user's point, else "
            "the first of their scope) with their visits, leave and free hours of the day's working "
            "time, and the oldest unassigned work orders (at most 50) with the suggested engineer."
        ),
        parameters=DAY_PARAMETERS,
        responses={200: ScheduleBoardSerializer, **problem_responses(400, 403)},
    )
    @action(detail=False, methods=["get"], url_path="board")
    def board(self, request: Request) -> Response:
        self._require_dispatcher(request)
        day, ids = self._day_and_points(request)
        return Response(ScheduleBoardSerializer(schedule_board(request.user, day=day, point_ids=ids)).data)

    @extend_schema(
        summary=_("The map of a day (R12; dispatchers)"),
        description=_(
            "The chosen service points (at most five; default as the board) with their positions, the "
            "day's visits of their engineers in time order with where the phone checked in (else "
            "out), each engineer's last check-in up to the end of the day, and each engineer's route "
            "(the point, then the visits in time order). Positions are [latitude, longitude] as the "
            "phones reported them (WGS-84)."
        ),
        parameters=DAY_PARAMETERS,
        responses={200: ScheduleMapSerializer, **problem_responses(400, 403)},
    )
    @action(detail=False, methods=["get"], url_path="map", url_name="map")
    def day_map(self, request: Request) -> Response:
        self._require_dispatcher(request)
        day, ids = self._day_and_points(request)
        return Response(ScheduleMapSerializer(schedule_map(request.user, day=day, point_ids=ids)).data)

    @extend_schema(
        summary=_("Assign an engineer and book the visit in one step (R5, R38, R12; dispatchers)"),
        description=_(
            "The assignment (`not_qualified`, `on_leave`, `required` reason for another engineer "
            "than the suggested one, 409 when the work order cannot be assigned now or changed "
            "meanwhile) and the booking (`double_booking`, `on_leave`, `invalid_window`, "
            "`past_window`) in one transaction: any refusal saves nothing."
        ),
        request=ScheduleBookInputSerializer,
        responses={201: ScheduleAppointmentSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=False, methods=["post"], url_path="book")
    @idempotent
    def book(self, request: Request) -> Response:
        self._require_dispatcher(request)
        serializer = ScheduleBookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        work_order = workorder_of_path(request.user, str(data["work_order"]))
        engineer = engineers_in_scope(request.user).filter(pk=data["engineer"]).first()
        if engineer is None:
            raise serializers.ValidationError({"engineer": [_("Choose an engineer.")]})
        appointment = schedule_assign_book(
            work_order_id=work_order.pk,
            engineer=engineer,
            day=data["date"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            actor=request.user,
            reason=data["reason"],
            expected_version=data["version"],
        )
        return Response(ScheduleAppointmentSerializer(appointment).data, status=201)
