"""The work order's serializers build their fields once per class and give each serializer its
own copies (issue 9: DRF rebuilt and deep-copied them on every request): a copy must read its own
request's user, never the one of the serializer the fields were first built for (R37)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from aftersales.workorders.api.serializers import WorkOrderSerializer, WorkOrderWriteSerializer

pytestmark = pytest.mark.django_db


def context_of(user) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return {"request": request}


def test_each_serializer_scopes_related_ids_by_its_own_request(world):
    first = WorkOrderWriteSerializer(data={}, context=context_of(world.staff_a))
    assert set(first.fields["service_point"].get_queryset()) == {world.point_a}
    second = WorkOrderWriteSerializer(data={}, context=context_of(world.staff_b))
    assert set(second.fields["service_point"].get_queryset()) == {world.point_b}
    assert set(first.fields["service_point"].get_queryset()) == {world.point_a}  # still its own
    assert first.fields["service_point"] is not second.fields["service_point"]
    built = WorkOrderWriteSerializer.__dict__["_fields_built"]["service_point"]
    assert built is not first.fields["service_point"] and getattr(built, "parent", None) is None


def test_nested_fields_are_bound_to_their_own_serializer(world):
    first = WorkOrderSerializer(world.order_a, context=context_of(world.staff_a))
    second = WorkOrderSerializer(world.order_b, context=context_of(world.staff_b))
    assert first.data["customer"]["name"] == str(world.order_a.customer)
    assert second.data["service_point"]["id"] == world.point_b.pk
    assert first.fields["customer"].fields["name"].root is first
    assert second.fields["customer"].fields["name"].root is second
    assert first.fields["contact_phone"].context["request"].user == world.staff_a
    assert second.fields["contact_phone"].context["request"].user == world.staff_b
