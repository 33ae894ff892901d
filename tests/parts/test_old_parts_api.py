"""R29 through the API: register, list (scoped, filtered, due to HQ), one POST per transition
(report, inspect; ship and receive on the shipment) with 409 from another state and 403 for
another role, the photo (uploaded as multipart, read back as the image), the penalty's reversal,
and the schema that documents it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.choices import Role
from aftersales.parts.choices import OldPartState
from aftersales.parts.models import OldPart
from aftersales.parts.services.old_parts import shipment_create
from aftersales.parts.tasks import charge_unreported_old_parts

from .. import factories as f
from ..timeutil import at, frozen
from .old_parts_world import old_parts_world
from .test_old_parts import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return old_parts_world()


def _problem(response, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    error = response.json()["errors"][0]
    assert error["code"] == code
    if field is not None:
        assert error["field"] == field


def test_r29_an_engineer_registers_an_old_part_through_the_api(api_client, w):
    api = api_client(w.engineer.user)
    response = api.post(
        "/api/old-parts/",
        {"work_order": w.work_order.pk, "part": w.part.pk, "quantity": 2, "serial_number": "SN-9"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("JP") and body["state"] == "registered" and body["unit_cost"] == "100.00"
    assert body["history"][0]["action"] == "register" and body["available_actions"] == []
    _problem(
        api.post(
            "/api/old-parts/", {"work_order": w.work_order.pk, "part": w.part.pk, "state": "x"}, format="json"
        ),
        400,
        "unknown_field",
        "state",
    )
    _problem(
        api.post("/api/old-parts/", {"work_order": w.other_work_order.pk, "part": w.part.pk}, format="json"),
        400,
        "does_not_exist",
        "work_order",
    )


def test_r29_r37_the_list_is_scoped_and_filtered_and_another_dealers_is_404(api_client, w):
    mine, theirs = w.register(), w.register(work_order=w.other_work_order)
    reported = w.reported()
    api = api_client(w.staff)
    numbers = [row["number"] for row in api.get("/api/old-parts/").json()["results"]]
    assert set(numbers) == {mine.number, reported.number}
    assert api.get(f"/api/old-parts/{theirs.pk}/").status_code == 404
    _problem(api.post(f"/api/old-parts/{theirs.pk}/report/", {}, format="json"), 404, "not_found")
    only = api.get("/api/old-parts/", {"state": "reported"}).json()["results"]
    assert [row["number"] for row in only] == [reported.number]
    with frozen(at(2026, 11, 18, 9, 0)):
        overdue = api.get("/api/old-parts/", {"overdue": "true"}).json()["results"]
        due = api.get("/api/old-parts/due/").json()["results"]
    assert [row["number"] for row in overdue] == [mine.number] and overdue[0]["overdue"] is True
    assert {row["number"] for row in due} == {mine.number, reported.number}
    assert len(api_client(w.parts_clerk).get("/api/old-parts/").json()["results"]) == 3


def test_r29_one_post_per_transition_409_from_another_state_403_for_another_role(api_client, w):
    old_part = w.register()
    _problem(
        api_client(w.engineer.user).post(f"/api/old-parts/{old_part.pk}/report/"), 403, "permission_denied"
    )
    response = api_client(w.staff).post(
        f"/api/old-parts/{old_part.pk}/report/", {"note": "已拍照"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "reported"
    assert response.json()["history"][-1]["note"] == "已拍照"
    _problem(api_client(w.staff).post(f"/api/old-parts/{old_part.pk}/report/"), 409, "transition_not_allowed")
    _problem(
        api_client(w.quality).post(f"/api/old-parts/{old_part.pk}/inspect/", {"inspection_result": "faulty"}),
        409,
        "transition_not_allowed",
    )
    assert api_client(w.staff).post(f"/api/old-parts/{old_part.pk}/ship/").status_code == 404  # the system's


def test_r29_a_shipment_through_the_api_then_hq_inspects(api_client, w):
    first, second = w.reported(), w.reported()
    staff, clerk = api_client(w.staff), api_client(w.parts_clerk)
    created = staff.post("/api/old-part-shipments/", {"old_parts": [first.pk]}, format="json")
    assert created.status_code == 201, created.content
    shipment = created.json()
    assert shipment["state"] == "draft" and [o["id"] for o in shipment["old_parts"]] == [first.pk]
    url = f"/api/old-part-shipments/{shipment['id']}"
    added = staff.post(f"{url}/add-old-parts/", {"old_parts": [second.pk]}, format="json").json()
    assert {o["id"] for o in added["old_parts"]} == {first.pk, second.pk}
    staff.post(f"{url}/remove-old-part/", {"old_part": second.pk}, format="json")
    _problem(
        staff.post(f"{url}/ship/", {"carrier": "顺丰速运"}, format="json"), 400, "required", "tracking_number"
    )
    shipped = staff.post(f"{url}/ship/", {"carrier": "顺丰速运", "tracking_number": "SF1"}, format="json")
    assert shipped.status_code == 200 and shipped.json()["state"] == "shipped"
    _problem(staff.post(f"{url}/receive/"), 403, "permission_denied")
    assert clerk.post(f"{url}/receive/").json()["state"] == "received"
    _problem(
        clerk.post(f"/api/old-parts/{first.pk}/inspect/", {"inspection_result": "broken"}, format="json"),
        400,
        "invalid_choice",
        "inspection_result",
    )
    inspected = api_client(w.quality).post(
        f"/api/old-parts/{first.pk}/inspect/", {"inspection_result": "not_matching", "note": "型号不符"}
    )
    assert (
        inspected.json()["inspection_result"] == "not_matching" and inspected.json()["state"] == "inspected"
    )
    _problem(
        api_client(w.other_staff).post("/api/old-part-shipments/", {"old_parts": [second.pk]}, format="json"),
        400,
        "does_not_exist",
        "old_parts",
    )


def test_r37_shipments_of_another_dealer_are_not_found(api_client, w):
    shipment = shipment_create(service_point=w.point, old_part_ids=[w.reported().pk], actor=w.staff)
    other = api_client(w.other_staff)
    assert other.get(f"/api/old-part-shipments/{shipment.pk}/").status_code == 404
    assert other.get("/api/old-part-shipments/").json()["results"] == []


def test_r29_the_photo_is_uploaded_as_multipart(api_client, w):
    old_part = w.register()
    response = api_client(w.staff).post(
        f"/api/old-parts/{old_part.pk}/photo/",
        {"photo": SimpleUploadedFile("p.png", PNG, content_type="image/png"), "condition": "外壳破裂"},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["photo_url"].endswith("/photo/")
    _problem(
        api_client(w.staff).post(
            f"/api/old-parts/{old_part.pk}/photo/",
            {"photo": SimpleUploadedFile("p.png", b"not an image")},
            format="multipart",
        ),
        400,
        "invalid_photo",
        "photo",
    )


def test_r29_the_photo_is_read_back_as_the_page_serves_it_only_in_scope(api_client, w):
    old_part = w.register()
    url = f"/api/old-parts/{old_part.pk}/photo/"
    _problem(api_client(w.staff).get(url), 404, "not_found")  # no photo yet
    upload = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    assert api_client(w.staff).post(url, {"photo": upload}, format="multipart").status_code == 200

    served = api_client(w.staff).get(url, HTTP_ACCEPT="image/*")

    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    _problem(api_client(w.other_staff).get(url), 404, "not_found")
    no_dealer = f.UserFactory(role=Role.DEALER_STAFF, dealer=None)
    _problem(api_client(no_dealer).get(url), 403, "permission_denied")


def test_r29_the_penalty_shows_and_hq_reverses_it_through_the_api(api_client, w):
    old_part = w.register()
    with frozen(at(2026, 11, 18, 1, 15)):
        charge_unreported_old_parts()
    body = api_client(w.staff).get(f"/api/old-parts/{old_part.pk}/").json()
    assert body["penalty"] == {"amount": "150.00", "reversed": False}
    _problem(
        api_client(w.staff).post(f"/api/old-parts/{old_part.pk}/reverse-penalty/", {"reason": "x"}),
        403,
        "permission_denied",
    )
    response = api_client(w.finance).post(
        f"/api/old-parts/{old_part.pk}/reverse-penalty/", {"reason": "经核实已按时上报"}, format="json"
    )
    assert response.status_code == 201 and response.json()["amount"] == "-150.00"
    assert api_client(w.staff).get(f"/api/old-parts/{old_part.pk}/").json()["penalty"]["reversed"] is True
    assert OldPart.objects.get().state == OldPartState.REGISTERED


def test_r29_r31_the_schema_documents_every_endpoint(api_client, w):
    paths = api_client(w.parts_clerk).get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/old-parts/",
        "/api/old-parts/{id}/report/",
        "/api/old-parts/{id}/inspect/",
        "/api/old-parts/{id}/photo/",
        "/api/old-parts/{id}/reverse-penalty/",
        "/api/old-parts/due/",
        "/api/old-part-shipments/{id}/ship/",
        "/api/old-part-shipments/{id}/receive/",
        "/api/claims/build/",
        "/api/claims/{id}/approve/",
        "/api/claims/{id}/credit/",
        "/api/claims/{id}/reopen/",
        "/api/claim-lines/{id}/decide/",
    ):
        assert path in paths, path
    assert "/api/old-parts/{id}/ship/" not in paths  # the system's, with the shipment
    inspect = paths["/api/old-parts/{id}/inspect/"]["post"]
    assert {"400", "403", "404", "409"} <= set(inspect["responses"])


def test_r29_the_api_list_reads_a_fixed_number_of_queries(api_client, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client(w.staff)
    w.register()
    api.get("/api/old-parts/")
    with CaptureQueriesContext(connection) as few:
        api.get("/api/old-parts/")
    for _ in range(4):
        w.reported()
    with CaptureQueriesContext(connection) as more:
        assert len(api.get("/api/old-parts/").json()["results"]) == 5
    assert len(more.captured_queries) == len(few.captured_queries)
