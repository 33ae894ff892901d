"""REST API of appointments and of the visits planned for a work order (R12): what the service tab
of the work-order page, the calendar and Today's jobs do, through the same services.

- `GET /api/workorders/<id>/appointments/`: the work order's appointments; `POST` books a day and a
  time window with the customer for the assigned engineer (`services.appointment_book`).
- `GET /api/appointments/` (scoped, filtered by engineer, point, work order, state and days) and
  `GET /api/appointments/<id>/`.
- `POST /api/appointments/<id>/reschedule/` moves a booked visit, with a reason
  (`services.appointment_reschedule`); `POST /api/appointments/<id>/cancel/` cancels it, with a
  reason (`services.appointment_cancel`).
- `POST /api/appointments/<id>/visit/` opens the visit of a booked appointment (`services.visit_create`,
  Today's jobs' "open the visit"); when it is already open, its visit (200).
- `GET /api/workorders/<id>/visits/`: the work order's visits; `POST` plans one for a day.

Everything about one work order or appointment is scoped like the work order: 404 outside the user's
scope (R37); refusals are JSON problems with their codes (400 with the input at fault, 403 for the
wrong role or another engineer's work, 409 for a state or version that no longer allows it)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import IdNameSerializer, RejectUnknownFieldsMixin, problem_responses, request_user
from aftersales.core.idempotency import idempotent
from aftersales.workorders.api import workorder_of_path
from aftersales.workorders.transitions import WORKORDER

from .api import ScopedViewSetMixin, VisitSerializer
from .filtersets import AppointmentFilterSet
from .models import Appointment, Visit
from .policies import (
    BOOK_APPOINTMENT,
    RESCHEDULE_APPOINTMENT,
    may_cancel_appointment,
    may_plan_visit,
    may_reschedule_appointment,
)
from .selectors import appointment_get, appointment_list, visit_get, visits_for_workorder
from .services import appointment_book, appointment_cancel, appointment_reschedule, visit_create
from .transitions import APPOINTMENT

WORK_ORDER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The work order's id."))
APPOINTMENT_ACTIONS = ["reschedule", "cancel", "visit"]


class AppointmentSerializer(serializers.ModelSerializer):
    """A visit agreed with the customer (R12): a day and a time window (China time) for the engineer."""

    work_order = serializers.SerializerMethodField()
    engineer = IdNameSerializer(read_only=True)
    state = serializers.CharField(read_only=True, help_text=_("booked | cancelled | done"))
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    reason = serializers.CharField(read_only=True, help_text=_("The reason of the last change."))
    visit = serializers.SerializerMethodField(help_text=_("The visit opened from it, if any."))
    created_by = IdNameSerializer(read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "work_order",
            "engineer",
            "date",
            "window_start",
            "window_end",
            "state",
            "state_display",
            "reason",
            "version",
            "visit",
            "available_actions",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(IdNameSerializer(help_text=_("Its id and number.")))
    def get_work_order(self, appointment: Appointment) -> dict:
        return {"id": appointment.work_order_id, "name": appointment.work_order.number}

    @extend_schema_field(IdNameSerializer(allow_null=True, help_text=_("Its id and number.")))
    def get_visit(self, appointment: Appointment) -> dict | None:
        visit = _visit_of(appointment)
        return None if visit is None else {"id": visit.pk, "name": visit.number}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=APPOINTMENT_ACTIONS)))
    def get_available_actions(self, appointment: Appointment) -> list[str]:
        """The action endpoints this user may call now (the buttons of the page)."""
        user = request_user(self.context)
        if user is None:
            return []
        actions = []
        if may_reschedule_appointment(user, appointment):
            actions.append("reschedule")
        if may_cancel_appointment(user, appointment):
            actions.append("cancel")
        if (
            appointment.is_booked
            and _visit_of(appointment) is None
            and may_plan_visit(user, appointment.work_order)
        ):
            actions.append("visit")
        return actions


def _visit_of(appointment: Appointment) -> Visit | None:
    try:
        return appointment.visit
    except Visit.DoesNotExist:
        return None


class AppointmentBookInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """A day and a time window agreed with the customer (China time)."""

    date = serializers.DateField()
    window_start = serializers.TimeField()
    window_end = serializers.TimeField(help_text=_("After `window_start`."))

    def service_kwargs(self) -> dict:
        data = self.validated_data
        return {"day": data["date"], "window_start": data["window_start"], "window_end": data["window_end"]}


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("If given, refused with 409 stale_version when the appointment changed since."),
    )


class AppointmentRescheduleInput(AppointmentBookInput):
    """A new day and window, with the reason the customer is told."""

    reason = serializers.CharField(max_length=255)
    version = _version_field()

    def service_kwargs(self) -> dict:
        data = self.validated_data
        return {**super().service_kwargs(), "reason": data["reason"], "expected_version": data["version"]}


class AppointmentCancelInput(RejectUnknownFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=255)
    version = _version_field()


class VisitPlanInput(RejectUnknownFieldsMixin, serializers.Serializer):
    planned_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("The day of the visit (default today).")
    )


BOOKING_REFUSALS = _(
    "400 `not_assigned` (no engineer assigned: assign one first, or use `POST /api/schedule/book/`), "
    "`invalid_window`, `past_window`, `on_leave` (on `date`), `double_booking` (on `window_start`, "
    "naming the work order booked then); 403 `permission_denied` for other roles than dispatchers "
    "and the assigned engineer."
)


class AppointmentViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Appointments (R12) of the work orders the user may see, by day and window."""

    queryset = Appointment.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilterSet
    getter = staticmethod(appointment_get)

    def get_queryset(self):
        return appointment_list(self.request.user)

    def _output(self, appointment: Appointment, code: int = status.HTTP_200_OK) -> Response:
        fresh = appointment_list(self.request.user).get(pk=appointment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary=_("Move a booked visit to another day or window (R12)"),
        description=_(
            "The same checks as booking, the appointment not clashing with itself: 400 "
            "`invalid_window`, `past_window`, `on_leave`, `double_booking`, `required` (no reason); "
            "409 `not_booked` (cancelled or done), 409 `stale_version`; 403 for other roles than "
            "dispatchers and the appointment's engineer. The customer is told by SMS."
        ),
        request=AppointmentRescheduleInput,
        responses={200: AppointmentSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        if not APPOINTMENT.permits(RESCHEDULE_APPOINTMENT, request.user, appointment):
            raise exceptions.PermissionDenied(
                _("Only dispatchers and the assigned engineer may change this visit.")
            )
        data = AppointmentRescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment_reschedule(appointment_id=appointment.pk, actor=request.user, **data.service_kwargs())
        return self._output(appointment)

    @extend_schema(
        summary=_("Cancel a booked visit (R12)"),
        description=_(
            "With the reason the customer is told by SMS. 400 `required` (no reason); 409 "
            "`not_booked`, 409 `stale_version`; 403 for other roles than dispatchers and the "
            "appointment's engineer."
        ),
        request=AppointmentCancelInput,
        responses={200: AppointmentSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        if not APPOINTMENT.permits(APPOINTMENT["cancel"], request.user, appointment):
            raise exceptions.PermissionDenied(
                _("Only dispatchers and the assigned engineer may change this visit.")
            )
        data = AppointmentCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment_cancel(
            appointment_id=appointment.pk,
            actor=request.user,
            reason=data.validated_data["reason"],
            expected_version=data.validated_data["version"],
        )
        return self._output(appointment)

    @extend_schema(
        summary=_("Open the visit of a booked appointment (R12)"),
        description=_(
            "The engineer's visit for the appointment's day and window, with the self-check list "
            "(Today's jobs' “open the visit”): 201 with the new visit, or 200 with the visit already "
            "opened from it. 409 `not_booked` (cancelled or done), 409 `not_assigned` (the work order "
            "is not assigned and open); 403 for other roles than dispatchers, supervisors and the "
            "assigned engineer."
        ),
        request=None,
        responses={
            201: VisitSerializer,
            200: VisitSerializer,
            **problem_responses(403, 404, 409),
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def visit(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        existing = Visit.objects.filter(appointment=appointment).values_list("pk", flat=True).first()
        code = status.HTTP_200_OK
        if existing is None:
            existing = visit_create(
                work_order=appointment.work_order, appointment=appointment, actor=request.user
            ).pk
            code = status.HTTP_201_CREATED
        visit = visit_get(request.user, existing)
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data, status=code)


@extend_schema_view(
    appointments=extend_schema(parameters=[WORK_ORDER_ID]),
    visits=extend_schema(parameters=[WORK_ORDER_ID]),
)
class WorkOrderFieldViewSet(viewsets.ViewSet):
    """`/api/workorders/<id>/appointments/` and `/api/workorders/<id>/visits/` (R12)."""

    def _context(self) -> dict:
        return {"request": self.request, "view": self}

    @extend_schema(
        methods=["GET"],
        summary=_("Appointments of a work order (R12)"),
        responses={200: AppointmentSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Book a visit with the customer (R12)"),
        description=format_lazy(
            "{}{}",
            _(
                "A day and a time window for the engineer assigned to the work order: not on leave that "
                "day, no other booked visit overlapping the window (back to back is fine), the window not "
                "over. The customer is told by SMS. "
            ),
            BOOKING_REFUSALS,
        ),
        request=AppointmentBookInput,
        responses={201: AppointmentSerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], url_path="appointments", url_name="appointments")
    @idempotent
    def appointments(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        rows = appointment_list(request.user).filter(work_order=work_order)
        if request.method == "GET":
            return Response(AppointmentSerializer(rows, many=True, context=self._context()).data)
        if not WORKORDER.permits(BOOK_APPOINTMENT, request.user, work_order):
            raise exceptions.PermissionDenied(
                _("Only dispatchers and the assigned engineer may book a visit.")
            )
        data = AppointmentBookInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = appointment_book(
            work_order=work_order, engineer=work_order.engineer, actor=request.user, **data.service_kwargs()
        )
        body = AppointmentSerializer(rows.get(pk=appointment.pk), context=self._context()).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("appointment-detail", args=[appointment.pk])
        )
        return response

    @extend_schema(
        methods=["GET"],
        summary=_("Visits of a work order (R12), newest first"),
        responses={200: VisitSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Plan a visit of the assigned engineer (R12)"),
        description=_(
            "For a day (today by default), with the self-check list configured now; a visit agreed "
            "with the customer is opened from its appointment instead (`POST "
            "/api/appointments/{id}/visit/`). 409 `not_assigned` (the work order is not assigned and "
            "open); 403 for other roles than dispatchers, supervisors and the assigned engineer."
        ),
        request=VisitPlanInput,
        responses={201: VisitSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], url_path="visits", url_name="visits")
    @idempotent
    def visits(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        if request.method == "GET":
            rows = visits_for_workorder(work_order).select_related("work_order").prefetch_related("parts")
            return Response(VisitSerializer(rows, many=True, context=self._context()).data)
        data = VisitPlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = visit_create(
            work_order=work_order, actor=request.user, planned_date=data.validated_data["planned_date"]
        )
        body = VisitSerializer(visit_get(request.user, visit.pk), context=self._context()).data
        return Response(body, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Called by `api.register`: the appointments, and the work order's own routes (before the work
    orders' unknown-action catch-all, config/api_urls.py)."""
    router.register(r"appointments", AppointmentViewSet, basename="appointment")
    router.register(r"workorders", WorkOrderFieldViewSet, basename="workorder-field")
