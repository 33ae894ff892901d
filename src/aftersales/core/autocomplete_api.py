"""`GET /api/autocomplete/<lookup>/`: the rows of a large set matching what a user types, scoped
like the lists (R37), at most AUTOCOMPLETE_LIMIT of them; or, with `ids`, the labels of chosen
rows. The list pages' filter comboboxes call these same endpoints (core.autocomplete)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import problem_responses
from .autocomplete import (
    AUTOCOMPLETE_LIMIT,
    AUTOCOMPLETE_MAX_IDS,
    Lookup,
    lookup_search,
    lookup_selected,
    lookups,
)

# Whole numbers (ids) separated by commas, as the schema tells integrators; the count is checked
# apart, with its own message.
IDS_PATTERN = r"^[0-9]{1,18}(,[0-9]{1,18})*$"  # blank is allowed apart (allow_blank)


class AutocompleteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("What the user typed; empty lists the first rows."),
    )
    ids = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,  # the pattern is the contract: no spaces
        validators=[
            RegexValidator(IDS_PATTERN, _("Give ids as numbers separated by commas."), code="invalid")
        ],
        help_text=_("Comma-separated ids of chosen rows: their labels instead of a search."),
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=AUTOCOMPLETE_LIMIT,
        default=AUTOCOMPLETE_LIMIT,
        help_text=_("Rows to return at most."),
    )

    def validate_ids(self, value: str) -> list[int]:
        parts = value.split(",") if value else []
        if len(parts) > AUTOCOMPLETE_MAX_IDS:
            raise serializers.ValidationError(
                _("At most %(limit)d ids at a time.") % {"limit": AUTOCOMPLETE_MAX_IDS}, code="invalid"
            )
        return [int(part) for part in parts]


class AutocompleteItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField(help_text=_("The row's name, as the filter shows it."))  # type: ignore[assignment]
    detail = serializers.CharField(help_text=_("What tells rows of the same name apart (code, place)."))


class AutocompleteResultSerializer(serializers.Serializer):
    results = AutocompleteItemSerializer(many=True)
    more = serializers.BooleanField(help_text=_("More rows match than were returned: type more to narrow."))


class AutocompleteView(APIView):
    """The base of each lookup's endpoint (made by `autocomplete_urls`)."""

    lookup: Lookup

    def get(self, request: Request) -> Response:
        params = AutocompleteQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        if "ids" in data:
            rows, more = lookup_selected(self.lookup, request.user, data["ids"]), False
        else:
            rows, more = lookup_search(self.lookup, request.user, data.get("q", ""), data["limit"])
        result = {"results": [self.lookup.item(row) for row in rows], "more": more}
        return Response(AutocompleteResultSerializer(result).data)


def _view_for(lookup: Lookup) -> type[AutocompleteView]:
    def get(self: AutocompleteView, request: Request) -> Response:
        return AutocompleteView.get(self, request)

    described = extend_schema(
        operation_id=f"autocomplete_{lookup.name.replace('-', '_')}",
        tags=["autocomplete"],
        summary=f"Autocomplete: {lookup.name}",
        description=(
            f"The {lookup.name} you may see (scoped like the lists) whose {lookup.searches} match `q`, "
            f"at most `limit` ({AUTOCOMPLETE_LIMIT}), in a stable order; `more` says whether more match. "
            f"With `ids` (at most {AUTOCOMPLETE_MAX_IDS}), the labels of those rows instead, "
            "leaving out any you may not see. 400 for a bad `ids` or `limit`, 401 without credentials."
        ),
        parameters=[AutocompleteQuerySerializer],
        responses={200: AutocompleteResultSerializer, **problem_responses(400, 401)},
    )(get)
    name = "".join(part.title() for part in lookup.name.split("-"))
    return type(f"{name}AutocompleteView", (AutocompleteView,), {"lookup": lookup, "get": described})


def autocomplete_urls() -> list:
    """One URL per registered lookup: `autocomplete/<name>/`, named `api-autocomplete-<name>`."""
    return [
        path(f"autocomplete/{name}/", _view_for(lookup).as_view(), name=f"api-autocomplete-{name}")
        for name, lookup in sorted(lookups.items())
    ]
