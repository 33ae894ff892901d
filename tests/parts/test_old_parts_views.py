"""R29 on the pages: the old-part lists (filters, search, sort, Excel, overdue in red), the due-to-HQ
list with its bulk report, the old part's page whose actions post with HTMX, its label with a QR
code and PDF, the photo, the penalty's reversal, shipments packed, shipped and received; a dealer's
staff see only their dealer's (404 for another's, on pages and exports)."""

from __future__ import annotations

import io
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.parts.choices import OldPartState, ShipmentState
from aftersales.parts.models import AccountEntry, OldPart, OldPartShipment
from aftersales.parts.services.old_parts import shipment_create
from aftersales.parts.tasks import charge_unreported_old_parts

from ..timeutil import at, frozen
from .old_parts_world import old_parts_world
from .test_old_parts import PNG

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def w():
    return old_parts_world()


def _page(client, user, url: str, **extra) -> str:
    client.force_login(user)
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _export(client, url: str) -> list[list]:
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_r29_r37_a_dealers_staff_list_and_export_only_their_dealers_old_parts(client, w):
    mine, theirs = w.register(), w.register(work_order=w.other_work_order)
    url = reverse("parts:old_part_list")
    html = _page(client, w.staff, url)
    assert mine.number in html and theirs.number not in html
    assert 'data-testid="nav-old-parts"' in html
    exported = [row[0] for row in _export(client, url + "?export=xlsx")]
    assert mine.number in exported and theirs.number not in exported
    everything = _page(client, w.parts_clerk, url)
    assert mine.number in everything and theirs.number in everything


def test_r29_the_list_filters_searches_and_sorts(client, w):
    registered = w.register()
    reported = w.reported(part=_part("PR-110", "搓纸轮"))
    url = reverse("parts:old_part_list")
    client.force_login(w.parts_clerk)
    only_reported = client.get(url, {"state": "reported"}, **HTMX).content.decode()
    assert reported.number in only_reported and registered.number not in only_reported
    assert 'id="list-results"' in only_reported and "<nav class" not in only_reported  # the partial
    by_part = client.get(url, {"q": "搓纸"}).content.decode()
    assert reported.number in by_part and registered.number not in by_part
    by_work_order = client.get(url, {"q": w.work_order.number}).content.decode()
    assert registered.number in by_work_order and reported.number in by_work_order
    by_number = client.get(url, {"q": registered.number}).content.decode()
    assert registered.number in by_number and reported.number not in by_number
    ascending = client.get(url, {"ordering": "number"}).content.decode()
    assert ascending.index(registered.number) < ascending.index(reported.number)
    descending = client.get(url, {"ordering": "-number"}).content.decode()
    assert descending.index(reported.number) < descending.index(registered.number)
    other_point = client.get(url, {"service_point": w.other_point.pk}).content.decode()
    assert registered.number not in other_point


def _part(number: str, name: str):
    from .. import factories as f

    return f.PartFactory(number=number, name=name)


def test_r29_overdue_old_parts_are_red_filtered_and_charged_shown(client, w):
    late = w.register()
    with frozen(at(2026, 11, 18, 1, 15)):
        charge_unreported_old_parts()
        client.force_login(w.staff)
        html = client.get(reverse("parts:old_part_due_list"), {"overdue": "true"}).content.decode()
    assert late.number in html and "table-danger" in html and 'data-testid="penalty"' in html
    assert "¥150.00" in html
    with frozen(at(2026, 11, 18, 1, 15)):
        charged = client.get(reverse("parts:old_part_list"), {"charged": "true"}).content.decode()
        not_overdue = client.get(reverse("parts:old_part_list"), {"overdue": "false"}).content.decode()
    assert late.number in charged and late.number not in not_overdue


def test_r29_the_list_reads_a_fixed_number_of_queries(client, w):
    client.force_login(w.parts_clerk)
    url = reverse("parts:old_part_list")
    w.register()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        w.register(work_order=w.other_work_order)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_r29_the_due_list_reports_ticked_old_parts_in_bulk(client, w):
    first, second, other = w.register(), w.register(), w.register(work_order=w.other_work_order)
    client.force_login(w.staff)
    response = client.post(
        reverse("parts:old_part_due_list"),
        {"bulk_action": "report", "ids": [first.pk, second.pk, other.pk]},
    )
    assert response.status_code == 302
    states = dict(OldPart.objects.values_list("pk", "state"))
    assert states[first.pk] == states[second.pk] == OldPartState.REPORTED
    assert states[other.pk] == OldPartState.REGISTERED  # another dealer's is not even seen


def test_r29_r37_the_old_parts_page_and_its_documents_are_404_outside_the_scope(client, w):
    old_part = w.register(serial_number="SN-1")
    client.force_login(w.other_staff)
    for name in ("parts:old_part_detail", "parts:old_part_label", "parts:old_part_photo"):
        assert client.get(reverse(name, args=[old_part.pk])).status_code == 404
    assert client.post(reverse("parts:old_part_transition", args=[old_part.pk, "report"])).status_code == 404
    labels = client.get(reverse("parts:old_part_labels"), {"ids": old_part.pk}).content.decode()
    assert old_part.number not in labels
    colleague = _engineer_of_point(w)
    client.force_login(colleague)
    assert client.get(reverse("parts:old_part_detail", args=[old_part.pk])).status_code == 404
    client.force_login(w.engineer.user)  # the engineer of its work order
    assert client.get(reverse("parts:old_part_detail", args=[old_part.pk])).status_code == 200


def _engineer_of_point(w):
    from .. import factories as f

    return f.EngineerFactory(service_point=w.point).user


def test_r29_reporting_from_the_page_with_htmx_answers_the_pages_body(client, w):
    old_part = w.register()
    html = _page(client, w.staff, reverse("parts:old_part_detail", args=[old_part.pk]))
    assert 'data-testid="action-report"' in html and 'hx-post="' in html
    response = client.post(
        reverse("parts:old_part_transition", args=[old_part.pk, "report"]),
        {"note": "已拍照"},
        follow=True,
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="old-part-body"' in body and "<nav class" not in body
    assert 'data-state="reported"' in body and 'data-testid="message-success"' in body and "已拍照" in body
    again = client.post(
        reverse("parts:old_part_transition", args=[old_part.pk, "report"]), follow=True, **HTMX
    )
    assert 'data-testid="message-error"' in again.content.decode()  # refused, shown, nothing broken


def test_r29_the_label_has_the_number_and_a_qr_code_and_its_pdf_is_in_chinese(client, w):
    old_part = w.register()
    html = _page(client, w.staff, reverse("parts:old_part_label", args=[old_part.pk]))
    assert old_part.number in html and 'class="qr"' in html and "FU-3600" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("parts:old_part_label", args=[old_part.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\n", "")
    assert old_part.number in text and "定影组件" in text and "上海浦东服务站" in text


def test_r29_a_sheet_of_labels_for_the_filtered_list(client, w):
    first, second = w.register(), w.reported()
    html = _page(client, w.staff, reverse("parts:old_part_labels"), data={"state": "reported"})
    assert second.number in html and first.number not in html and html.count('data-testid="label"') == 1


def test_r29_a_photo_is_uploaded_and_served_only_in_scope(client, w):
    old_part = w.register()
    client.force_login(w.staff)
    client.post(
        reverse("parts:old_part_photo_upload", args=[old_part.pk]),
        {"photo": SimpleUploadedFile("p.png", PNG, content_type="image/png"), "condition": "外壳破裂"},
    )
    old_part.refresh_from_db()
    assert old_part.photo and old_part.condition == "外壳破裂"
    served = client.get(reverse("parts:old_part_photo", args=[old_part.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    client.force_login(w.other_staff)
    assert client.get(reverse("parts:old_part_photo", args=[old_part.pk])).status_code == 404


def test_r29_finance_reverses_a_penalty_from_the_page(client, w):
    old_part = w.register()
    with frozen(at(2026, 11, 18, 1, 15)):
        charge_unreported_old_parts()
    html = _page(client, w.staff, reverse("parts:old_part_detail", args=[old_part.pk]))
    assert 'data-testid="penalty"' in html and 'data-testid="penalty-reverse-form"' not in html
    html = _page(client, w.finance, reverse("parts:old_part_detail", args=[old_part.pk]))
    assert 'data-testid="penalty-reverse-form"' in html
    client.post(reverse("parts:old_part_penalty_reverse", args=[old_part.pk]), {"reason": "系统故障"})
    assert AccountEntry.objects.filter(reverses__old_part=old_part).exists()
    html = client.get(reverse("parts:old_part_detail", args=[old_part.pk])).content.decode()
    assert 'data-testid="penalty-reversed"' in html and "系统故障" in html


# --- shipments -----------------------------------------------------------------------------------------


def test_r29_a_shipment_is_packed_shipped_and_received_from_the_pages(client, w):
    first, second = w.reported(), w.reported(work_order=w.other_work_order)
    client.force_login(w.staff)
    form = client.get(reverse("parts:old_part_shipment_create")).content.decode()
    assert first.number in form and second.number not in form  # another dealer's are not offered
    response = client.post(reverse("parts:old_part_shipment_create"), {"old_parts": [first.pk]})
    shipment = OldPartShipment.objects.get()
    assert response["Location"] == reverse("parts:old_part_shipment_detail", args=[shipment.pk])
    refused = client.post(
        reverse("parts:old_part_shipment_transition", args=[shipment.pk, "ship"]),
        {"carrier": "顺丰速运"},
        follow=True,
    )
    assert refused.content.decode().count('data-testid="message-error"') == 1  # once on a full page
    client.post(
        reverse("parts:old_part_shipment_transition", args=[shipment.pk, "ship"]),
        {"carrier": "顺丰速运", "tracking_number": "SF1234567890"},
    )
    shipment.refresh_from_db()
    assert (shipment.state, shipment.tracking_number) == (ShipmentState.SHIPPED, "SF1234567890")
    assert (
        'data-testid="action-receive"'
        not in client.get(reverse("parts:old_part_shipment_detail", args=[shipment.pk])).content.decode()
    )
    client.force_login(w.parts_clerk)
    body = client.post(
        reverse("parts:old_part_shipment_transition", args=[shipment.pk, "receive"]), follow=True, **HTMX
    ).content.decode()
    assert 'data-state="received"' in body and 'id="shipment-body"' in body
    first.refresh_from_db()
    assert first.state == OldPartState.RECEIVED
    labels = _page(client, w.parts_clerk, reverse("parts:old_part_shipment_labels", args=[shipment.pk]))
    assert first.number in labels


def test_r29_a_shipment_being_packed_takes_parts_on_and_off(client, w):
    first, second = w.reported(), w.reported()
    shipment = shipment_create(service_point=w.point, old_part_ids=[first.pk], actor=w.staff)
    client.force_login(w.staff)
    page = client.get(reverse("parts:old_part_shipment_detail", args=[shipment.pk])).content.decode()
    assert 'data-testid="shipment-add-form"' in page and second.number in page
    client.post(reverse("parts:old_part_shipment_add", args=[shipment.pk]), {"old_parts": [second.pk]})
    client.post(reverse("parts:old_part_shipment_remove", args=[shipment.pk, first.pk]))
    assert list(shipment.old_parts.values_list("pk", flat=True)) == [second.pk]


def test_r37_shipments_of_another_dealer_are_404_and_engineers_have_no_shipment_pages(client, w):
    shipment = shipment_create(service_point=w.point, old_part_ids=[w.reported().pk], actor=w.staff)
    client.force_login(w.other_staff)
    assert client.get(reverse("parts:old_part_shipment_detail", args=[shipment.pk])).status_code == 404
    assert shipment.number not in client.get(reverse("parts:old_part_shipment_list")).content.decode()
    assert client.get(reverse("parts:old_part_shipment_labels", args=[shipment.pk])).status_code == 404
    client.force_login(w.engineer.user)
    assert client.get(reverse("parts:old_part_shipment_list")).status_code == 403


def test_r29_the_work_orders_page_lists_its_old_parts(client, w):
    old_part = w.register()
    html = _page(
        client, w.engineer.user, reverse("workorders:detail", args=[w.work_order.pk]) + "?tab=service", **HTMX
    )
    assert 'data-testid="old-parts-panel"' in html and old_part.number in html
    other = _page(
        client,
        w.parts_clerk,
        reverse("workorders:detail", args=[w.other_work_order.pk]) + "?tab=service",
        **HTMX,
    )
    assert 'data-testid="old-parts-panel"' not in other  # none recovered there


def test_r29_hq_records_the_inspection_on_the_page(client, w):
    old_part = w.reported()
    w.received([old_part])
    html = _page(client, w.quality, reverse("parts:old_part_detail", args=[old_part.pk]))
    assert 'data-testid="action-inspect"' in html and 'name="inspection_result"' in html
    client.post(
        reverse("parts:old_part_transition", args=[old_part.pk, "inspect"]),
        {"inspection_result": "faulty", "note": "定影膜烧穿"},
    )
    old_part.refresh_from_db()
    assert (old_part.state, old_part.inspection_result) == (OldPartState.INSPECTED, "faulty")
    page = client.get(reverse("parts:old_part_detail", args=[old_part.pk])).content.decode()
    assert 'data-testid="inspection"' in page and "定影膜烧穿" in page
    assert [
        step for step in ("Registered", "Report to HQ", "Sent to HQ", "Received at HQ") if step not in page
    ] == []


# --- the list's bulk report through the API (issue 13) ----------------------------------------------


def test_r29_r37_bulk_report_through_the_api_reports_ones_own_and_never_sees_another_dealers(api_client, w):
    first, other = w.register(), w.register(work_order=w.other_work_order)
    reported = w.reported()

    response = api_client(w.staff).post(
        "/api/old-parts/bulk/", {"action": "report", "ids": [first.pk, reported.pk, other.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [(r["id"], r["number"], r["outcome"]) for r in response.json()["results"]] == [
        (first.pk, first.number, "done"),
        (reported.pk, reported.number, "refused"),
        (other.pk, None, "not_found"),
    ]
    states = dict(OldPart.objects.values_list("pk", "state"))
    assert states[first.pk] == OldPartState.REPORTED and states[other.pk] == OldPartState.REGISTERED


def test_r29_bulk_report_through_the_api_is_for_the_points_staff_403(api_client, w):
    from tests.api.helpers import assert_problem

    old_part = w.register()
    response = api_client(w.finance).post(
        "/api/old-parts/bulk/", {"action": "report", "ids": [old_part.pk]}, format="json"
    )
    assert_problem(response, 403)
    assert OldPart.objects.get(pk=old_part.pk).state == OldPartState.REGISTERED
