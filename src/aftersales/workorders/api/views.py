"""Work-order endpoints. Reads go through selectors (scoped in SQL, R37), writes through services;
every error leaves as a JSON problem (core/api.py). Work orders are never deleted: cancel is a
transition."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # an address naming nothing (not a UUID): 404
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from aftersales.accounts.choices import FRONT_LINE_ROLES
from aftersales.core.api import RoleWritePermission, export_action, problem_responses, transition_actions
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.bulk import bulk_endpoint
from aftersales.core.idempotency import idempotent
from aftersales.core.lists import PK_MAX
from aftersales.core.pagination import PageSizeMixin

from .. import services
from ..filtersets import WorkOrderFilterSet
from ..models import WorkOrder
from ..selectors import (
    TIMELINE_PAGE_SIZE,
    TimelineCursor,
    caller_lookup,
    workorder_get,
    workorder_history,
    workorder_list,
    workorder_timeline_page,
)
from ..transitions import WORKORDER
from ..views import WorkOrderExportView, WorkOrderListView
from .serializers import (
    TRANSITION_FIELDS,
    AttachmentInputSerializer,
    AttachmentSerializer,
    CallerLookupSerializer,
    ChangeRecordSerializer,
    EventSerializer,
    NoteInputSerializer,
    NoteSerializer,
    TimelinePageSerializer,
    WorkOrderSerializer,
    WorkOrderUpdateSerializer,
    WorkOrderWriteSerializer,
)

# Entries one page of `/api/workorders/<id>/timeline/` holds at most.
TIMELINE_MAX_PAGE_SIZE = 100


class IntakeLookupQuery(serializers.Serializer):
    """The lookup's inputs (the intake page reads its form's fields with `caller_lookup_params`)."""

    phone = serializers.CharField(required=False, allow_blank=True, help_text="The caller's phone, as typed.")
    serial = serializers.CharField(
        required=False, allow_blank=True, help_text="The device's serial number (whole)."
    )
    customer = serializers.IntegerField(
        source="customer_id",
        required=False,
        min_value=1,
        max_value=PK_MAX,
        help_text="A customer already picked.",
    )
    device = serializers.IntegerField(
        source="device_id",
        required=False,
        min_value=1,
        max_value=PK_MAX,
        help_text="A device already picked.",
    )


class OldestFirstPagination(PageSizeMixin, CursorPagination):
    """A work order's notes, attachments or events a page at a time, oldest first: a cursor
    (`next`, `previous`), never an offset, so rows written meanwhile shift no page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("created_at", "id")


class NewestFirstPagination(OldestFirstPagination):
    """The field-level history a page at a time, newest first."""

    ordering = ("-created_at", "-id")


def workorder_of_path(user, pk: str | None) -> WorkOrder:
    """The work order a URL names, in the user's scope, or 404 (never 403: existence is not
    disclosed); for this app's endpoints and the other apps' endpoints about one work order."""
    try:
        work_order_id = int(pk or "")
    except (TypeError, ValueError):
        raise exceptions.NotFound() from None
    return workorder_get(user, work_order_id)


@extend_schema_view(
    list=extend_schema(
        summary=_("Work orders in your scope"),
        responses={200: WorkOrderSerializer(many=True), **problem_responses(400)},
    ),
    retrieve=extend_schema(responses={200: WorkOrderSerializer, **problem_responses(404)}),
)
@transition_actions(WORKORDER, fields=TRANSITION_FIELDS, prefix="WorkOrder")
class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders (R1, R2, R4, R7, R37, R41): filtered like the list page, scoped to the user."""

    queryset = WorkOrder.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = WorkOrderSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = WorkOrderFilterSet
    export = export_action(WorkOrderExportView, summary=_("Export the work orders to Excel"))
    bulk = bulk_endpoint(
        WorkOrderListView,
        prefix="WorkOrder",
        summary=_("Act on many work orders at once (the list's bulk actions)"),
        not_found=_("No such work order."),
    )
    permission_classes = [RoleWritePermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def write_roles(self) -> frozenset[str] | None:
        return FRONT_LINE_ROLES if self.action in ("create", "partial_update") else None

    def get_queryset(self):
        return workorder_list(self.request.user)

    def get_object(self) -> WorkOrder:
        return workorder_of_path(self.request.user, self.kwargs[self.lookup_field])

    def _output(self, work_order: WorkOrder, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(
            WorkOrderSerializer(work_order, context=self.get_serializer_context()).data, status_code
        )

    @extend_schema(
        summary=_("Take a request (intake)"),
        request=WorkOrderWriteSerializer,
        responses={201: WorkOrderSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """R1/R2: intake through the same service as the form; channel defaults to "api"."""
        serializer = WorkOrderWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        work_order = services.workorder_create(actor=request.user, **serializer.validated_data)
        response = self._output(work_order, status.HTTP_201_CREATED)
        response["Location"] = reverse("workorder-detail", kwargs={"pk": work_order.pk}, request=request)
        return response

    @extend_schema(
        summary=_("Edit data fields (optimistic locking)"),
        request=WorkOrderUpdateSerializer,
        responses={200: WorkOrderSerializer, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """PATCH with the `version` read: a stale one is refused with 409 and nothing is written."""
        work_order = self.get_object()
        serializer = WorkOrderUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        version = fields.pop("version")
        updated = services.workorder_update(
            work_order_id=work_order.pk, actor=request.user, expected_version=version, **fields
        )
        return self._output(updated)

    def _page(self, queryset, serializer_class) -> Response:
        """One page of rows of the work order's history, by the action's cursor pagination."""
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    # --- lifecycle ------------------------------------------------------------------------------

    def transition_response(self, work_order: WorkOrder) -> Response:
        """After a transition (`POST /<id>/<action>/`, one per transition of transitions.py)."""
        return self._output(work_order)

    # --- notes, attachments, timeline -----------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary=_("Notes of a work order"),
        responses={200: NoteSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a note"),
        request=NoteInputSerializer,
        responses={201: NoteSerializer, **problem_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=OldestFirstPagination, filter_backends=[])
    @idempotent
    def notes(self, request: Request, pk: str | None = None) -> Response:
        work_order = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            return self._page(work_order.notes.select_related("author"), NoteSerializer)
        serializer = NoteInputSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        note = services.note_add(work_order=work_order, actor=request.user, **serializer.validated_data)
        return Response(NoteSerializer(note, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary=_("Attachments of a work order"),
        responses={200: AttachmentSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Upload an image or PDF"),
        description="Multipart upload. The type is recognised by content (JPEG, PNG, GIF, WebP, PDF); "
        "other files and files over the size limit give 400 on `file`.",
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer, **problem_responses(400, 404)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=OldestFirstPagination,
        filter_backends=[],
    )
    @idempotent
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        work_order = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            return self._page(work_order.attachments.select_related("uploaded_by"), AttachmentSerializer)
        serializer = AttachmentInputSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            work_order=work_order,
            actor=request.user,
            upload=serializer.validated_data["file"],
            description=serializer.validated_data["description"],
        )
        return Response(
            AttachmentSerializer(attachment, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("Download an attachment"),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **problem_responses(404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9a-f-]{36})/download",
        url_name="attachment-download",
    )
    def attachment_download(
        self, request: Request, pk: str | None = None, attachment_id: str | None = None
    ) -> FileResponse:
        """Served only when the work order is in the user's scope (404 otherwise, R37); the
        attachment named by its random `uuid`, never its sequential id (R41)."""
        work_order = self.get_object()
        attachment = get_object_or_404(work_order.attachments.all(), uuid=attachment_id)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise exceptions.NotFound(_("The file is no longer stored.")) from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )

    @extend_schema(
        summary=_("Timeline events (transitions, notes, notifications)"),
        responses={200: EventSerializer(many=True), **problem_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=OldestFirstPagination, filter_backends=[])
    def events(self, request: Request, pk: str | None = None) -> Response:
        work_order = self.get_object()
        return self._page(work_order.events.select_related("actor"), EventSerializer)

    @extend_schema(
        summary=_("Timeline: events and field changes, newest first, a page at a time"),
        description="Cursor pagination: follow `next` for the older entries (null on the last page). "
        "Entries written meanwhile never shift a page: no entry repeats or goes missing.",
        parameters=[
            OpenApiParameter(
                "cursor", str, description="The `next` cursor of the previous page; none for the newest."
            ),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Entries per page, {TIMELINE_PAGE_SIZE} unless asked, at most "
                f"{TIMELINE_MAX_PAGE_SIZE}.",
            ),
        ],
        responses={200: TimelinePageSerializer, **problem_responses(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        work_order = self.get_object()
        before = None
        if request.query_params.get("cursor"):
            try:
                before = TimelineCursor.decode(request.query_params["cursor"])
            except ValueError:
                raise exceptions.ValidationError(
                    {"cursor": [_("Not a cursor of this list.")]}, code="invalid_cursor"
                ) from None
        size = TIMELINE_PAGE_SIZE
        if request.query_params.get("page_size"):
            try:
                size = int(request.query_params["page_size"])
            except ValueError:
                size = 0
            if not 1 <= size <= TIMELINE_MAX_PAGE_SIZE:
                raise exceptions.ValidationError(
                    {"page_size": [_("A whole number from 1 to %(max)d.") % {"max": TIMELINE_MAX_PAGE_SIZE}]}
                )
        page = workorder_timeline_page(work_order, before=before, size=size)
        next_url = None
        if page.next is not None:
            query = request.query_params.copy()
            query["cursor"] = page.next.encode()
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        data = TimelinePageSerializer(
            {"next": next_url, "results": page.rows}, context=self.get_serializer_context()
        ).data
        return Response(data)

    @extend_schema(
        summary=_("Intake: the caller's and the device's records (issue 12)"),
        description="Once the phone or the serial number is recognised: the customers with that "
        "phone (theirs or a contact's), their open and latest other work orders, the device with that "
        "serial number and its latest service history, and the open work orders on that device "
        "(`duplicates`): a repeat call adds a note to one of them instead of a new work order. "
        "Scoped to what the user may see (R37); every list is bounded. For the roles that take "
        "requests.",
        parameters=[IntakeLookupQuery],
        responses={200: CallerLookupSerializer, **problem_responses(403)},
    )
    @action(
        detail=False, methods=["get"], url_path="intake-lookup", filter_backends=[], pagination_class=None
    )
    def intake_lookup(self, request: Request) -> Response:
        if not request.user.takes_requests:
            raise exceptions.PermissionDenied()
        query = IntakeLookupQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lookup = caller_lookup(request.user, **query.validated_data)
        return Response(CallerLookupSerializer(lookup, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Field-level change history (R41)"),
        responses={200: ChangeRecordSerializer(many=True), **problem_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=NewestFirstPagination, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        work_order = self.get_object()
        return self._page(workorder_history(work_order), ChangeRecordSerializer)


@extend_schema(exclude=True)
class UnknownActionViewSet(viewsets.ViewSet):
    """`/api/workorders/<id>/<unknown>/`: a JSON 404 problem instead of Django's HTML page."""

    def _unknown(self) -> Response:
        raise exceptions.NotFound(_("Unknown action."), code="unknown_action")

    def list(self, request: Request, **kwargs: Any) -> Response:
        return self._unknown()

    def create(self, request: Request, **kwargs: Any) -> Response:
        return self._unknown()
