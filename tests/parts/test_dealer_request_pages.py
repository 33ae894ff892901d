"""Part request pages (R28, R37): the list with its filters and Excel, a new draft, the lines edited
in place (HTMX), the buttons each person gets, HQ's confirmation form, the printed request and its
PDF in Chinese; another dealer's request is "not found" everywhere."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.parts.choices import PartRequestState
from aftersales.parts.models import PartRequest

from .dealer_world import SHIP_DATE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
S = PartRequestState


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_r28_a_dealers_staff_draw_up_a_request_and_edit_its_lines_in_place(dealers, as_user):
    client = as_user(dealers.world.staff_a)
    page = client.get(reverse("parts:part_request_create"))
    assert page.status_code == 200
    # only the dealer's own service points are offered
    assert dealers.world.point_a.name in page.content.decode()
    assert dealers.world.point_b.name not in page.content.decode()

    created = client.post(
        reverse("parts:part_request_create"),
        {"service_point": dealers.world.point_a.pk, "note": "急需", "part": dealers.part.pk, "quantity": 2},
    )
    pr = PartRequest.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "parts:part_request_detail", args=[pr.pk]
    )

    # HTMX: add a part, change a quantity, remove a line; the partial comes back each time
    added = client.post(
        reverse("parts:part_request_line_add", args=[pr.pk]),
        {"part": dealers.other_part.pk, "quantity": 4},
        **HTMX,
    )
    assert added.status_code == 200 and 'id="request-lines"' in added.content.decode()
    assert "<html" not in added.content.decode()
    line = pr.lines.get(part=dealers.other_part)
    client.post(reverse("parts:part_request_line_update", args=[line.pk]), {"quantity": 6}, **HTMX)
    line.refresh_from_db()
    assert line.quantity == 6
    client.post(reverse("parts:part_request_line_remove", args=[line.pk]), **HTMX)
    assert list(pr.lines.values_list("part__number", "quantity")) == [("FU-3600", 2)]

    # a bad quantity comes back as a message on the form, nothing saved
    refused = client.post(
        reverse("parts:part_request_line_add", args=[pr.pk]), {"part": dealers.part.pk, "quantity": 0}, **HTMX
    )
    assert refused.status_code == 200 and pr.lines.get().quantity == 2

    detail = client.get(reverse("parts:part_request_detail", args=[pr.pk])).content.decode()
    assert 'data-testid="request-action-submit"' in detail and 'data-testid="request-action-cancel"' in detail
    assert 'data-testid="request-confirm"' not in detail  # HQ confirms, not the dealer


def test_r28_each_person_gets_the_buttons_of_their_step_and_hq_confirms_on_the_page(dealers, as_user):
    pr = dealers.advance(dealers.draft(), S.SUBMITTED)
    client = as_user(dealers.clerk)
    detail = client.get(reverse("parts:part_request_detail", args=[pr.pk])).content.decode()
    assert 'data-testid="request-confirm-form"' in detail and 'data-testid="request-action-reject"' in detail
    assert 'data-testid="request-action-submit"' not in detail

    line = pr.lines.get()
    done = client.post(
        reverse("parts:part_request_confirm", args=[pr.pk]),
        {"expected_ship_date": "2026-12-20", f"quantity_{line.pk}": "", f"unit_cost_{line.pk}": "110.00"},
    )
    assert done.status_code == 302
    pr.refresh_from_db()
    assert pr.state == S.CONFIRMED and str(pr.total) == "220.00" and pr.expected_ship_date == SHIP_DATE

    # the dealer accepts from a button; a refused step (finance's) is a message, not a 500
    staff = as_user(dealers.world.staff_a)
    staff.post(reverse("parts:part_request_transition", args=[pr.pk, "accept"]))
    refused = staff.post(reverse("parts:part_request_transition", args=[pr.pk, "debit"]), follow=True)
    assert refused.status_code == 200
    pr.refresh_from_db()
    assert pr.state == S.ACCEPTED


def test_r28_the_confirmation_without_a_ship_date_is_refused_with_a_message(dealers, as_user):
    pr = dealers.advance(dealers.draft(), S.SUBMITTED)
    page = as_user(dealers.clerk).post(reverse("parts:part_request_confirm", args=[pr.pk]), {}, follow=True)
    assert "estimated ship date" in page.content.decode()
    pr.refresh_from_db()
    assert pr.state == S.SUBMITTED


def test_r28_the_history_shows_every_step_on_the_page(dealers, as_user):
    pr = dealers.advance(dealers.draft(), S.RECEIVED)
    page = (
        as_user(dealers.world.staff_a)
        .get(reverse("parts:part_request_detail", args=[pr.pk]))
        .content.decode()
    )
    for action in ("submit", "confirm", "accept", "debit", "ship", "receive"):
        assert f'data-action="{action}"' in page
    assert "SF1234567890" in page


def test_r28_the_list_filters_searches_sorts_and_exports(dealers, as_user):
    submitted = dealers.advance(dealers.draft(), S.SUBMITTED)
    draft = dealers.draft(lines=[(dealers.other_part, 1)])
    other = dealers.draft(staff=dealers.world.staff_b)
    client = as_user(dealers.clerk)
    url = reverse("parts:part_request_list")
    page = client.get(url, {"state": "submitted"}).content.decode()
    assert submitted.number in page and draft.number not in page
    page = client.get(url, {"q": "PR-100"}).content.decode()  # by part number
    assert draft.number in page and submitted.number not in page
    page = client.get(url, {"dealer": dealers.world.dealer_b.pk, "ordering": "-number"}).content.decode()
    assert other.number in page and draft.number not in page
    export = client.get(url, {"export": "xlsx", "state": "draft"})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == {draft.number, other.number}


def test_r37_a_dealers_staff_never_see_another_dealers_request(dealers, as_user):
    # given a request of dealer A
    pr = dealers.advance(dealers.draft(), S.SUBMITTED)
    mine = dealers.draft(staff=dealers.world.staff_b)
    client = as_user(dealers.world.staff_b)
    # then dealer B's staff get 404 on its page, print view, PDF, lines and buttons
    for url in (
        reverse("parts:part_request_detail", args=[pr.pk]),
        reverse("parts:part_request_print", args=[pr.pk]),
        reverse("parts:part_request_print", args=[pr.pk]) + "?format=pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("parts:part_request_transition", args=[pr.pk, "cancel"])).status_code == 404
    assert (
        client.post(
            reverse("parts:part_request_line_update", args=[pr.lines.get().pk]), {"quantity": 1}
        ).status_code
        == 404
    )
    # and their list and its export hold their own only
    page = client.get(reverse("parts:part_request_list")).content.decode()
    assert mine.number in page and pr.number not in page
    export = client.get(reverse("parts:part_request_list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [mine.number]


def test_r37_roles_outside_the_dealer_network_do_not_read_requests(dealers, as_user, make_user):
    from aftersales.accounts.choices import Role

    engineer = as_user(make_user(Role.ENGINEER, username="eng_x"))
    assert engineer.get(reverse("parts:part_request_list")).status_code == 403
    assert engineer.get(reverse("parts:part_request_create")).status_code == 403


def test_r28_the_printed_request_and_its_pdf_in_chinese(dealers, client):
    from django.conf import settings

    pr = dealers.advance(dealers.draft(), S.SHIPPED)
    client.force_login(dealers.world.staff_a)
    page = client.get(reverse("parts:part_request_print", args=[pr.pk])).content.decode()
    assert pr.number in page and "定影组件" in page and "¥240.00" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    pdf = client.get(reverse("parts:part_request_print", args=[pr.pk]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert pr.number in text and "定影组件" in text and "顺丰速运" in text
    assert "贰佰肆拾元整" in text and dealers.world.dealer_a.name in text


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_r28_the_lists_cost_the_same_queries_for_more_rows(dealers, as_user):
    from aftersales.parts.services.dealer_accounts import payment_record

    client = as_user(dealers.finance)
    requests_url, ledger_url = (
        reverse("parts:part_request_list"),
        reverse("parts:account_detail", args=[dealers.world.dealer_a.pk]),
    )
    dealers.advance(dealers.draft(), S.DEBITED)
    payment_record(dealer=dealers.world.dealer_a, amount="10.00", actor=dealers.finance)
    _queries(client, ledger_url)  # the content types are cached from then on
    few = (
        _queries(client, requests_url),
        _queries(client, ledger_url),
        _queries(client, reverse("parts:account_list")),
    )
    for _ in range(3):
        dealers.advance(dealers.draft(quantity=1), S.DEBITED)
        dealers.draft(staff=dealers.world.staff_b)
        payment_record(dealer=dealers.world.dealer_a, amount="10.00", actor=dealers.finance)
    from .. import factories as f

    f.DealerFactory()
    more = (
        _queries(client, requests_url),
        _queries(client, ledger_url),
        _queries(client, reverse("parts:account_list")),
    )
    assert more == few
