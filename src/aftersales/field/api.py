"""REST API of on-site visits (R12, R15-R17) and supervision cards (R19): scoped lists (R37), one
`POST /api/visits/<id>/<action>/` per step of the visit's lifecycle and one
`POST /api/supervision-cards/<id>/<action>/` per step of the card's (both generated from the
machines by `core.api.transition_actions`), plus the customer's sign-off (`sign`, with the drawn
signature as a PNG data URL) and refusal (`refuse`). Reads through selectors, writes through
services; errors leave as JSON problems (core/api.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.selectors import engineers_in_scope
from aftersales.core.api import (
    ID_PATTERN,
    MULTIPART_PARSERS,
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    export_action,
    problem_responses,
    refuse_blank_parameters,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.bulk import bulk_endpoint
from aftersales.core.idempotency import idempotent
from aftersales.workorders.api import workorder_of_path
from aftersales.workorders.api.serializers import AttachmentSerializer, WorkOrderSerializer

from .api_documents import register as register_documents
from .api_org import register as register_org
from .api_schedule import ScheduleViewSet
from .choices import SignedFormState
from .filtersets import SupervisionCardFilterSet, VisitFilterSet
from .models import SignOff, SupervisionCard, Visit, VisitPart
from .policies import EDIT_VISIT_INTERNAL
from .selectors import (
    BOARD_SIZE,
    dispatch_board_get,
    dispatch_may_assign,
    dispatch_points_for,
    dispatch_suggest,
    signed_form_of,
    supervision_get,
    supervision_list,
    visit_get,
    visit_scope,
    visit_signoff,
)
from .services import (
    dispatch_assign,
    visit_internal_update,
    visit_part_add,
    visit_part_remove,
    visit_parts_request,
    visit_photo_add,
    visit_record,
    visit_sign,
    visit_signoff_refuse,
)
from .services.visits import VAN
from .transitions import SUPERVISION_CARD, VISIT
from .views.supervision import SupervisionCardExportView, SupervisionCardListView


class PartSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    warehouse = IdNameSerializer(
        read_only=True, allow_null=True, help_text="The van or store it was issued from."
    )
    covered = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Under warranty (R36); null when not decided."
    )
    old_part = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text="The old part kept for HQ (R29)."
    )

    class Meta:
        model = VisitPart
        fields = [
            "id",
            "part_number",
            "name",
            "quantity",
            "shown_to_customer",
            "warehouse",
            "covered",
            "cover_reason",
            "old_serial_number",
            "old_part",
        ]
        read_only_fields = fields


class PartInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """R12, R32: a part replaced on site; a catalog part is issued from the engineer's van unless
    `warehouse` names the service point's store, or is null (not from stock)."""

    part_number = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=9999, default=1)
    shown_to_customer = serializers.BooleanField(default=True)
    warehouse = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=VAN,
        help_text="Warehouse id to issue from; omitted: the engineer's van; null: not from stock.",
    )
    old_serial_number = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Serial number of the part taken out; needed for a serialised part under warranty (R29).",
    )


class PartsRequestInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    part_number = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=9999, default=1)


class TransferRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True, help_text="draft | shipped | received | cancelled")


class SignOffSerializer(serializers.ModelSerializer):
    """The customer's sign-off; `document` is the signed service form's attachment (its id), made
    by a job after the sign-off: `document_state` says "pending" until it is there (R15, R21)."""

    document = serializers.SerializerMethodField()
    document_state = serializers.SerializerMethodField()

    class Meta:
        model = SignOff
        fields = [
            "outcome",
            "quality_rating",
            "attitude_rating",
            "satisfied",
            "comment",
            "signer_name",
            "signature_kind",
            "refusal_reason",
            "signed_at",
            "content_hash",
            "document",
            "document_state",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_document(self, signoff: SignOff) -> int | None:
        form = signed_form_of(signoff)
        return form.attachment_id if form is not None and form.is_ready else None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=SignedFormState.choices,
            allow_null=True,
            help_text=("pending | ready | failed (tried again by a job); null for a refusal (no form)"),
        )
    )
    def get_document_state(self, signoff: SignOff) -> str | None:
        form = signed_form_of(signoff)
        return form.state if form is not None else None


class VisitSerializer(serializers.ModelSerializer):
    """What the customer sees of a visit; never the internal fault cause and measures (R16)."""

    work_order = serializers.SerializerMethodField()
    engineer = IdNameSerializer(read_only=True)
    state = serializers.CharField(read_only=True, help_text="booked | en_route | on_site | done | cancelled")
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    parts = PartSerializer(many=True, read_only=True)
    signoff = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "number",
            "work_order",
            "engineer",
            "state",
            "state_display",
            "planned_date",
            "window_start",
            "window_end",
            "departed_at",
            "arrived_at",
            "checkin_latitude",
            "checkin_longitude",
            "checkin_accuracy",
            "left_at",
            "checkout_latitude",
            "checkout_longitude",
            "checkout_accuracy",
            "findings",
            "checklist",
            "plan_change",
            "plan_change_agreed",
            "cancel_reason",
            "version",
            "parts",
            "signoff",
        ]
        read_only_fields = fields

    def get_work_order(self, visit: Visit) -> dict:
        return {"id": visit.work_order_id, "number": visit.work_order.number}

    def get_signoff(self, visit: Visit) -> dict | None:
        signoff = visit_signoff(visit)
        return SignOffSerializer(signoff).data if signoff else None


# The inputs of the visit's steps (`transitions.VISIT`): the reason to cancel, the browser's position
# on check-in and check-out (R12). One input serializer per step is generated from these.
VISIT_TRANSITION_FIELDS = {
    "reason": lambda: serializers.CharField(required=False, allow_blank=True, max_length=255),
    "latitude": lambda: serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True
    ),
    "longitude": lambda: serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True
    ),
    "accuracy": lambda: serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    ),
}

# The inputs of the supervision card's steps (`transitions.SUPERVISION_CARD`, R19).
CARD_TRANSITION_FIELDS = {
    "summary": lambda: serializers.CharField(required=False, allow_blank=True),
    "note": lambda: serializers.CharField(required=False, allow_blank=True, max_length=1000),
}


class VisitRecordInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """R12, R15: what the engineer found and did, the self-check items done, and new findings
    that change the plan with whether the customer agreed."""

    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    findings = serializers.CharField(allow_blank=True)
    checked = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=999),
        required=False,
        default=list,
        help_text=_("Positions (from 0) of the visit's `checklist` items done; the others are not."),
    )
    plan_change = serializers.CharField(required=False, allow_blank=True, default="")
    plan_change_agreed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Required with a plan change (400 on this field otherwise)."),
    )

    def validate_checked(self, value: list[int]) -> list[int]:
        visit = self.context.get("visit")
        size = len(visit.checklist) if visit is not None else 0
        if any(index >= size for index in value):
            raise serializers.ValidationError(
                _("The self-check list has %(count)d items.") % {"count": size}, code="not_on_checklist"
            )
        return value


class VisitInternalSerializer(serializers.ModelSerializer):
    """R16: the internal fault cause and repair measures, never on the customer's copy."""

    class Meta:
        model = Visit
        fields = ["id", "number", "fault_cause", "repair_measures", "version"]
        read_only_fields = ["id", "number", "version"]


class VisitInternalInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    fault_cause = serializers.CharField(allow_blank=True)
    repair_measures = serializers.CharField(allow_blank=True)


class VisitPhotoInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text=_("A photo (an image file)."))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SignInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    quality_rating = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 = very unsatisfied … 5 = very satisfied"
    )
    attitude_rating = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 = very unsatisfied … 5 = very satisfied"
    )
    satisfied = serializers.BooleanField()
    signer_name = serializers.CharField(max_length=64)
    signature = serializers.CharField(help_text="data:image/png;base64,… (the drawn signature)")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_low_rating = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Ratings are 1 = very unsatisfied … 5 = very satisfied. A rating of 1 or 2 with "
            "satisfied=true is refused (400, code low_rating_unconfirmed on this field) unless this "
            "is true: the engineer checked with the customer."
        ),
    )


class RefuseInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=255)
    satisfied = serializers.BooleanField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScopedViewSetMixin:
    """`get_object` through the scoped selector (404 outside the scope); input validated once."""

    getter: Callable

    def get_object(self):
        try:
            pk = int(self.kwargs[self.lookup_field])
        except (TypeError, ValueError):
            raise exceptions.NotFound() from None
        return type(self).getter(self.request.user, pk)

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def transition_response(self, obj) -> Response:
        """The object as the user sees it after a change (read again through the scoped getter)."""
        fresh = type(self).getter(self.request.user, obj.pk)
        return Response(self.get_serializer_class()(fresh, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("On-site visits in your scope"), responses={200: VisitSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: VisitSerializer, **problem_responses(404)}),
)
@transition_actions(VISIT, fields=VISIT_TRANSITION_FIELDS, prefix="Visit")
class VisitViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """On-site visits (R12) of the work orders the user may see, newest first."""

    queryset = Visit.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = VisitSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = VisitFilterSet
    getter = staticmethod(visit_get)

    def get_queryset(self):
        return (
            visit_scope(self.request.user)
            .select_related("work_order", "engineer__user", "signoff__signed_form")
            .prefetch_related("parts")
        )

    @extend_schema(
        summary=_("Record a replaced part"),
        request=PartInputSerializer,
        responses={201: PartSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="parts")
    @idempotent
    def part_add(self, request: Request, pk: str | None = None) -> Response:
        """R12, R32: issued from the van (409 `insufficient_stock` with what is on hand when short)."""
        visit = self.get_object()
        data = self._input(PartInputSerializer)
        part = visit_part_add(
            visit_id=visit.pk, actor=request.user, warehouse_id=data.pop("warehouse"), **data
        )
        return Response(PartSerializer(part).data, status=201)

    @extend_schema(
        summary=_("Ask the service point's store for a part the van lacks"),
        request=PartsRequestInputSerializer,
        responses={201: TransferRefSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="parts/request")
    @idempotent
    def parts_request(self, request: Request, pk: str | None = None) -> Response:
        """R12, R32: a draft transfer from the store to the engineer's van, for this work order."""
        visit = self.get_object()
        data = self._input(PartsRequestInputSerializer)
        transfer = visit_parts_request(visit_id=visit.pk, actor=request.user, **data)
        return Response(TransferRefSerializer(transfer).data, status=201)

    @extend_schema(
        summary=_("Remove a part recorded by mistake"),
        request=None,
        responses={204: None, **problem_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["delete"], url_path=rf"parts/(?P<part_id>{ID_PATTERN})")
    def part_remove(self, request: Request, pk: str | None = None, part_id: str | None = None) -> Response:
        """R12, R32: the part goes back to the van or store it came from."""
        visit = self.get_object()
        part = get_object_or_404(VisitPart, pk=part_id, visit=visit)
        visit_part_remove(part_id=part.pk, actor=request.user)
        return Response(status=204)

    @extend_schema(
        summary=_("Record the findings, the self-check and a plan change (R12, R15)"),
        description=_(
            "On site, until the customer signs or refuses (409 otherwise); the visit's engineer or a "
            "supervisor (403 otherwise). A changed plan needs `plan_change_agreed` (400 on it); a "
            "stale `version` is 409 `stale_version`."
        ),
        request=VisitRecordInputSerializer,
        responses={200: VisitSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        serializer = VisitRecordInputSerializer(data=request.data, context={"visit": visit})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visit_record(visit_id=visit.pk, actor=request.user, expected_version=data.pop("version"), **data)
        return self.transition_response(visit)

    @extend_schema(
        summary=_("Add a photo taken on site (R12, R21)"),
        description=_(
            "Multipart upload of an image, kept as an attachment of the work order named after the "
            "visit. While on site (409 otherwise); the visit's engineer or a supervisor (403 "
            "otherwise); not an image: 400 on `file`."
        ),
        request={"multipart/form-data": VisitPhotoInputSerializer},
        responses={201: AttachmentSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], parser_classes=MULTIPART_PARSERS)
    @idempotent
    def photos(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = self._input(VisitPhotoInputSerializer)
        photo = visit_photo_add(
            visit_id=visit.pk, actor=request.user, upload=data["file"], description=data["description"]
        )
        return Response(AttachmentSerializer(photo, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        methods=["GET"],
        summary=_("The internal fault cause and repair measures (R16)"),
        description=_("For the visit's engineer, supervisors and clerks (403 otherwise)."),
        responses={200: VisitInternalSerializer, **problem_responses(403, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Fill in the internal fault cause and repair measures (R16)"),
        description=_(
            "On site or after, until the work order is closed (409 then); the visit's engineer, "
            "supervisors and clerks (403 otherwise); a stale `version` is 409 `stale_version`."
        ),
        request=VisitInternalInputSerializer,
        responses={200: VisitInternalSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"])
    def internal(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        if request.method == "POST":
            data = self._input(VisitInternalInputSerializer)
            visit = visit_internal_update(
                visit_id=visit.pk, actor=request.user, expected_version=data.pop("version"), **data
            )
        elif not VISIT.permits(EDIT_VISIT_INTERNAL, request.user, visit):
            raise exceptions.PermissionDenied(
                _("Only the visit's engineer, a clerk or a supervisor may do this.")
            )
        return Response(VisitInternalSerializer(visit).data)

    @extend_schema(
        summary=_("Customer signs"),
        request=SignInputSerializer,
        responses={200: VisitSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = self._input(SignInputSerializer)
        visit_sign(
            visit_id=visit.pk,
            actor=request.user,
            quality_rating=data["quality_rating"],
            attitude_rating=data["attitude_rating"],
            satisfied=data["satisfied"],
            signer_name=data["signer_name"],
            drawn_signature=data["signature"],
            comment=data["comment"],
            confirm_low_rating=data["confirm_low_rating"],
            expected_version=data["version"],
        )
        return self.transition_response(visit)

    @extend_schema(
        summary=_("The customer refuses to sign"),
        request=RefuseInputSerializer,
        responses={200: VisitSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = self._input(RefuseInputSerializer)
        visit_signoff_refuse(
            visit_id=visit.pk,
            actor=request.user,
            reason=data["reason"],
            satisfied=data["satisfied"],
            comment=data["comment"],
            expected_version=data["version"],
        )
        return self.transition_response(visit)


class SupervisionCardSerializer(serializers.ModelSerializer):
    visit = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True, help_text="pending | submitted | verified")
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    late = serializers.BooleanField(read_only=True)
    submitted_by = IdNameSerializer(read_only=True, allow_null=True)
    verified_by = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SupervisionCard
        fields = [
            "id",
            "visit",
            "state",
            "state_display",
            "due_at",
            "late",
            "summary",
            "submitted_at",
            "submitted_by",
            "verified_at",
            "verified_by",
            "verification_note",
            "version",
        ]
        read_only_fields = fields

    def get_visit(self, card: SupervisionCard) -> dict:
        visit = card.visit
        return {"id": visit.pk, "number": visit.number, "work_order": visit.work_order.number}


@extend_schema_view(
    list=extend_schema(
        summary=_("Service task supervision cards"), responses={200: SupervisionCardSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: SupervisionCardSerializer, **problem_responses(404)}),
)
@transition_actions(SUPERVISION_CARD, fields=CARD_TRANSITION_FIELDS, prefix="SupervisionCard")
class SupervisionCardViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Supervision cards (R19) of the visits the user may see, with `late`; filtered like the page."""

    queryset = SupervisionCard.objects.none()
    serializer_class = SupervisionCardSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = SupervisionCardFilterSet
    export = export_action(SupervisionCardExportView, summary=_("Export the supervision cards to Excel"))
    bulk = bulk_endpoint(
        SupervisionCardListView,
        prefix="SupervisionCard",
        summary=_("Act on many supervision cards at once (the list's bulk actions)"),
        not_found=_("No such supervision card."),
        number=lambda card: card.visit.number,
    )
    getter = staticmethod(supervision_get)

    def get_queryset(self):
        return supervision_list(self.request.user)


def register(router) -> None:
    """Add this app's viewsets to the project's router (config/api_urls.py)."""
    router.register(r"visits", VisitViewSet, basename="visit")
    router.register(r"supervision-cards", SupervisionCardViewSet, basename="supervision-card")
    router.register(r"dispatch", DispatchSuggestionViewSet, basename="dispatch")
    router.register(r"schedule", ScheduleViewSet, basename="schedule")
    register_org(router)
    register_documents(router)
    from .api_appointments import register as register_appointments  # it reads this module's serializers

    register_appointments(router)


# -- dispatch suggestion (R5, R38, R12) ------------------------------------------------------------


class SuggestedEngineerSerializer(serializers.Serializer):
    engineer = IdNameSerializer(help_text=_("The engineer's id, as the work order's `assign` takes it."))
    employee_no = serializers.CharField(source="engineer.employee_no")
    service_point = IdNameSerializer(source="engineer.service_point")
    load = serializers.IntegerField(help_text=_("Open work orders."))
    eligible = serializers.BooleanField(help_text=_("Qualified, not on leave and free then."))
    reasons = serializers.ListField(child=serializers.CharField())


class PointCandidateSerializer(serializers.Serializer):
    point = IdNameSerializer()
    region = serializers.CharField(source="region_label")
    distance_km = serializers.FloatField(allow_null=True)
    covering_km = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Distance from the point covering the customer's region, when the customer's own "
            "position is unknown (R5: the nearest comes first)."
        ),
    )
    serves_all_lines = serializers.BooleanField()
    considered = serializers.BooleanField(help_text=_("Its engineers were looked at."))
    engineer = IdNameSerializer(allow_null=True, default=None)
    qualified_engineers = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class BoardSuggestionSerializer(serializers.Serializer):
    """R5, R38: the point and engineer suggested for a work order, and why (a dispatch board row's)."""

    point = IdNameSerializer(allow_null=True)
    engineer = IdNameSerializer(
        allow_null=True,
        default=None,
        help_text=_("The engineer's id, as the work order's `assign` takes it."),
    )
    reasons = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


class DispatchSuggestionSerializer(BoardSuggestionSerializer):
    """R5, R38, R12: the suggestion for one work order with the candidates it weighed (the "why")."""

    day = serializers.DateField()
    candidates = serializers.SerializerMethodField()
    eligible_engineers = serializers.SerializerMethodField()

    @extend_schema_field(PointCandidateSerializer(many=True))
    def get_candidates(self, suggestion) -> list:
        return PointCandidateSerializer(suggestion.candidates[:5], many=True).data

    @extend_schema_field(SuggestedEngineerSerializer(many=True))
    def get_eligible_engineers(self, suggestion) -> list:
        return SuggestedEngineerSerializer(suggestion.eligible_engineers[:8], many=True).data


class DispatchQuerySerializer(serializers.Serializer):
    visit_date = serializers.DateField(
        required=False, help_text=_("The requested visit's day (default today).")
    )
    visit_from = serializers.TimeField(required=False)
    visit_until = serializers.TimeField(required=False)

    def validate(self, data: dict) -> dict:
        start, end = data.get("visit_from"), data.get("visit_until")
        if (start is None) != (end is None) or (start and end and end <= start):
            raise serializers.ValidationError(
                {"visit_until": [_("Give a window that ends after it starts.")]}, code="invalid_window"
            )
        if start and not data.get("visit_date"):
            raise serializers.ValidationError(
                {"visit_date": [_("A window needs its day.")]}, code="invalid_window"
            )
        return data


def _visit_query(request: Request) -> dict:
    """The requested visit of `?visit_date=&visit_from=&visit_until=`: its `day` and `window`
    (none: today)."""
    refuse_blank_parameters(request, ("visit_date", "visit_from", "visit_until"))
    query = DispatchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    window = (data["visit_from"], data["visit_until"]) if data.get("visit_from") else None
    return {"day": data.get("visit_date"), "window": window}


class DispatchAssignInputSerializer(RejectUnknownFieldsMixin, DispatchQuerySerializer):
    """The engineer chosen on the dispatch board, for the requested visit (if any)."""

    engineer = serializers.IntegerField(min_value=1, help_text=_("The engineer's id."))
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


class BoardRowSerializer(serializers.Serializer):
    """A row of the dispatch board: an unassigned work order and the engineer suggested for it."""

    id = serializers.IntegerField(source="work_order.pk", help_text=_("The work order's id."))
    number = serializers.CharField(source="work_order.number")
    state = serializers.CharField(source="work_order.state")
    customer = serializers.CharField(source="work_order.customer.name")
    service_point = IdNameSerializer(source="work_order.service_point", allow_null=True)
    created_at = serializers.DateTimeField(source="work_order.created_at")
    suggestion = BoardSuggestionSerializer()
    may_assign = serializers.BooleanField(
        help_text=_("Whether you may assign it now (a new work order is accepted first).")
    )


class EngineerLoadSerializer(serializers.Serializer):
    engineer = IdNameSerializer(source="*")
    employee_no = serializers.CharField()
    service_point = IdNameSerializer()
    open_load = serializers.IntegerField(help_text=_("Open work orders."))
    on_leave = serializers.BooleanField(source="is_on_leave", help_text=_("On leave today."))


class DispatchBoardSerializer(serializers.Serializer):
    """R5, R38, R12: the dispatch board."""

    rows = BoardRowSerializer(many=True, help_text=_("Unassigned work orders, the oldest first."))
    truncated = serializers.BooleanField(
        help_text=_("More unassigned work orders wait than the board shows.")
    )
    board_size = serializers.IntegerField(help_text=_("How many rows the board shows at most."))
    engineers = EngineerLoadSerializer(
        many=True, help_text=_("The engineers of the suggested points, the least loaded first.")
    )


@extend_schema_view(
    retrieve=extend_schema(
        summary=_("Dispatch suggestion for a work order (R5, R38, R12; dispatchers)"),
        description=_(
            "`{id}` is the work order's id: the suggested service point and engineer for the "
            "requested visit, the five best candidate points with their best engineer, the "
            "eligible engineers (to override with a reason), and every reason. The same as the "
            'dispatch board\'s "why".'
        ),
        parameters=[
            DispatchQuerySerializer,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The work order's id.")),
        ],
        responses={200: DispatchSuggestionSerializer, **problem_responses(400, 403, 404)},
    )
)
class DispatchSuggestionViewSet(viewsets.ViewSet):
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        if not request.user.dispatches:
            raise exceptions.PermissionDenied(_("Only dispatchers see dispatch suggestions."))
        work_order = workorder_of_path(request.user, pk)
        suggestion = dispatch_suggest(
            work_order, points=dispatch_points_for(request.user), **_visit_query(request)
        )
        return Response(DispatchSuggestionSerializer(suggestion).data)

    @extend_schema(
        summary=_("The dispatch board (R5, R38, R12; dispatchers)"),
        description=_(
            "The unassigned work orders in your scope (accepted ones, and new ones without a "
            "service point), the oldest first and at most `board_size` of them, each with the "
            "engineer suggested for the requested visit (today without one) and whether you may "
            "assign it now; and today's load of the suggested points' engineers. The same as the "
            "dispatch board page. Assign with `POST /api/dispatch/{id}/assign/`."
        ),
        parameters=[DispatchQuerySerializer],
        responses={200: DispatchBoardSerializer, **problem_responses(400, 403)},
    )
    @action(detail=False, methods=["get"])
    def board(self, request: Request) -> Response:
        if not request.user.dispatches:
            raise exceptions.PermissionDenied(_("Only dispatchers see the dispatch board."))
        board = dispatch_board_get(request.user, **_visit_query(request))
        rows = [
            {
                "work_order": work_order,
                "suggestion": board.suggestions[work_order.pk],
                "may_assign": dispatch_may_assign(work_order, request.user),
            }
            for work_order in board.rows
        ]
        body = {
            "rows": rows,
            "truncated": board.truncated,
            "board_size": BOARD_SIZE,
            "engineers": board.engineers,
        }
        return Response(DispatchBoardSerializer(body).data)

    @extend_schema(
        summary=_("Assign the engineer chosen on the dispatch board (R5, R38; dispatchers)"),
        description=_(
            "`{id}` is the work order's id. The dispatch board's assignment: the lifecycle's "
            "“assign” (409 when the work order cannot be assigned now, 409 `stale_version`, 400 "
            "`not_qualified`), refused for an engineer on leave today or on `visit_date` (400 "
            "`on_leave`), and for another engineer than the one suggested for that day and window "
            "without a `reason` (400 `required`); the timeline says whether the suggestion was "
            "followed. To book the visit at once, use `POST /api/schedule/book/`."
        ),
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The work order's id."))
        ],
        request=DispatchAssignInputSerializer,
        responses={200: WorkOrderSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        if not request.user.dispatches:
            raise exceptions.PermissionDenied(_("Only dispatchers assign engineers."))
        work_order = workorder_of_path(request.user, pk)
        serializer = DispatchAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        engineer = engineers_in_scope(request.user).filter(pk=data["engineer"]).first()
        if engineer is None:
            raise serializers.ValidationError({"engineer": [_("Choose an engineer.")]})
        window = (data["visit_from"], data["visit_until"]) if data.get("visit_from") else None
        dispatch_assign(
            work_order_id=work_order.pk,
            engineer=engineer,
            actor=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            day=data.get("visit_date"),
            window=window,
        )
        fresh = workorder_of_path(request.user, str(work_order.pk))
        return Response(WorkOrderSerializer(fresh, context={"request": request}).data)
