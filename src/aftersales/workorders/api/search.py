"""`GET /api/search/?q=`: the navbar's search for integrations and scripts (issue 12), the same
results as the page: a whole work-order number as `jump`, else work orders best first with a
highlighted snippet, customers and devices; all within the caller's scope."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from aftersales.core.api import problem_responses

from ..selectors import SEARCH_LIMIT, search_everything


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        help_text=_("A work-order number, a phone number, a serial number, a name or words of the fault."),
    )


class SearchWorkOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="work_order.pk")
    number = serializers.CharField(source="work_order.number")
    state = serializers.CharField(source="work_order.state")
    customer = serializers.CharField(source="work_order.customer.name")
    created_at = serializers.DateTimeField(source="work_order.created_at")
    snippet = serializers.CharField(
        help_text=_("HTML: the matching text, escaped, with the words found in <mark> elements.")
    )


class SearchCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    code = serializers.CharField()


class SearchDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    serial_number = serializers.CharField()
    product_model = serializers.CharField()
    customer = serializers.CharField(source="customer.name")


class SearchResultSerializer(serializers.Serializer):
    jump = serializers.CharField(
        allow_null=True, help_text=_("The API address of the work order a whole number names, else null.")
    )
    work_orders = SearchWorkOrderSerializer(many=True)
    customers = SearchCustomerSerializer(many=True)
    devices = SearchDeviceSerializer(many=True)


class SearchViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="search",
        tags=["search"],
        summary="Search work orders, customers and devices",
        description=(
            "Chinese is segmented into words (`定影` finds 定影组件异响), fault codes are normalised "
            f"(`E-302` = `e302`). At most {SEARCH_LIMIT} work orders, best first, and 5 customers "
            "and 5 devices, within your scope. A whole work-order number you may see gives `jump` "
            "and nothing else. 400 without `q`, 401 without credentials."
        ),
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultSerializer, **problem_responses(400, 401)},
    )
    def list(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = search_everything(request.user, params.validated_data["q"])
        jump = None
        if results.jump is not None:
            jump = reverse("workorder-detail", args=[results.jump.pk], request=request)
        payload = {
            "jump": jump,
            "work_orders": results.work_orders,
            "customers": results.customers,
            "devices": results.devices,
        }
        return Response(SearchResultSerializer(payload).data)
