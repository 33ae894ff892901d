"""Pagination of every list API: numbered pages whose count stops being exact past a threshold
(the pages' own CountedPaginator), and keyset pages (`?cursor=`) whose cost does not depend on how
deep they are, for integrations that read everything.

A keyset page continues after the last row of the previous one: `WHERE (sort key, id) < (its
values)` on the list's own sort, served by the index that serves the sort, instead of an OFFSET
that reads and throws away every earlier row."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .lists import CountedPaginator


class SortKey:
    """One column of the list's sort: a field path (`customer__name`) and its direction."""

    def __init__(self, model: type[Model], path: str, descending: bool) -> None:
        self.path, self.descending = path, descending
        self.field = _field_at(model, path)

    def value_of(self, row: Model) -> Any:
        value: Any = row
        for part in self.path.split("__"):
            value = getattr(value, part)
        return value

    @staticmethod
    def encode(value: Any) -> Any:
        """JSON-safe: numbers and text as they are, dates, times and decimals as text."""
        return (
            value
            if value is None or isinstance(value, int | str)
            else getattr(value, "isoformat", value.__str__)()
        )

    def decode(self, value: Any) -> Any:
        return self.field.to_python(value)


def _field_at(model: type[Model], path: str) -> Any:
    """The model field at the end of `path` (a foreign key's target field)."""
    field: Any = None
    current: Any = model
    for part in path.split("__"):
        field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        if field.is_relation:
            current = field.related_model
    return field.target_field if field.is_relation else field


def sort_keys(queryset: QuerySet) -> list[SortKey]:
    """The queryset's sort as plain field paths, ended by the primary key so it is total.
    Expressions (e.g. "nulls last" sorts of computed columns) cannot be continued: ValueError."""
    query = queryset.query
    ordering: Sequence[Any] = query.order_by or (
        (query.get_meta().ordering or []) if query.default_ordering else []
    )
    model = queryset.model
    keys = []
    for item in ordering:
        if not isinstance(item, str) or item == "?":
            raise ValueError(item)
        descending = item.startswith("-")
        path = item.lstrip("-+")
        keys.append(SortKey(model, "pk" if path in ("pk", model._meta.pk.name) else path, descending))
    if not keys or keys[-1].path != "pk":
        keys.append(SortKey(model, "pk", keys[-1].descending if keys else False))
    return keys


def after(keys: list[SortKey], values: list[Any]) -> Q:
    """The rows after `values` in the order of `keys`: (a, b, c) > (x, y, z), written so the
    first key is also a plain bound an index range scan can start from."""
    condition = Q()
    for index in range(len(keys) - 1, -1, -1):
        key, value = keys[index], values[index]
        beyond = Q(**{f"{key.path}__{'lt' if key.descending else 'gt'}": value})
        condition = beyond if index == len(keys) - 1 else beyond | (Q(**{key.path: value}) & condition)
    first = keys[0]
    return Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": values[0]}) & condition


class PageSizeMixin:
    """`page_size` is a whole number from 1 (a larger one gives `max_page_size` rows); anything
    else is refused with 400 rather than quietly answered with the default size. Empty means the
    default, as an empty `cursor` means the first page; the schema says so."""

    page_size: int
    page_size_query_param: str
    max_page_size: int

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        try:
            size = serializers.IntegerField(min_value=1).run_validation(value)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({self.page_size_query_param: error.detail}) from None
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["allowEmptyValue"] = True
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"]["minimum"] = 1  # beyond the last page: 404
            elif parameter["name"] == getattr(self, "cursor_query_param", None):
                parameter["allowEmptyValue"] = True
        return parameters


class StandardPagination(PageSizeMixin, PageNumberPagination):
    """`?page=` with `count` exact up to 10,000 matches and estimated beyond (`count_is_estimate`);
    `?cursor=` (empty for the first page) for keyset pages with only `next`."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CountedPaginator
    cursor_query_param = "cursor"
    last_page_strings = ()  # `page` is a number

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        self.keyset = self.cursor_query_param in request.query_params
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        if self.page_query_param in request.query_params:
            raise exceptions.ValidationError(
                {"page": [_("Give a page number or a cursor, not both.")]}, code="cursor_with_page"
            )
        self.request = request
        try:
            keys = sort_keys(queryset)
        except (ValueError, FieldDoesNotExist, FieldError):  # FieldError: a sort by an annotation
            raise exceptions.ValidationError(
                {"cursor": [_("Cursor pages follow a sort by the row's own columns; sort otherwise.")]},
                code="unsupported_ordering",
            ) from None
        # ordered by exactly the keys the cursor holds (a model's default order may lack the id)
        queryset = queryset.order_by(*[f"-{key.path}" if key.descending else key.path for key in keys])
        token = request.query_params[self.cursor_query_param]
        if token:
            queryset = queryset.filter(after(keys, self._decode(token, keys)))
        size = self.get_page_size(request) or self.page_size
        rows = list(queryset[: size + 1])
        self.next_values = (
            [key.encode(key.value_of(rows[size - 1])) for key in keys] if len(rows) > size else None
        )
        return rows[:size]

    def _decode(self, token: str, keys: list[SortKey]) -> list[Any]:
        try:
            values = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
            if not isinstance(values, list) or len(values) != len(keys):
                raise ValueError(token)
            return [key.decode(value) for key, value in zip(keys, values, strict=True)]
        except (ValueError, TypeError, binascii.Error, ValidationError):
            raise exceptions.ValidationError(
                {"cursor": [_("This cursor is not valid for this list and sort; start again without it.")]},
                code="invalid_cursor",
            ) from None

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset:
            return Response({"count": None, "count_is_estimate": False, **self._links(), "results": data})
        paginator: Any = self.page.paginator if self.page is not None else None
        return Response(
            {
                "count": paginator.count,
                "count_is_estimate": paginator.estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def _links(self) -> dict[str, str | None]:
        if self.next_values is None or self.request is None:
            return {"next": None, "previous": None}
        token = base64.urlsafe_b64encode(json.dumps(self.next_values).encode()).decode().rstrip("=")
        url = self.request.build_absolute_uri()
        return {"next": replace_query_param(url, self.cursor_query_param, token), "previous": None}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "Rows matching, estimated past 10,000 (count_is_estimate); null on cursor pages.",
        }
        properties["count_is_estimate"] = {"type": "boolean", "example": False}
        properties["next"]["description"] = "The next page (on cursor pages: the next cursor page), or null."
        described["required"] = ["count", "count_is_estimate", "next", "previous", "results"]
        return described

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Keyset pages: empty for the first page, then the `next` link's cursor; fast at any "
                        "depth, no count. Not with `page`."
                    )
                ),
                "schema": {"type": "string"},
                "allowEmptyValue": True,
            },
        ]
