"""The API shapes of what apps add to the customer and device pages (core.panels): the counts of
a summary and the rows of a history."""

from __future__ import annotations

from rest_framework import serializers


class FactSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
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
