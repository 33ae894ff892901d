"""The history of every parts document in the API: one serializer for all their steps."""

from __future__ import annotations

from rest_framework import serializers

from aftersales.core.api import IdNameSerializer


class StepSerializer(serializers.Serializer):
    """A step of a record's history (R41): who, when, from which state to which, their note."""

    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()
    actor = IdNameSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
