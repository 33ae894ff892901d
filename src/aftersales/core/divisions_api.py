"""`GET /api/divisions/?parent=<code>`: the provinces, or the cities of a province, or the
districts of a city (core.divisions), for the address pickers of pages and integrations."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import divisions
from .api import problem_responses


class DivisionQuerySerializer(serializers.Serializer):
    parent = serializers.RegexField(  # type: ignore[assignment]
        r"^\d{6}$",
        required=False,
        allow_blank=True,
        help_text=_("A province's or a city's six-digit code; empty for the provinces."),
        error_messages={"invalid": _("Give a six-digit division code.")},
    )


class DivisionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("GB/T 2260 code."))
    name = serializers.CharField(help_text=_("The name addresses use."))


class DivisionListSerializer(serializers.Serializer):
    results = DivisionSerializer(many=True)


class DivisionView(APIView):
    @extend_schema(
        operation_id="divisions",
        tags=["divisions"],
        summary="Provinces, cities and districts of China",
        description=(
            "Without `parent`, the 34 provinces; with a province's code, its cities (in a "
            "municipality the municipality itself); with a city's code, its districts and counties. "
            "An unknown or district code gives an empty list. 400 for a code that is not six digits, "
            "401 without credentials."
        ),
        parameters=[DivisionQuerySerializer],
        responses={200: DivisionListSerializer, **problem_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = DivisionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        parent = params.validated_data.get("parent") or ""
        rows = divisions.children(parent) if parent else divisions.provinces()
        return Response(DivisionListSerializer({"results": rows}).data)


def division_urls() -> list:
    return [path("divisions/", DivisionView.as_view(), name="api-divisions")]
