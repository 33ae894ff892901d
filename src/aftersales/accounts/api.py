"""API tokens over the API: `POST /api/auth/token/` signs in with a user name and password and
returns a new token for the client named (shown this once); `GET /api/auth/tokens/` lists the
tokens in force or expired (an HQ admin's: everybody's, `?user=`), `DELETE /api/auth/tokens/<id>/`
revokes one; `POST /api/auth/logout/` revokes the token the request is signed in with. The
"My API tokens" page does the same through the same services."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core.api import IdNameSerializer, RejectUnknownFieldsMixin, problem_responses
from aftersales.core.errors import DomainError
from aftersales.core.lists import IdFilter

from .api_org import register as register_org
from .api_users import register as register_users
from .choices import TokenRevocation
from .models import ApiToken, User
from .selectors import api_tokens_visible
from .services import api_token_obtain, api_token_revoke, user_language_set


class ApiTokenSerializer(serializers.ModelSerializer):
    user = IdNameSerializer(read_only=True)
    is_expired = serializers.SerializerMethodField(help_text=_("Past its expiry: the API refuses it."))

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "client",
            "key_prefix",
            "user",
            "created_at",
            "expires_at",
            "last_used_at",
            "is_expired",
        ]
        read_only_fields = fields

    def get_is_expired(self, token: ApiToken) -> bool:
        return token.is_expired(timezone.now())


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.SerializerMethodField(
        help_text=_("The key, shown only this once: send it as `Authorization: Bearer <key>`.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields

    @extend_schema_field(str)
    def get_token(self, token: ApiToken) -> str:
        return self.context["key"]


class TokenObtainInput(RejectUnknownFieldsMixin, serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    client = serializers.CharField(
        max_length=ApiToken._meta.get_field("client").max_length,
        help_text=_(
            "The app or device that will use the token, e.g. 手机App-张三的iPhone; a new token for "
            "the same client replaces its previous one."
        ),
    )


class TokenObtainView(APIView):
    """Sign in with a user name and password; no session or token needed."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Obtain an API token"),
        description=_(
            "Signs in with the user name and password and returns a new token for `client`, valid "
            "for API_TOKEN_LIFETIME_DAYS (30 days by default). The key is shown only in this "
            "response. 400 `invalid_credentials` when the user name and password sign nobody in, "
            "400 `required` / `invalid` with the field at fault, 429 `login_locked` (with Retry-After) "
            "after too many failed sign-ins."
        ),
        request=TokenObtainInput,
        responses={201: ApiTokenCreatedSerializer, **problem_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenObtainInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        token, key = api_token_obtain(
            request=request,
            username=values["username"],
            password=values["password"],
            client=values["client"],
        )
        output = ApiTokenCreatedSerializer(token, context={"request": request, "key": key})
        return Response(output.data, status=status.HTTP_201_CREATED)


class LogoutView(APIView):
    """Log the calling token out; other tokens and browser sessions of the user stay signed in."""

    @extend_schema(
        operation_id="auth_logout",
        summary=_("Log out: revoke the API token of this request"),
        description=_(
            "Revokes only the token the request is signed in with. 400 `token_required` for a "
            "request signed in with a browser session, 401 without a valid token."
        ),
        request=None,
        responses={204: None, **problem_responses(400, 401)},
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise DomainError(
                str(_("Only a request signed in with an API token can log that token out.")),
                code="token_required",
            )
        api_token_revoke(token=request.auth, actor=request.user, reason=TokenRevocation.LOGOUT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user, and the interface language they chose."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        help_text=_("The interface language: the pages' and what you are sent, from your next sign-in on."),
    )

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "role_display", "language"]
        read_only_fields = ["id", "username", "display_name", "role", "role_display"]


class MeInput(RejectUnknownFieldsMixin, serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text=_("zh-hans or en; left out, it stays.")
    )


class MeView(APIView):
    """Who I am, and my own interface language (any signed-in user, whatever the role)."""

    @extend_schema(
        operation_id="auth_me_retrieve",
        summary=_("Me: the signed-in user and their interface language"),
        responses={200: MeSerializer, **problem_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        operation_id="auth_me_partial_update",
        summary=_("Set my interface language"),
        description=_(
            "As the language switch of every page: remembered on your account, for the pages from "
            "your next sign-in on and for what you are sent. 400 `invalid_choice` (field `language`) "
            "for another language."
        ),
        request=MeInput,
        responses={200: MeSerializer, **problem_responses(400, 401)},
    )
    def patch(self, request: Request) -> Response:
        data = MeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if "language" in data.validated_data:
            user = user_language_set(user=user, language=data.validated_data["language"])
        return Response(MeSerializer(user).data)


class ApiTokenFilterSet(django_filters.FilterSet):
    user = IdFilter(field_name="user_id", label=_("User"))

    class Meta:
        model = ApiToken
        fields = ["user"]


@extend_schema_view(
    list=extend_schema(
        summary=_("API tokens"),
        description=_(
            "The tokens not revoked (in force or expired), newest first: your own, or everybody's "
            "for an HQ admin. Keys are never shown again, only their first characters."
        ),
        responses={200: ApiTokenSerializer(many=True), **problem_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("One API token"),
        responses={200: ApiTokenSerializer, **problem_responses(401, 404)},
    ),
    destroy=extend_schema(
        summary=_("Revoke an API token"),
        description=_(
            "The token stops working at once. 404 for a token that is not yours (unless you are an "
            "HQ admin) or is already revoked."
        ),
        responses={204: None, **problem_responses(401, 404)},
    ),
)
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    queryset = ApiToken.objects.none()
    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilterSet
    ordering_fields = ["created_at", "expires_at", "last_used_at", "client"]

    def get_queryset(self):
        return api_tokens_visible(self.request.user)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(token=instance, actor=self.request.user)


def register(router) -> None:
    router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
    register_org(router)
    register_users(router)
