"""API conventions: page-number pagination and errors as JSON problems with field, code, message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import DomainError


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


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


def problem(status_code: int, title: str, errors: list[dict[str, str | None]]) -> Response:
    return Response(
        {"status": status_code, "title": title, "errors": errors},
        status=status_code,
        content_type="application/problem+json",
    )


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map domain, validation, permission and not-found errors to one JSON problem shape."""
    if isinstance(exc, DomainError):
        return problem(
            exc.status,
            exc.message,
            [{"field": exc.field, "code": exc.code, "message": exc.message}],
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        title = "Invalid input"
        errors = _flatten(exc.detail)
    else:
        title = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        errors = [{"field": None, "code": getattr(exc, "default_code", "error"), "message": title}]
    result = problem(response.status_code, title, errors)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result


__all__ = ["StandardPagination", "problem", "problem_exception_handler", "status"]
