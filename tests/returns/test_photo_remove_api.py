"""R33: a photo taken off a draft through the API, as the request page's remove button does (the
same service and its history); 409 once submitted; 403 for who may not change the request; another
dealer's request, or a photo of another request, is 404 (R37)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.returns.models import ReturnPhoto
from aftersales.returns.services import return_photo_add

from ..api.helpers import PNG_BYTES, assert_problem
from .conftest import step

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographed(people, draft):
    def make(**fields):
        request = draft(**fields)
        upload = SimpleUploadedFile("box.png", PNG_BYTES, "image/png")
        return_photo_add(request_id=request.pk, actor=people.agent, upload=upload, description="包装")
        return request, request.photos.get()

    return make


def url(photo: ReturnPhoto) -> str:
    return f"/api/returns/{photo.request_id}/photos/{photo.uuid}/"


def test_r33_a_photo_is_taken_off_a_draft(api_client, people, photographed):
    request, photo = photographed()
    api = api_client(people.agent)

    response = api.delete(url(photo))

    assert response.status_code == 204, response.content
    assert not ReturnPhoto.objects.exists()
    body = api.get(f"/api/returns/{request.pk}/").json()
    assert body["photos"] == []
    assert body["steps"][-1]["action"] == "photo_remove" and body["steps"][-1]["note"] == "box.png"
    assert_problem(api.delete(url(photo)), 404)  # gone


def test_r33_not_once_submitted(api_client, people, photographed):
    request, photo = photographed()
    step(request, "submit", people.agent)

    assert_problem(api_client(people.agent).delete(url(photo)), 409, code="return_not_draft")
    assert ReturnPhoto.objects.filter(pk=photo.pk).exists()


def test_r33_who_may_not_change_the_request_is_refused(api_client, people, photographed):
    _request, photo = photographed()

    assert_problem(api_client(people.finance).delete(url(photo)), 403, code="permission_denied")
    assert ReturnPhoto.objects.filter(pk=photo.pk).exists()


def test_r37_another_dealers_photo_or_another_requests_is_not_found(api_client, people, photographed, side_b):
    _request, photo = photographed()
    other, _other_photo = photographed(work_order=side_b.work_order)

    assert_problem(api_client(side_b.staff).delete(url(photo)), 404, code="not_found")
    assert_problem(
        api_client(people.agent).delete(f"/api/returns/{other.pk}/photos/{photo.uuid}/"),
        404,
        code="not_found",
    )
    assert_problem(
        api_client(people.agent).delete(f"/api/returns/{photo.request_id}/photos/{photo.pk}/"), 404
    )
    assert ReturnPhoto.objects.filter(pk=photo.pk).exists()
