"""API conventions shared by every app.

Page-number pagination; errors as one JSON problem shape (status, title, errors: [{field, code,
message}]) whatever raised them (DRF, Django validation, domain rules, protected deletes); a role
gate for writes; read-only phone fields that mask numbers for roles that do not need them (R41);
related-object fields whose choices are limited to what the user may see (R37).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from .errors import DomainError
from .phones import phone_for


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


# --- errors -------------------------------------------------------------------------------------


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, str | None]]:
    """DRF's nested error detail as a flat list of {field, code, message}."""
    if isinstance(detail, dict):
        items: list[dict[str, str | None]] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__", "detail") else key
            nested = f"{field}.{name}" if field and name else (name or field)
            items.extend(_flatten(value, nested))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            nested = f"{field}[{index}]" if isinstance(value, dict) and field else field
            items.extend(_flatten(value, nested))
        return items
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": field, "code": str(code), "message": str(detail)}]


def problem_json(status_code: int, title: str, errors: list[dict[str, str | None]]) -> JsonResponse:
    """The problem shape outside DRF's views (middleware, error handlers)."""
    return JsonResponse(
        {"status": status_code, "title": str(title), "errors": errors},
        status=status_code,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def problem(status_code: int, title: str, errors: list[dict[str, str | None]]) -> Response:
    return Response(
        {"status": status_code, "title": str(title), "errors": errors},
        status=status_code,
        content_type="application/problem+json",
    )


class ProtectedObject(exceptions.APIException):
    """Deleting an object that others still refer to (a customer with work orders, ...)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This object is still in use and cannot be deleted.")
    default_code = "protected"


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map domain, validation, permission and not-found errors to one JSON problem shape."""
    if isinstance(exc, DomainError):
        return problem(
            exc.status,
            exc.message,
            [{"field": exc.field, "code": exc.code, "message": str(exc.message)}],
        )
    if isinstance(exc, DjangoValidationError):
        # Keeps each message's code and the field it names (services raise {field: [...]}).
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = ProtectedObject()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        title = str(_("Invalid input."))
        errors = _flatten(exc.detail)
    else:
        title = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if not isinstance(code, str):
            code = getattr(exc, "default_code", "error")
        errors = [{"field": None, "code": code, "message": title}]
    result = problem(response.status_code, title, errors)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text=_("The input at fault, if any."))
    code = serializers.CharField(help_text=_("Stable machine-readable code."))
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """The error body of every endpoint (documentation only)."""

    status = serializers.IntegerField()
    title = serializers.CharField()
    errors = ProblemErrorSerializer(many=True)


def problem_responses(*codes: int) -> dict[int, type[serializers.Serializer]]:
    """OpenAPI responses for the given error statuses, all in the problem shape."""
    return {code: ProblemSerializer for code in codes}


# --- permissions --------------------------------------------------------------------------------


class RoleWritePermission(permissions.BasePermission):
    """Reads for any signed-in staff user; writes only for the view's `write_roles`."""

    message = _("Your role may not change this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        roles = getattr(view, "write_roles", None)
        return roles is None or user.has_role(*roles)


# --- fields -------------------------------------------------------------------------------------


def request_user(context: dict):
    request = context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.STR)
class CustomerPhoneField(serializers.Field):
    """A stored E.164 number shown in full (13812341234) or masked (138****1234) by role (R41)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return phone_for(request_user(self.context), value)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id limited to what the requesting user may see: others read as "does not exist".

    `queryset` names the model (and documents the field); `scope(user)` narrows it per request.
    """

    def __init__(self, *, scope: Callable[[Any], QuerySet], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        user = request_user(self.context)
        if user is None:
            return self.queryset.none()
        return self.scope(user)

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool):  # True would otherwise read as id 1
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class IdNameSerializer(serializers.Serializer):
    """{id, name} of a related object, its name being its display string."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, obj: Model) -> str:
        return str(obj)


__all__ = [
    "CustomerPhoneField",
    "IdNameSerializer",
    "ProblemSerializer",
    "RoleWritePermission",
    "ScopedPrimaryKeyRelatedField",
    "StandardPagination",
    "problem",
    "problem_json",
    "problem_exception_handler",
    "problem_responses",
    "status",
]
