"""User management over the API (issue 13), as the admin site offers it, through the same rules:

- `/api/users/`: staff users for HQ admins (supervisors read them, other roles get 403): list
  (`q`, `role`, `dealer`, `service_point`, `is_active`, `ordering`), read, create, change
  (PATCH), `POST …/deactivate/` (never deleted: DELETE is 405), `POST …/password/`, and
  `GET …/history/`, every change with who and when (R41). Phones are masked (accounts.privacy)
  and revealed through `POST /api/privacy/reveal/` (resource `user`, field `phone`).
- `/api/login-lockouts/`: the sign-ins locked out now; `DELETE` unlocks one, as the admin
  site's action and `manage.py login_unlock` do (`services_login.login_unlock`).
- `/api/login-failures/`: every refused sign-in, read-only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.views import LoginLockoutListView
from aftersales.core.api import (
    ChangeRecordSerializer,
    IdNameSerializer,
    PersonalPhoneField,
    RejectUnknownFieldsMixin,
    export_action,
    problem_responses,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.models import ChangeRecord
from aftersales.core.phones import phone_mask

from .choices import Role
from .filtersets import LoginFailureFilterSet, LoginLockoutFilterSet, UserFilterSet
from .models import Dealer, LoginFailure, LoginThrottle, ServicePoint, User
from .privacy import Seen, shows_in_full
from .selectors_users import (
    login_failures,
    login_lockouts,
    manages_sign_ins,
    manages_users,
    reads_users,
    user_history,
    user_list,
)
from .services_login import login_unlock
from .services_users import user_create, user_deactivate, user_password_reset, user_update

# --- users --------------------------------------------------------------------------------------


class UserPermission(permissions.BasePermission):
    """Signed in (else 401); supervisors and HQ admins read, only HQ admins write (else 403)."""

    message = _("Only HQ admins manage users; supervisors may read them.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return reads_users(user) if request.method in permissions.SAFE_METHODS else manages_users(user)


def _phone_in_full(user, record: User) -> bool:
    """A staff user's phone is a record's personal value: as accounts.privacy says (masked)."""
    return shows_in_full(user, Seen.RECORD)


class UserSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True, help_text=_("Family name first, else the username."))
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    phone = PersonalPhoneField(
        attribute="phone",
        in_full=_phone_in_full,
        help_text=_(
            "Masked (138****1234); reveal with POST /api/privacy/reveal/ (resource user, field phone)."
        ),
    )
    dealer_name = serializers.CharField(source="dealer.name", read_only=True, allow_null=True, default=None)
    service_point_name = serializers.CharField(
        source="service_point.name", read_only=True, allow_null=True, default=None
    )
    has_usable_password = serializers.SerializerMethodField(
        help_text=_("False: no password signs the user in until one is set.")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "last_name",
            "first_name",
            "display_name",
            "email",
            "phone",
            "role",
            "role_display",
            "dealer",
            "dealer_name",
            "service_point",
            "service_point_name",
            "language",
            "is_active",
            "has_usable_password",
            "is_staff",
            "is_superuser",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields

    def get_has_usable_password(self, user: User) -> bool:
        return user.has_usable_password()


class UserWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """What an HQ admin sets of a staff user; the rules between the fields are checked on saving."""

    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=_("A Chinese mobile or landline number.")
    )
    role = serializers.ChoiceField(choices=Role.choices)
    dealer = serializers.PrimaryKeyRelatedField(
        queryset=Dealer.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("Required for dealer staff, empty for the company-wide roles."),
    )
    service_point = serializers.PrimaryKeyRelatedField(
        queryset=ServicePoint.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("Of the user's dealer, if they have one."),
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class UserCreateSerializer(UserWriteSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        required=False,
        allow_null=True,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_(
            "The initial password, checked by the password rules; none: no password signs the user in "
            "until one is set."
        ),
    )


class UserUpdateSerializer(UserWriteSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(
        required=False, help_text=_("false deactivates the user, as POST …/deactivate/ does.")
    )


class PasswordSetSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    password = serializers.CharField(
        allow_null=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_("The new password, checked by the password rules; null turns password sign-in off."),
    )


class UserChangeSerializer(ChangeRecordSerializer):
    """One changed field of a user: who, when, from, to (phones masked, passwords never kept)."""

    def shown(self, record: ChangeRecord, value: str) -> str:
        return phone_mask(value) if record.field == "phone" and value else value


_WRITE_ERRORS = problem_responses(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary=_("Staff users"),
        description=_(
            "Every staff user, active or not, for supervisors and HQ admins (403 for other roles). "
            "`q` searches the username, name, email and phone digits."
        ),
        responses={200: UserSerializer(many=True), **problem_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary=_("One staff user"), responses={200: UserSerializer, **problem_responses(401, 403, 404)}
    ),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Staff users and their roles (R37), kept by HQ admins; every change in the user's history."""

    queryset = User.objects.none()  # for the schema; get_queryset is the reader's
    serializer_class = UserSerializer
    permission_classes = [UserPermission]
    filter_backends = [ListFilterBackend]
    filterset_class = UserFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return user_list(self.request.user)

    def _output(self, user: User, status_code: int = status.HTTP_200_OK) -> Response:
        user = user_list(self.request.user).get(pk=user.pk)
        return Response(UserSerializer(user, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary=_("Create a staff user"),
        description=_(
            "HQ admins only. Dealer staff need a `dealer` (400 `dealer_required`), the company-wide "
            "roles take none (400 `dealer_not_allowed`); a service point of another dealer is 400 "
            "`service_point_other_dealer`; a username taken (whatever its case) is 400 `unique`; a "
            "password the password rules refuse is 400 on `password` (e.g. `password_too_short`). "
            "Not idempotent by key (the body holds a password): a repeat is refused as `unique`."
        ),
        request=UserCreateSerializer,
        responses={201: UserSerializer, **problem_responses(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(actor=request.user, **data.validated_data)
        return self._output(user, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a staff user"),
        description=_(
            "HQ admins only: names, email, phone, role, dealer, service point, language, active. The "
            "rules of creation apply; `is_active: false` deactivates as POST …/deactivate/ does. "
            "Nobody changes their own role or deactivates themselves (403 `own_account`); an account "
            "that uses the administration site is changed by a superuser only (403 `admin_account`)."
        ),
        request=UserUpdateSerializer,
        responses={200: UserSerializer, **_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        data = UserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._output(user_update(user_id=user.pk, actor=request.user, **data.validated_data))

    @extend_schema(
        summary=_("Deactivate a staff user"),
        description=_(
            "Users are deactivated, never deleted (their work and history name them): the user signs "
            "in no more, their API tokens are revoked and their browser sessions end at once. "
            "Reactivate with PATCH `is_active: true`. 403 `own_account` for yourself."
        ),
        request=None,
        responses={200: UserSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        return self._output(user_deactivate(user_id=user.pk, actor=request.user))

    @extend_schema(
        summary=_("Set a staff user's password"),
        description=_(
            "HQ admins only. Checked by the password rules (400 on `password`); null turns password "
            "sign-in off. Every API token of the user is revoked. Your own password is changed on "
            "the password page (403 `own_account`)."
        ),
        request=PasswordSetSerializer,
        responses={204: None, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def password(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        data = PasswordSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_password_reset(user_id=user.pk, password=data.validated_data["password"], actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("History of a staff user (R41)"),
        description=_("Every change of the user, newest first: who, when, the field, from and to."),
        responses={200: UserChangeSerializer(many=True), **problem_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        page = self.paginate_queryset(user_history(user))
        return self.get_paginated_response(
            UserChangeSerializer(page, many=True, context=self.get_serializer_context()).data
        )


# --- sign-in lock-outs and failures ---------------------------------------------------------------


class SignInAdminPermission(permissions.BasePermission):
    """Signed in (else 401) as an HQ admin (else 403)."""

    message = _("Only HQ admins watch failed sign-ins and unlock them.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and manages_sign_ins(user))


class SignInAdminViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A list of the sign-in audit for HQ admins, filtered by its FilterSet."""

    permission_classes = [SignInAdminPermission]
    filter_backends = [ListFilterBackend]


class LoginLockoutSerializer(serializers.ModelSerializer):
    username = serializers.CharField(read_only=True, help_text=_("The name tried, case-folded."))
    first_failure_at = serializers.DateTimeField(source="window_started_at", read_only=True)

    class Meta:
        model = LoginThrottle
        fields = ["id", "username", "ip_address", "failures", "first_failure_at", "locked_until"]
        read_only_fields = fields


class LoginFailureSerializer(serializers.ModelSerializer):
    user = IdNameSerializer(read_only=True, allow_null=True, help_text=_("The account of that name, if any."))

    class Meta:
        model = LoginFailure
        fields = ["id", "created_at", "username", "user", "ip_address", "user_agent", "locked_out"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("Sign-in lock-outs in force"),
        description=_(
            "The username and address pairs refused now after too many failed sign-ins, with when "
            "the lock-out ends. HQ admins only."
        ),
        responses={200: LoginLockoutSerializer(many=True), **problem_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary=_("One sign-in lock-out"),
        responses={200: LoginLockoutSerializer, **problem_responses(401, 403, 404)},
    ),
    destroy=extend_schema(
        summary=_("Unlock a sign-in"),
        description=_(
            "Lifts the lock-out and forgets its failures at once (as the admin site and "
            "`manage.py login_unlock` do; logged). 404 for a lock-out already over or lifted."
        ),
        responses={204: None, **problem_responses(401, 403, 404)},
    ),
)
class LoginLockoutViewSet(mixins.DestroyModelMixin, SignInAdminViewSet):
    queryset = LoginThrottle.objects.none()  # for the schema; get_queryset is the admin's
    serializer_class = LoginLockoutSerializer
    filterset_class = LoginLockoutFilterSet
    export = export_action(LoginLockoutListView, summary=_("Export the login lockouts to Excel"))

    def get_queryset(self):
        return login_lockouts(self.request.user)

    def perform_destroy(self, instance: LoginThrottle) -> None:
        login_unlock(throttles=self.get_queryset().filter(pk=instance.pk), actor=self.request.user.username)


@extend_schema_view(
    list=extend_schema(
        summary=_("Failed sign-ins (R41)"),
        description=_(
            "Every refused sign-in, newest first: the name tried, the account of that name if any, "
            "the address, the browser, and whether a lock-out refused it. HQ admins only."
        ),
        responses={200: LoginFailureSerializer(many=True), **problem_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary=_("One failed sign-in"),
        responses={200: LoginFailureSerializer, **problem_responses(401, 403, 404)},
    ),
)
class LoginFailureViewSet(SignInAdminViewSet):
    queryset = LoginFailure.objects.none()  # for the schema; get_queryset is the admin's
    serializer_class = LoginFailureSerializer
    filterset_class = LoginFailureFilterSet

    def get_queryset(self):
        return login_failures(self.request.user)


def register(router: Any) -> None:
    router.register("users", UserViewSet, basename="user")
    router.register("login-lockouts", LoginLockoutViewSet, basename="login-lockout")
    router.register("login-failures", LoginFailureViewSet, basename="login-failure")
