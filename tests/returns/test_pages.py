"""R33 pages: the list (filters, search, sort, Excel), a new request (also from the work order's
page), its page with the steps the user may take (HTMX), its print view and PDF in Chinese, HQ's
rules; a dealer's staff get 404 for another dealer's request on every page and export (R37)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.returns.choices import ItemCondition, ReturnKind, ReturnState
from aftersales.returns.models import ReturnPolicy, ReturnRequest
from aftersales.returns.services import return_photo_add

from .. import factories as f
from ..api.helpers import PNG_BYTES
from .conftest import TODAY, run_to, step

pytestmark = pytest.mark.django_db

LIST = "/returns/"


def login(client, user):
    client.force_login(user)
    return client


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def test_r33_a_request_is_drawn_up_from_the_work_orders_page(client, people, side_a):
    login(client, people.agent)
    panel = client.get(reverse("workorders:detail", args=[side_a.work_order.pk]), {"tab": "service"})
    assert 'data-testid="returns-panel"' in panel.content.decode()
    url = f"{reverse('returns:create')}?work_order={side_a.work_order.pk}"
    form = client.get(url)
    assert side_a.work_order.number in form.content.decode()

    response = client.post(
        url,
        {
            "work_order_number": side_a.work_order.number,
            "kind": "exchange",
            "reason": "quality",
            "reason_text": "打印有横纹",
            "condition": "like_new",
            "proof_of_purchase": "FP001",
            "photo": SimpleUploadedFile("外观.png", PNG_BYTES, content_type="image/png"),
            "photo_description": "外观照片",
        },
    )

    request = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "returns:detail", args=[request.pk]
    )
    assert (request.kind, request.customer, request.device) == ("exchange", side_a.customer, side_a.device)
    assert request.photos.get().description == "外观照片"
    panel = client.get(reverse("workorders:detail", args=[side_a.work_order.pk]), {"tab": "service"})
    assert request.number in panel.content.decode()


def test_r33_the_form_names_the_field_at_fault(client, people, side_b):
    login(client, people.agent)
    response = client.post(
        reverse("returns:create"),
        {"kind": "return", "reason": "quality", "condition": "unopened", "purchase_date": "2026-12-01"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "customer" in form.errors
    response = client.post(
        reverse("returns:create"),
        {
            "kind": "return",
            "reason": "quality",
            "condition": "unopened",
            "customer": side_b.customer.pk,
            "purchase_date": "2026-12-01",
        },
    )
    assert "purchase_date" in response.context["form"].errors  # in the future
    assert not ReturnRequest.objects.exists()


def test_r33_the_page_shows_the_rules_broken_and_the_steps(client, people, draft):
    request = draft(purchase_date=date(2026, 10, 1))
    login(client, people.supervisor)

    page = client.get(reverse("returns:detail", args=[request.pk])).content.decode()

    assert 'data-testid="return-breaches"' in page and "2026-10-01" in page
    assert 'data-testid="return-action-grant_exception"' in page
    assert 'data-testid="return-action-submit"' in page
    assert 'data-testid="return-action-approve"' not in page  # not from a draft


def test_r33_a_step_posted_with_htmx_returns_the_pages_body(client, people, draft):
    request = step(draft(purchase_date=TODAY), "submit", people.agent)
    login(client, people.clerk)
    url = reverse("returns:transition", args=[request.pk, "approve"])

    response = client.post(url, {"note": "同意"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200 and 'id="return-body"' in body and "<html" not in body
    assert 'data-state="approved"' in body and 'data-testid="message-success"' in body
    request.refresh_from_db()
    assert request.state == ReturnState.APPROVED


def test_r33_a_refused_step_is_a_message_not_an_error(client, people, draft):
    request = draft(purchase_date=date(2026, 10, 1))
    login(client, people.agent)

    response = client.post(reverse("returns:transition", args=[request.pk, "submit"]), follow=True)

    assert response.status_code == 200
    assert "Time limit" in response.content.decode()
    request.refresh_from_db()
    assert request.state == ReturnState.DRAFT


def test_r33_a_draft_is_edited_in_place(client, people, draft):
    request = draft()
    login(client, people.agent)
    data = {
        "kind": "exchange",
        "reason": "quality",
        "condition": "used",
        "serial_number": "sn-new-1",
        "purchase_date": "2026-11-10",
        "proof_of_purchase": "FP9",
    }

    client.post(reverse("returns:edit", args=[request.pk]), data)

    request.refresh_from_db()
    assert (request.kind, request.condition, request.serial_number) == ("exchange", "used", "SN-NEW-1")
    assert request.events.filter(action="edit").exists()


def test_r33_the_list_filters_searches_and_exports(client, people, draft, side_b):
    first = run_to(draft(), people, "pickup")
    exchange = draft(kind=ReturnKind.EXCHANGE, work_order=side_b.work_order)
    login(client, people.agent)

    def numbers(**params):
        response = client.get(LIST, params)
        return [row.number for row in response.context["rows"]]

    assert set(numbers()) == {first.number, exchange.number}
    assert numbers(state="picked_up") == [first.number]
    assert numbers(kind="exchange") == [exchange.number]
    assert numbers(customer=side_b.customer.pk) == [exchange.number]
    assert numbers(q="SF1234567890") == [first.number]  # the pickup's tracking number
    assert numbers(q="sn-rb-0001") == [exchange.number]  # the serial number
    assert numbers(q=first.number) == [first.number]
    assert numbers(created_after="2026-11-21") == []
    assert numbers(ordering="number") == sorted([first.number, exchange.number])

    rows = xlsx_rows(client.get(LIST, {"export": "xlsx", "kind": "return"}))
    assert rows[0][0] == "Number"
    assert [row[0] for row in rows[1:]] == [first.number]


def test_r33_overdue_follow_ups_are_listed(client, people, draft):
    late = run_to(draft(), people, "refund")
    run_to(draft(), people, "follow_up")
    from ..timeutil import at, frozen

    with frozen(at(2026, 11, 25, 9, 0)):
        login(client, people.agent)  # days later: a session of today's
        response = client.get(LIST, {"overdue": "true"})
        page = client.get(reverse("returns:detail", args=[late.pk])).content.decode()

    assert [row.number for row in response.context["rows"]] == [late.number]
    assert 'data-testid="return-overdue"' in page


def test_r37_another_dealers_request_is_not_found_on_any_page(client, people, draft, side_a, side_b):
    mine = draft(work_order=side_b.work_order)
    theirs = draft()
    photo = return_photo_add(
        request_id=theirs.pk, actor=people.agent, upload=SimpleUploadedFile("a.png", PNG_BYTES, "image/png")
    )
    login(client, side_b.staff)

    for url in (
        reverse("returns:detail", args=[theirs.pk]),
        reverse("returns:print", args=[theirs.pk]),
        reverse("returns:print", args=[theirs.pk]) + "?format=pdf",
        reverse("returns:photo", args=[photo.uuid]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("returns:transition", args=[theirs.pk, "submit"])).status_code == 404
    assert [row.number for row in client.get(LIST).context["rows"]] == [mine.number]
    assert [row[0] for row in xlsx_rows(client.get(LIST, {"export": "xlsx"}))[1:]] == [mine.number]
    assert client.get(reverse("returns:detail", args=[mine.pk])).status_code == 200
    login(client, side_a.staff)
    assert client.get(reverse("returns:photo", args=[photo.uuid])).status_code == 200


def test_r37_an_engineer_sees_the_requests_of_their_work_orders(client, draft, side_a, side_b):
    mine = draft(work_order=side_a.work_order)
    theirs = draft(work_order=side_b.work_order)
    login(client, side_a.engineer.user)

    assert client.get(reverse("returns:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("returns:detail", args=[theirs.pk])).status_code == 404


def test_r33_the_printed_request_and_its_pdf_are_in_chinese(client, people, draft):
    request = run_to(draft(reason_text="开箱后无法开机，电源指示灯不亮"), people, "refund")
    client.cookies["django_language"] = "zh-hans"
    login(client, people.agent)

    page = client.get(reverse("returns:print", args=[request.pk]))
    pdf = client.get(reverse("returns:print", args=[request.pk]), {"format": "pdf"})

    assert page.status_code == 200 and "开箱后无法开机" in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert request.number in text
    assert "开箱后无法开机" in text and "顺丰速运" in text and request.customer.name in text
    assert "壹仟贰佰捌拾元整" in text  # the refund in words


def test_r33_hq_changes_the_rules_on_their_page(client, people):
    login(client, people.agent)
    assert client.get(reverse("returns:policy")).context["form"] is None
    assert client.post(reverse("returns:policy"), {"return_days": 30}).status_code == 403

    login(client, people.supervisor)
    response = client.post(
        reverse("returns:policy"),
        {
            "return_days": 10,
            "exchange_days": 20,
            "return_conditions": [ItemCondition.UNOPENED],
            "exchange_conditions": [ItemCondition.UNOPENED, ItemCondition.USED],
            "follow_up_days": 2,
        },
    )

    assert response.status_code == 302
    policy = ReturnPolicy.objects.get()
    assert (policy.return_days, policy.exchange_days, policy.proof_required) == (10, 20, False)
    assert policy.return_conditions == ["unopened"] and policy.updated_by == people.supervisor


def test_r33_navigation_shows_returns_to_who_may_see_them(client, people, side_a):
    login(client, people.agent)
    assert 'data-testid="nav-returns"' in client.get("/").content.decode()
    login(client, f.UserFactory(role="parts_clerk", username="p2"))
    assert 'data-testid="nav-returns"' in client.get("/").content.decode()


def test_r33_the_list_costs_the_same_whatever_its_rows(client, people, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, people.agent)
    draft()
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _number in range(4):
        run_to(draft(), people, "approve")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)
