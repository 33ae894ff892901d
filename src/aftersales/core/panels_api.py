"""The API shapes of what apps add to the customer and device pages (core.panels): the counts of
a summary and the rows of a history."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from .panels import HISTORY_PAGE_SIZE, HistoryCursor, history_page


class FactSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field named "label"
    value = serializers.JSONField(allow_null=True, help_text="A count, or a text such as an average.")
    url = serializers.CharField(help_text="The page of the filtered list it counts, or empty.")
    last_contact = serializers.DateTimeField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(
        help_text="The source: workorder, visit, visit_part, depot, depot_part, external …"
    )
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    detail = serializers.CharField()
    state = serializers.CharField()
    work_order = serializers.CharField(help_text="The number of the work order it belongs to.")
    url = serializers.CharField(help_text="Its page.")


class HistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The older entries; null on the last page.")
    results = HistoryEntrySerializer(many=True)


# Entries one page of a history holds at most.
HISTORY_MAX_PAGE_SIZE = 100


def history_response(request, page: str, obj) -> dict:
    """One page of `obj`'s history (core.panels) for `GET …/history/?cursor=&page_size=`: the rows
    and the link to the older ones; a bad cursor or size is a 400 problem."""
    before = None
    if request.query_params.get("cursor"):
        try:
            before = HistoryCursor.decode(request.query_params["cursor"])
        except ValueError:
            raise exceptions.ValidationError(
                {"cursor": [_("Not a cursor of this list.")]}, code="invalid_cursor"
            ) from None
    size = HISTORY_PAGE_SIZE
    if request.query_params.get("page_size"):
        text = request.query_params["page_size"]
        size = int(text) if text.isdigit() and len(text) < 6 else 0
        if not 1 <= size <= HISTORY_MAX_PAGE_SIZE:
            raise exceptions.ValidationError(
                {"page_size": [_("A whole number from 1 to %(max)d.") % {"max": HISTORY_MAX_PAGE_SIZE}]}
            )
    result = history_page(page, request.user, obj, before=before, size=size)
    next_url = None
    if result.next is not None:
        query = request.query_params.copy()
        query["cursor"] = result.next.encode()
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return HistoryPageSerializer({"next": next_url, "results": result.rows}).data


HISTORY_PARAMETERS = [
    OpenApiParameter(
        "cursor", str, description="The `next` cursor of the previous page; none for the newest."
    ),
    OpenApiParameter(
        "page_size", int, description=f"Entries per page, 20 unless asked, at most {HISTORY_MAX_PAGE_SIZE}."
    ),
]
