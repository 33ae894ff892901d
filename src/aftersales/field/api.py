"""REST API of on-site visits (R12, R15-R17) and supervision cards (R19): scoped lists (R37), one
`POST /api/visits/<id>/<action>/` per visit step (depart, arrive, leave, cancel) plus the customer's
sign-off (`sign`, with the drawn signature as a PNG data URL) and refusal (`refuse`), and one per
card step (submit, verify, send-back). Reads through selectors, writes through services; errors
leave as JSON problems (core/api.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import IdNameSerializer, problem_responses

from .filtersets import SupervisionCardFilterSet
from .models import SignOff, SupervisionCard, Visit, VisitPart
from .selectors import supervision_get, supervision_list, visit_get, visit_scope
from .services import supervision_transition, visit_sign, visit_signoff_refuse, visit_transition
from .transitions import SUPERVISION_TRANSITIONS, VISIT_TRANSITIONS


class PartSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitPart
        fields = ["part_number", "name", "quantity", "shown_to_customer"]
        read_only_fields = fields


class SignOffSerializer(serializers.ModelSerializer):
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
        ]
        read_only_fields = fields


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
        signoff = SignOff.objects.filter(visit=visit).first()
        return SignOffSerializer(signoff).data if signoff else None


class StepInputSerializer(serializers.Serializer):
    """A visit step: `reason` for cancel; the browser's position for arrive and leave."""

    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    accuracy = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)


class SignInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    quality_rating = serializers.IntegerField(min_value=1, max_value=5)
    attitude_rating = serializers.IntegerField(min_value=1, max_value=5)
    satisfied = serializers.BooleanField()
    signer_name = serializers.CharField(max_length=64)
    signature = serializers.CharField(help_text="data:image/png;base64,… (the drawn signature)")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RefuseInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=255)
    satisfied = serializers.BooleanField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


def _step(name: str, *, viewset: str, input_class, output_class, label, call: Callable) -> Callable:
    """`POST /api/<resource>/<id>/<name>/`: one endpoint per step of a lifecycle, calling `call`
    with the object's id, the actor and the validated input."""

    def endpoint(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        call(obj.pk, request.user, self._input(input_class))
        return self._output(obj)

    endpoint.__name__ = name
    endpoint.__qualname__ = f"{viewset}.{name}"
    slug = name.replace("_", "-")
    decorated = action(detail=True, methods=["post"], url_path=slug, url_name=slug)(endpoint)
    return extend_schema(
        summary=str(label),
        request=input_class,
        responses={200: output_class, **problem_responses(400, 403, 404, 409)},
    )(decorated)


def _visit_step(name: str) -> Callable:
    def call(pk: int, actor, data: dict) -> None:
        visit_transition(
            visit_id=pk,
            action=name,
            actor=actor,
            expected_version=data["version"],
            reason=data["reason"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            accuracy=data.get("accuracy"),
        )

    return _step(
        name,
        viewset="VisitViewSet",
        input_class=StepInputSerializer,
        output_class=VisitSerializer,
        label=VISIT_TRANSITIONS[name].label,
        call=call,
    )


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

    def _output(self, obj) -> Response:
        fresh = type(self).getter(self.request.user, obj.pk)
        return Response(self.get_serializer_class()(fresh, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("On-site visits in your scope"), responses={200: VisitSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: VisitSerializer, **problem_responses(404)}),
)
class VisitViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """On-site visits (R12) of the work orders the user may see, newest first."""

    queryset = Visit.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = VisitSerializer
    getter = staticmethod(visit_get)

    def get_queryset(self):
        return (
            visit_scope(self.request.user)
            .select_related("work_order", "engineer__user")
            .prefetch_related("parts")
        )

    depart = _visit_step("depart")
    arrive = _visit_step("arrive")
    leave = _visit_step("leave")
    cancel = _visit_step("cancel")

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
            expected_version=data["version"],
        )
        return self._output(visit)

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
        return self._output(visit)


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


class CardInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


def _card_step(name: str) -> Callable:
    def call(pk: int, actor, data: dict) -> None:
        supervision_transition(
            card_id=pk,
            action=name,
            actor=actor,
            summary=data["summary"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _step(
        name,
        viewset="SupervisionCardViewSet",
        input_class=CardInputSerializer,
        output_class=SupervisionCardSerializer,
        label=SUPERVISION_TRANSITIONS[name].label,
        call=call,
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("Service task supervision cards"), responses={200: SupervisionCardSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: SupervisionCardSerializer, **problem_responses(404)}),
)
class SupervisionCardViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Supervision cards (R19) of the visits the user may see, with `late`; filtered like the page."""

    queryset = SupervisionCard.objects.none()
    serializer_class = SupervisionCardSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SupervisionCardFilterSet
    getter = staticmethod(supervision_get)

    def get_queryset(self):
        return supervision_list(self.request.user)

    submit = _card_step("submit")
    verify = _card_step("verify")
    send_back = _card_step("send_back")


def register(router) -> None:
    """Add this app's viewsets to the project's router (config/api_urls.py)."""
    router.register(r"visits", VisitViewSet, basename="visit")
    router.register(r"supervision-cards", SupervisionCardViewSet, basename="supervision-card")
