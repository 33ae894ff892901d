"""API conventions shared by every app.

Errors as one JSON problem shape (status, title, errors: [{field, code,
message}]) whatever raised them (DRF, Django validation, domain rules, protected deletes); a role
gate for writes; read-only phone fields that mask numbers for roles that do not need them (R41);
related-object fields whose choices are limited to what the user may see (R37).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any, cast

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import CharField, Model, ProtectedError, QuerySet, RestrictedError, TextField
from django.http import Http404, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance, is_list_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from .errors import DomainError
from .excel import XLSX_MIME, Sheet, sheet_response
from .idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent, is_idempotent
from .models import ChangeRecord
from .pdf import PrintedForm, form_pdf_response
from .phones import phone_display, phone_mask
from .privacy import STREET_MASK
from .reference import ReferenceCache
from .services import record_save
from .transitions import Machine, Transition, transition_run

MULTIPART_PARSERS = [MultiPartParser, FormParser, JSONParser]
# A record's id in a URL: a whole number below a 64-bit key's limit (config.api_urls.IdRouter).
ID_PATTERN = r"[0-9]{1,18}"
PROBLEM_MEDIA_TYPE = "application/problem+json"


# --- errors -------------------------------------------------------------------------------------


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, str | None]]:
    """DRF's nested error detail as a flat list of {field, code, message}."""
    if isinstance(detail, dict):
        items: list[dict[str, str | None]] = []
        for key, value in detail.items():
            if isinstance(key, int):  # a list's errors by index (ListField, many=True): `hours[0]`
                items.extend(_flatten(value, f"{field or ''}[{key}]"))
                continue
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
        content_type=PROBLEM_MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def problem(status_code: int, title: str, errors: list[dict[str, str | None]]) -> Response:
    return Response(
        {"status": status_code, "title": str(title), "errors": errors},
        status=status_code,
        content_type=PROBLEM_MEDIA_TYPE,
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


def refuse_blank_parameters(request: Request, names: Sequence[str]) -> None:
    """400 `blank` for a query parameter given empty (`?date=`) that the schema describes as a
    value: left out, it takes its default."""
    blank = [name for name in names if request.query_params.get(name) == ""]
    if blank:
        message = str(_("Give a value, or leave the parameter out."))
        raise exceptions.ValidationError(
            {name: [exceptions.ErrorDetail(message, code="blank")] for name in blank}
        )


def form_invalid(form: Any) -> exceptions.ValidationError:
    """A Django form's errors as the API's 400, each with its own code (`range_incomplete`,
    `invalid_type` ...) rather than the generic one."""
    return exceptions.ValidationError(
        {
            name: [
                exceptions.ErrorDetail(message, code=error.code or "invalid")
                for error in errors
                for message in error.messages
            ]
            for name, errors in form.errors.as_data().items()
        }
    )


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text=_("The input at fault, if any."))
    code = serializers.CharField(help_text=_("Stable machine-readable code."))
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """The error body of every endpoint (documentation only)."""

    status = serializers.IntegerField()
    title = serializers.CharField()
    errors = ProblemErrorSerializer(many=True)  # type: ignore[assignment]  # a field named "errors"


def problem_responses(*codes: int) -> dict[tuple[int, str], type[serializers.Serializer]]:
    """OpenAPI responses for the given error statuses, all in the problem shape and media type."""
    return {(code, PROBLEM_MEDIA_TYPE): ProblemSerializer for code in codes}


# Text as the API takes it, for the schema's `pattern`: no control character (core.text, refused at
# the boundary by core.middleware, keys included); a field that may not be blank also holds a
# character other than white space (DRF trims it before it checks).
_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f]*"
TEXT_PATTERN = rf"^{_TEXT}$"
NON_BLANK_TEXT_PATTERN = rf"^{_TEXT}[^\s\x00-\x1f\x85]{_TEXT}$"
# A time of day as the API writes it and reads it (settings: REST_FRAMEWORK["TIME_INPUT_FORMATS"]).
TIME_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5]?[0-9](:[0-5]?[0-9](\.[0-9]{1,6})?)?$"


def _text_schema(schema: Any) -> bool:
    """A plain string schema (no format, pattern or enum of its own) that `pattern` may constrain."""
    return (
        isinstance(schema, dict)
        and schema.get("type") == "string"
        and not {"format", "pattern", "enum"} & schema.keys()
    )


def _text_constrain(field: Any, schema: Any, *, needed: bool = False) -> None:
    """The `pattern` of an input's text field (or of a list's text items), and `minItems` of a list
    that may not be empty."""
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField | serializers.ListSerializer):
        if isinstance(schema, dict) and schema.get("type") == "array":
            if not field.allow_empty:
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            child = getattr(field, "child", None) or getattr(field, "child_relation", None)
            _text_constrain(child, schema.get("items"))
    elif isinstance(field, serializers.CharField) and _text_schema(schema):
        blank = (field.allow_blank or not field.trim_whitespace) and not needed
        schema["pattern"] = TEXT_PATTERN if blank else NON_BLANK_TEXT_PATTERN


def decimal_pattern(field: serializers.DecimalField) -> str:
    """What a decimal input reads, as text: a digit at least (drf-spectacular's pattern admits "",
    "." and "-"), the places the field keeps, a sign only where its minimum allows a negative, and
    not zero where its minimum is above it."""
    minimum = field.min_value
    sign = "-?" if minimum is None or minimum < 0 else ""
    not_zero = "(?![0.]*$)" if minimum is not None and minimum > 0 else ""
    whole = "[0-9]+" if field.max_whole_digits is None else f"[0-9]{{1,{field.max_whole_digits}}}"
    places = field.decimal_places
    number = whole if not places else f"(?:{whole}(?:\\.[0-9]{{0,{places}}})?|\\.[0-9]{{1,{places}}})"
    empty = "|" if field.allow_null else ""  # DRF reads "" as null where null is allowed
    return f"^(?:{empty}{sign}{not_zero}{number})$"


def _decimal_input_schema(field: serializers.DecimalField, text: dict) -> dict:
    """A decimal input is text (`"12.50"`) or a JSON number (`12.5`, which DRF reads through its
    shortest text, so as the Decimal written) with the field's places, within its range."""
    places = field.decimal_places or 0
    largest = Decimal(10) ** (field.max_whole_digits or 18) - Decimal(1).scaleb(-places)
    low = -largest if field.min_value is None else max(-largest, Decimal(field.min_value))
    high = largest if field.max_value is None else min(largest, Decimal(field.max_value))
    number: dict[str, Any] = {"type": "number", "minimum": float(low), "maximum": float(high)}
    if places:
        number["multipleOf"] = float(Decimal(1).scaleb(-places))
    outer = {key: text.pop(key) for key in ("description", "title", "nullable") if key in text}
    return {**outer, "oneOf": [text, number]}


def _takes_empty(list_filter: Any, name: str) -> bool:
    """Whether a django-filter filter reads `?name=` as "not filtered" rather than refusing it."""
    try:
        # A copy: `field` is built once and kept on the filter (with the choices of no user, as
        # there is no request here), and the FilterSet's declared filter is what every request copies.
        field = copy.deepcopy(list_filter).field
        value = field.widget.value_from_datadict(QueryDict(f"{name}="), MultiValueDict(), name)
        field.clean(value)
    except DjangoValidationError:
        return False
    except Exception:  # a field that needs the request to be built: say nothing
        return False
    return True


def _model_field_blank(field: serializers.Field) -> bool:
    """Whether the text column a serializer field reads (`source` on its ModelSerializer's model)
    may be blank."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        column = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return bool(getattr(column, "blank", False)) and isinstance(column, CharField | TextField)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the problems every operation may answer with, whatever its
    view documents: 400 (any request: text with control characters is refused at the boundary,
    core.middleware), 401 (a view that authenticates: a missing, expired or revoked token), 403 (a
    write open to some users only: the role may not), 404 (an address with an id: none the user
    may see; a page past the last). What `@idempotent` adds to an operation: the optional
    `Idempotency-Key` header and the 409 (still running) and 422 (key reused) problems. Request
    bodies are JSON where the view reads JSON (a form cannot say null). List actions recognised
    with problem responses keyed by media type."""

    def map_parsers(self) -> list[str]:
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def _idempotent(self) -> bool:
        if self.method != "POST":
            return False
        name = getattr(self.view, "action", None) or self.method.lower()
        return is_idempotent(getattr(self.view, name, None))

    def _is_list_view(self, serializer: Any = None) -> bool:
        """drf-spectacular takes the lowest status as the main response; a problem's key is a
        (status, media type) pair (`problem_responses`), which sorts before "200" as text, so a
        list action lost its pagination and filters. The success responses decide."""
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict):
            serializer = {
                code: s for code, s in serializer.items() if not isinstance(code, tuple)
            } or serializer
        listed = super()._is_list_view(serializer)
        if listed and not isinstance(self.view, GenericAPIView):
            # A plain ViewSet's `list` (no queryset) answers what its response says it does.
            main = serializer[min(serializer, key=str)] if isinstance(serializer, dict) else serializer
            return is_list_serializer(main)
        return listed

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        """A read-only choice or text (e-mail, URL) of a model field that may be blank can read "" (DRF drops
        `allow_blank` from read-only fields, so drf-spectacular's enum would leave it out). A time
        is `HH:MM[:SS[.ffffff]]` without an offset (TIME_INPUT_FORMATS), not the RFC 3339 time
        with one that the `time` format means."""
        blankable = serializers.ChoiceField | serializers.CharField  # choices, e-mail addresses, URLs
        if isinstance(field, blankable) and field.read_only and _model_field_blank(field):
            field = copy.copy(field)
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if field.read_only and getattr(field, "allow_blank", False) and "format" in schema:
            outer = {key: schema.pop(key) for key in ("readOnly", "title", "description") if key in schema}
            schema = {**outer, "oneOf": [schema, {"type": "string", "maxLength": 0}]}
        if (
            isinstance(field, serializers.TimeField)
            and isinstance(schema, dict)
            and schema.get("format") == "time"
        ):
            del schema["format"]
            schema["pattern"] = TIME_PATTERN
        if isinstance(field, serializers.DecimalField) and isinstance(schema, dict) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
            if direction == "request" and not field.read_only:
                schema = _decimal_input_schema(field, schema)
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict:
        """An input's text fields take no control character, and no blank text where DRF trims it
        and refuses blank; an input that refuses unknown keys (`RejectUnknownFieldsMixin`) says so;
        a transition's input lists what the transition needs as required (not blank), which the
        transition checks itself after the state (`transition_input_serializer`); a serializer's
        `needs` are required even in a PATCH."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        serializer = force_instance(serializer)
        needed = set(getattr(serializer, "needs", ()))
        for name, field in serializer.fields.items():
            _text_constrain(field, schema["properties"].get(name), needed=name in needed)
        if needed:
            schema["required"] = sorted({*schema.get("required", ()), *needed})
        if isinstance(serializer, RejectUnknownFieldsMixin):
            schema["additionalProperties"] = False
        return schema

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> tuple[Any, bool]:
        """A body that is one of several shapes (`PolymorphicProxySerializer`, e.g. a bulk action's)
        is required: each shape has required keys, which drf-spectacular does not look into."""
        schema, required = super()._get_request_for_media_type(serializer, direction)
        return schema, required or isinstance(serializer, PolymorphicProxySerializer)

    def _get_filter_parameters(self) -> list[dict]:
        """A boolean filter is a boolean whatever its method reads; a filter that takes an empty
        value as "not filtered", as a list page's form sends it, says so. (DRF's `ordering` is
        left out where the filterset sorts itself: `RowOrderingFilter`.)"""
        filters = self._filters()
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            name = parameter["name"]
            if isinstance(filters.get(name), django_filters.BooleanFilter):
                parameter["schema"] = {"type": "boolean"}  # whatever its method (ListFilterBackend)
            if name in filters and _takes_empty(filters[name], name):
                parameter["allowEmptyValue"] = True
        return parameters

    def _filters(self) -> dict[str, Any]:
        """The filters of the view's filterset (an export's: its page's), if it has one."""
        filterset_class = getattr(self.view, "filterset_class", None)
        for backend in self.get_filter_backends():
            filterset_class = getattr(backend, "page_filterset_class", filterset_class)
        return dict(getattr(filterset_class, "base_filters", {}))

    def _get_parameters(self) -> list[dict]:
        """Query and header values are text without control characters, like the body's."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            schema: Any = parameter.get("schema")
            if parameter["in"] in ("query", "header") and _text_schema(schema):
                schema["pattern"] = TEXT_PATTERN
        return parameters

    def get_filter_backends(self) -> list[Any]:
        """A list's export (`export_action`) takes the list's filters though it answers a file."""
        handler = getattr(self.view, getattr(self.view, "action", None) or "", None)
        if getattr(handler, "filtered_export", False):
            return list(getattr(self.view, "filter_backends", []))
        return super().get_filter_backends()

    def get_override_parameters(self) -> list:
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY_PARAMETER] if self._idempotent() else parameters

    def _numbered_pages(self) -> bool:
        """A list of numbered pages: a page past the last is 404."""
        paginator = getattr(self.view, "paginator", None)
        return isinstance(paginator, PageNumberPagination) and self._is_list_view()

    def _problem_codes(self) -> list[str]:
        codes = ["400"]
        if getattr(self.view, "authentication_classes", None):
            codes.append("401")
        gated = any(gate is not permissions.AllowAny for gate in self.view.permission_classes)
        if gated and self.method not in permissions.SAFE_METHODS:
            codes.append("403")
        if "{" in self.path or self._numbered_pages():
            codes.append("404")
        if self._idempotent():
            codes += ["409", "422"]
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code in self._problem_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ProblemSerializer, code, media_types=[PROBLEM_MEDIA_TYPE], direction=direction
                )
        return dict(sorted(responses.items()))


# --- files: printed forms and list exports ----------------------------------------------------

PDF_MEDIA_TYPE = "application/pdf"


def file_responses(media_type: str, *codes: int) -> dict[Any, Any]:
    """OpenAPI responses of an endpoint answering a file: the file (binary) and the problems."""
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY), **problem_responses(*codes)}


class FileContentNegotiation(DefaultContentNegotiation):
    """Endpoints answering a file (a PDF, a workbook) accept an `Accept` naming that file's type:
    the file is not rendered by DRF, and their errors are still JSON problems."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


# The `@action` arguments of a record's file, a GET answered with the file, not a page: its printed
# form (`@action(url_path="print", **FILE_ACTION)` returning `printed_form_pdf(request, form)`) or
# its workbook (returning `sheet_xlsx(request, sheet)`).
FILE_ACTION: dict[str, Any] = {
    "detail": True,
    "methods": ["get"],
    "content_negotiation_class": FileContentNegotiation,
}


def path_id(pk: str | None) -> int:
    """The record id of a document's path (its viewset's `lookup_value_regex` takes digits only)."""
    return int(pk or 0)


def printed_form_pdf(request: Request, form: PrintedForm) -> HttpResponse:
    """The PDF of a printed form, the same document as its print view's PDF, its download logged
    (R41). The app's `printing` function has read the record in the user's scope (R37)."""
    return form_pdf_response(request._request, form)


def sheet_xlsx(request: Request, sheet: Sheet) -> HttpResponseBase:
    """A record's workbook, the same as its page's export (`?export=xlsx`), its export logged
    (R41). The app's function has read the record in the user's scope (R37)."""
    return sheet_response(request._request, sheet)


def export_action(
    page_view: Any,
    *,
    summary: Any,
    description: str = "",
    url_path: str = "export",
    name: str = "export",
    detail: bool = False,
) -> Any:
    """A viewset's `GET /<resource>/export/`: the list page's own Excel export (`page_view`, an
    `ObjectListView`; its `?export=xlsx`), so the API gives exactly the page's workbook: the same
    role gate, filters (the list's FilterSet, as query parameters, documented from it), scope
    (R37), columns, streaming and access-log entry of the export (R41). A viewset with two lists
    names the second one's action (`name`, `url_path`); a list of one record's rows (`detail`)
    passes the record's id to the page as its `pk`."""
    from .api_filters import ListFilterBackend, filterset_check

    export_view: Any = (
        page_view
        if page_view.export_only
        else type(
            f"{page_view.__name__}Export", (page_view,), {"export_only": True, "__doc__": page_view.__doc__}
        )
    )
    view_function = export_view.as_view()
    filterset_class = page_view.filterset_class

    class PageFilterBackend(ListFilterBackend):
        """The page's FilterSet: in the schema, and checking the query before the page's view
        filters the rows itself (a page ignores a filter it cannot read; the API refuses it)."""

        page_filterset_class = filterset_class

        def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
            return filterset_class

    def export(self: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
        no_rows = filterset_class._meta.model._default_manager.none()
        filterset_check(PageFilterBackend().get_filterset(request, no_rows, self), request.query_params)
        if detail:
            return view_function(request._request, pk=path_id(kwargs.get("pk")))
        return view_function(request._request)

    export.__name__ = name
    export = extend_schema(
        summary=summary,
        description=description
        or "The filtered, scoped rows of the list as an Excel workbook (.xlsx), the same as the "
        "list page's export; the export is logged (R41). Takes the list's filters; no pagination.",
        responses=file_responses(XLSX_MIME, 400, 403, *((404,) if detail else ())),
    )(
        action(
            detail=detail,
            methods=["get"],
            url_path=url_path,
            url_name=url_path.replace("/", "-"),
            filter_backends=[PageFilterBackend],
            pagination_class=None,
            content_negotiation_class=FileContentNegotiation,
        )(export)
    )
    export.filtered_export = True  # type: ignore[attr-defined]
    return export


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


def request_user(context: Mapping[str, Any]):
    request = context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.STR)
class PersonalPhoneField(serializers.Field):
    """A customer's stored E.164 number, 13812341234 or 138****1234 (R41): masked in every list;
    in one record's output in full when `in_full(user, record)` says so (the app asks
    `accounts.privacy`), else masked and revealable through `POST /api/privacy/reveal/`."""

    def __init__(self, *, attribute: str, in_full: Callable[[Any, Any], bool], **kwargs: Any) -> None:
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        self.attribute = attribute
        self.in_full = in_full
        super().__init__(**kwargs)

    def shown_in_full(self, record: Any) -> bool:
        user = request_user(self.context)
        listed = isinstance(self.root, serializers.ListSerializer)
        return not listed and user is not None and self.in_full(user, record)

    def to_representation(self, record: Any) -> str:
        value = attrgetter(self.attribute)(record)
        if not value:
            return ""
        return phone_display(value) if self.shown_in_full(record) else phone_mask(value)


@extend_schema_field(OpenApiTypes.STR)
class PersonalAddressField(PersonalPhoneField):
    """A street address, in full or masked like a phone number (`****`, the region stays in its
    own fields): `attribute` names the street, e.g. "address"."""

    def to_representation(self, record: Any) -> str:
        value = attrgetter(self.attribute)(record)
        if not value:
            return ""
        return value if self.shown_in_full(record) else STREET_MASK


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
            documented: Any = self.queryset  # type: ignore[arg-type]  # (the stubs read a Manager descriptor)
            return documented.none()
        return self.scope(user)

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool):  # True would otherwise read as id 1
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class ReferencePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id resolved from reference data kept in memory (`core.reference`: a dict of the
    rows by id) instead of a query per request; `queryset` names the model (and documents the
    field). Errors are DRF's: "incorrect_type", "does_not_exist"."""

    def __init__(self, *, reference: ReferenceCache[dict[int, Any]], **kwargs: Any) -> None:
        self.reference = reference
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        found = self.reference.get().get(pk)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


# Fields that change only through a lifecycle's transitions, never by writing them.
STATE_FIELDS = frozenset({"state", "waiting_reason", "engineer"})


def _wrong_json_type(field: serializers.Field, value: Any) -> bool:
    """Text given as something else (DRF's CharField takes `0` for "0"), or a decimal given as a
    boolean (DRF takes `true` for 1)."""
    if value is None:
        return False
    if isinstance(field, serializers.CharField):
        return not isinstance(value, str)
    if isinstance(field, serializers.DecimalField):
        return isinstance(value, bool)
    return False


class RejectUnknownFieldsMixin:
    """Unknown keys are an error, not silently dropped: `{"state": "closed"}` must not look
    accepted. Text is text: DRF's CharField also takes `0` for "0", which the schema forbids."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            not_text = {
                name: [
                    serializers.ErrorDetail(
                        str(serializers.CharField.default_error_messages["invalid"]), code="invalid"
                    )
                ]
                for name, field in self.fields.items()  # type: ignore[attr-defined]
                if not field.read_only and _wrong_json_type(field, data.get(field.field_name))
            }
            if not_text:
                raise serializers.ValidationError(not_text)
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields)  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail(
                                str(
                                    _("State changes only through the action endpoints.")
                                    if name in STATE_FIELDS
                                    else _("Unknown or read-only field.")
                                ),
                                code="unknown_field",
                            )
                        ]
                        for name in sorted(unknown)
                    }
                )
        return super().to_internal_value(data)  # type: ignore[misc]


# Fields that hold other fields (bound to them, so reaching the serializer's context through
# them): copied deeply, the others field by field.
_CONTAINER_FIELDS = (
    serializers.BaseSerializer,
    serializers.ManyRelatedField,
    serializers.ListField,
    serializers.DictField,
)


def _field_copy(field: serializers.Field) -> serializers.Field:
    """An unbound field for a new serializer: DRF deep-copies every field by calling its
    constructor again (about 1 ms for a work order's 40); a field holding no other field needs
    only its own attributes, which binding it to the serializer sets (name, parent, source)."""
    return copy.deepcopy(field) if isinstance(field, _CONTAINER_FIELDS) else copy.copy(field)


class FieldsBuiltOnceMixin:
    """For a ModelSerializer read or written on every request: DRF builds its fields from the
    model on every instantiation (about 1 ms for a work order's 40); here they are built once per
    class and each serializer gets its own copies (`_field_copy`). Only for serializers whose
    `get_fields` does not depend on the request."""

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built = built  # type: ignore[attr-defined]
        return {name: _field_copy(field) for name, field in built.items()}


class IdNameSerializer(serializers.Serializer):
    """{id, name} of a related object, its name being its display string."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, obj: Model) -> str:
        return str(obj)


class ChangeRecordSerializer(serializers.ModelSerializer):
    """One changed field of an audited record (R41): who, when, the field, from and to. An app
    whose history holds personal values overrides `shown` to mask them."""

    actor = IdNameSerializer(read_only=True, allow_null=True)
    old_value = serializers.SerializerMethodField()
    new_value = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRecord
        fields = ["id", "created_at", "field", "field_label", "old_value", "new_value", "actor"]
        read_only_fields = fields

    def shown(self, record: ChangeRecord, value: str) -> str:
        """A stored value as this reader sees it."""
        return value

    def get_old_value(self, record: ChangeRecord) -> str:
        return self.shown(record, record.old_value)

    def get_new_value(self, record: ChangeRecord) -> str:
        return self.shown(record, record.new_value)


__all__ = [
    "ChangeRecordSerializer",
    "FieldsBuiltOnceMixin",
    "PersonalAddressField",
    "PersonalPhoneField",
    "RejectUnknownFieldsMixin",
    "IdNameSerializer",
    "ProblemSerializer",
    "ReferencePrimaryKeyRelatedField",
    "RoleWritePermission",
    "ScopedPrimaryKeyRelatedField",
    "problem",
    "problem_json",
    "problem_exception_handler",
    "problem_responses",
    "status",
]


# --- lifecycle endpoints ------------------------------------------------------------------------

# A serializer field for an input of a transition (a fresh field per input serializer).
InputSerializerField = Callable[[], serializers.Field]
# What an endpoint runs: (object, transition, actor, expected_version, inputs) -> the changed object.
TransitionCall = Callable[[Any, Any, Any, "int | None", dict[str, Any]], Any]


def transition_input_serializer(
    machine: Machine, transition: Transition, fields: Mapping[str, InputSerializerField], *, prefix: str
) -> type[serializers.Serializer]:
    """The input of one transition: the inputs it declares (none required here: the transition
    says what is missing, naming it, after the state; the schema lists them as required, `needs`),
    the `version` read for a versioned object, and no other key."""
    attrs: dict[str, Any] = {"needs": transition.required_inputs}
    if machine.versioned:
        attrs["version"] = serializers.IntegerField(
            min_value=1,
            required=False,
            help_text=_("If given, refused with 409 stale_version when the record changed since."),
        )
    for name in sorted(transition.inputs):
        if name not in fields:
            raise ValueError(f"{machine.name}.{transition.name}: no API field for input {name!r}")
        attrs[name] = fields[name]()
    needs = ", ".join(sorted(transition.required_inputs)) or "—"
    attrs["__doc__"] = (
        f"{transition.name}: from {', '.join(sorted(transition.sources))} to "
        f"{transition.target or 'the same state'}; required: {needs}."
    )
    name = f"{prefix}{transition.name.title().replace('_', '')}Input"
    return type(name, (RejectUnknownFieldsMixin, serializers.Serializer), attrs)


def roles_text(transition: Transition) -> str:
    return ", ".join(sorted(transition.roles)) or "the system only"


def transition_actions(
    machine: Machine,
    *,
    fields: Mapping[str, InputSerializerField],
    prefix: str,
    run: Mapping[str, TransitionCall] | None = None,
    multipart: frozenset[str] = frozenset(),
    created: Mapping[str, type[serializers.Serializer]] | None = None,
    moves_money: frozenset[str] = frozenset(),
):
    """Class decorator: `POST /<resource>/<id>/<name>/` for every transition of `machine` a user
    may run (the system's own have no endpoint), each with its own input serializer (from
    `fields`) and OpenAPI description (sources, target, roles, errors). The viewset gives
    `get_object()` (scoped: 404 outside) and `transition_response(obj)`; `run` replaces the plain
    `transition_run` for transitions that do more, and those that make a new record name its
    serializer in `created` (answered with 201 and that record)."""
    calls = dict(run or {})

    def plain_run(obj, transition, actor, expected_version, inputs):
        return transition_run(
            machine,
            pk=obj.pk,
            action=transition.name,
            actor=actor,
            expected_version=expected_version,
            inputs=inputs,
        )

    made = dict(created or {})

    def decorate(viewset: type) -> type:
        for transition in machine:
            if not transition.roles:
                continue  # run by the system only: nothing for a client to call
            input_class = transition_input_serializer(machine, transition, fields, prefix=prefix)
            call = calls.get(transition.name, plain_run)

            def endpoint(
                self, request, pk=None, *, transition=transition, input_class=input_class, call=call
            ):
                obj = self.get_object()
                serializer = input_class(data=request.data, context=self.get_serializer_context())
                serializer.is_valid(raise_exception=True)
                inputs = dict(serializer.validated_data)
                version = inputs.pop("version", None)
                result = call(obj, transition, request.user, version, inputs)
                if transition.name in made:
                    output = made[transition.name](result, context=self.get_serializer_context())
                    return Response(output.data, status=status.HTTP_201_CREATED)
                return self.transition_response(result)

            slug = transition.name.replace("_", "-")
            endpoint.__name__ = transition.name
            endpoint.__qualname__ = f"{viewset.__name__}.{transition.name}"
            endpoint.__doc__ = input_class.__doc__
            if transition.name in made or transition.name in moves_money:
                endpoint = idempotent(endpoint)
            extra: dict[str, Any] = (
                {"parser_classes": MULTIPART_PARSERS} if transition.name in multipart else {}
            )
            decorated = action(detail=True, methods=["post"], url_path=slug, url_name=slug, **extra)(endpoint)
            described = extend_schema(
                summary=str(transition.label),
                description=(
                    f"{input_class.__doc__}\n\nRoles: {roles_text(transition)}. "
                    "409 `transition_not_allowed` from another state"
                    + (", 409 `stale_version` when `version` is stale" if machine.versioned else "")
                    + ", 403 `permission_denied` when the role may not run it, 400 with the input at fault."
                ),
                request={"multipart/form-data": input_class} if transition.name in multipart else input_class,
                responses={
                    **(
                        {201: made[transition.name]}
                        if transition.name in made
                        else {200: getattr(viewset, "serializer_class", None)}
                    ),
                    **problem_responses(400, 403, 404, 409),
                },
            )(decorated)
            setattr(viewset, transition.name, described)
        return viewset

    return decorate


def error_codes_in_schema(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing: the API description lists every error code and what it
    means, besides DRF's own (`required`, `invalid`, `not_found`...)."""
    from .errors import ERROR_CODES

    rows = "\n".join(f"| `{code}` | {meaning} |" for code, meaning in sorted(ERROR_CODES.items()))
    info = result.setdefault("info", {})
    info["description"] = (
        f"{info.get('description', '')}\n\n"
        "Every error is a JSON problem `{status, title, errors: [{field, code, message}]}`; `code` "
        f"is stable:\n\n| code | meaning |\n|---|---|\n{rows}\n"
    )
    return result


# --- reference data ------------------------------------------------------------------------------


class ReferenceDataWriteMixin:
    """Create/update/delete of plain reference data: model validation, then save, never from
    the serializer itself (ARCHITECTURE.md §9). Creating takes an Idempotency-Key; an update
    writes one history row per changed field (core.ChangeRecord), as the admin's pages show.

    A viewset whose rows have rules of their own (an app's services) overrides `record_create`,
    `record_update` and `record_delete` to call those services; the endpoints stay the same."""

    def record_create(self, model: type[Model], data: dict) -> Model:
        return record_save(instance=model(), data=data, actor=self.request.user)  # type: ignore[attr-defined]

    def record_update(self, instance: Model, data: dict) -> Model:
        return record_save(instance=instance, data=data, actor=self.request.user)  # type: ignore[attr-defined]

    def record_delete(self, instance: Model) -> None:
        instance.delete()  # ProtectedError (still referenced) → 409 "protected"

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)  # type: ignore[misc]

    @transaction.atomic
    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        serializer.instance = self.record_create(serializer.Meta.model, dict(serializer.validated_data))

    @transaction.atomic
    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        instance = cast(Model, serializer.instance)  # an update has its row
        serializer.instance = self.record_update(instance, dict(serializer.validated_data))

    @transaction.atomic
    def perform_destroy(self, instance: Model) -> None:
        self.record_delete(instance)


class ServiceWriteMixin(ReferenceDataWriteMixin):
    """The same endpoints for reference data whose app's services validate, write the history and
    refuse deletes of what is in use: `save_row(instance or None, data, actor)` and
    `delete_row(instance, actor)`; the answer is the row as the list reads it (its queryset)."""

    def save_row(self, instance: Any, data: dict[str, Any], actor: Any) -> Any:
        raise NotImplementedError

    def delete_row(self, instance: Any, actor: Any) -> None:
        raise NotImplementedError

    def _as_listed(self, row: Model) -> Model:
        view: Any = self
        return view.get_queryset().get(pk=row.pk)

    def record_create(self, model: type[Model], data: dict) -> Model:
        return self._as_listed(self.save_row(None, data, self.request.user))  # type: ignore[attr-defined]

    def record_update(self, instance: Model, data: dict) -> Model:
        return self._as_listed(self.save_row(instance, data, self.request.user))  # type: ignore[attr-defined]

    def record_delete(self, instance: Model) -> None:
        self.delete_row(instance, self.request.user)  # type: ignore[attr-defined]
