"""Personal data revealed on purpose only (R41, PIPL): the reveal with a reason, logged and
rate-limited (page and API); the access log the compliance role audits (page, Excel, API); the
logs never hold phones, e-mails or ID-card numbers; files addressed by random keys, never by
sequential ids (R37 scoping kept)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.logging import MaskingFormatter, mask_personal_data
from aftersales.core.models import AccessLog
from aftersales.workorders import services as workorder_services
from aftersales.workorders.choices import State

from .. import factories as f
from ..api.helpers import PNG_BYTES, assert_problem

pytestmark = pytest.mark.django_db

REVEAL = "/api/privacy/reveal/"
ACCESS_LOG = "/api/privacy/access-log/"
MOMENT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def closed_order(world):
    """Closed work: masked for every role, so its numbers are revealed on purpose."""
    return f.WorkOrderFactory(service_point=world.point_a, state=State.CLOSED, contact_phone="+8613912345678")


def reveal(client, order, **data):
    payload = {
        "resource": "workorder",
        "object_id": str(order.pk),
        "field": "contact_phone",
        "reason": "on_site",
    }
    return client.post(REVEAL, {**payload, **data}, format="json")


# --- reveal -------------------------------------------------------------------------------------


def test_r41_reveal_through_the_api_gives_the_value_and_logs_who_what_when_why_where(
    agent, api_client, closed_order
):
    with time_machine.travel(MOMENT, tick=False):
        response = reveal(api_client(agent), closed_order, reason="other", reason_text="客户要求回电")
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "13912345678"
    log = AccessLog.objects.get(action=AccessLog.Action.REVEAL)
    assert (log.actor, log.resource, log.object_id, log.field) == (
        agent,
        "workorder",
        str(closed_order.pk),
        "contact_phone",
    )
    assert (log.reason, log.reason_text, log.ip_address, log.created_at) == (
        "other",
        "客户要求回电",
        "127.0.0.1",
        MOMENT,
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"reason": ""}, "reason"),
        ({"reason": "curious"}, "reason"),
        ({"reason": "other", "reason_text": " "}, "reason_text"),
        ({"field": "fault_symptom"}, "field"),
        ({"resource": "invoice"}, "field"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_r41_a_reveal_without_a_valid_reason_or_field_is_400_and_logs_nothing(
    agent, api_client, closed_order, data, field
):
    assert_problem(reveal(api_client(agent), closed_order, **data), 400, field=field)
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL).exists()


def test_r37_r41_a_record_outside_the_scope_is_404_and_not_logged(api_client, world):
    theirs = f.WorkOrderFactory(service_point=world.point_b)
    assert_problem(reveal(api_client(world.staff_a), theirs), 404)
    assert_problem(reveal(api_client(world.staff_a), theirs, object_id="abc"), 404)
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL).exists()


def test_r41_reveals_are_limited_per_user_per_hour_429_then_the_window_resets(
    agent, clerk, api_client, closed_order, settings
):
    settings.PRIVACY_REVEALS_PER_HOUR = 3
    with time_machine.travel(MOMENT, tick=False) as clock:
        for _ in range(3):
            assert reveal(api_client(agent), closed_order).status_code == 200
        body = assert_problem(reveal(api_client(agent), closed_order), 429, code="reveal_limit")
        assert "3 values an hour" in body["title"]
        assert reveal(api_client(clerk), closed_order).status_code == 200  # per user
        clock.shift(timedelta(minutes=59))
        assert_problem(reveal(api_client(agent), closed_order), 429)
        clock.shift(timedelta(minutes=1, seconds=1))
        assert reveal(api_client(agent), closed_order).status_code == 200
    assert AccessLog.objects.filter(actor=agent, action=AccessLog.Action.REVEAL).count() == 4


def test_r41_the_page_reveals_in_place_after_a_reason_and_shows_the_limit(
    client, agent, closed_order, settings
):
    settings.PRIVACY_REVEALS_PER_HOUR = 1
    client.force_login(agent)
    page = client.get(reverse("workorders:detail", args=[closed_order.pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    button = page.split('data-testid="reveal"')[0].rsplit("hx-get=", 1)[1]
    form_url = button.split('"')[1].replace("&amp;", "&")
    form = client.get(form_url).content.decode()
    assert 'data-testid="reveal-form"' in form and 'name="reason"' in form and "13912345678" not in form
    fields = {"resource": "workorder", "object_id": closed_order.pk, "field": "contact_phone"}
    refused = client.post(reverse("privacy_reveal"), {**fields, "reason": ""})
    assert refused.status_code == 400 and 'data-testid="reveal-error"' in refused.content.decode()
    shown = client.post(reverse("privacy_reveal"), {**fields, "reason": "identity"})
    assert shown.status_code == 200 and 'data-testid="revealed">13912345678<' in shown.content.decode()
    limited = client.post(reverse("privacy_reveal"), {**fields, "reason": "identity"})
    assert limited.status_code == 429 and "1 value an hour" in limited.content.decode()
    assert "<script" not in form + limited.content.decode()  # no inline script (CSP)


def test_r41_customer_contact_and_address_reveal(agent, api_client):
    customer = f.CustomerFactory(
        phone="+8613812341234", province="广东省", city="深圳市", address="金雀路 1 号"
    )
    contact = f.ContactFactory(customer=customer, phone="+8613900001111")
    client = api_client(agent)
    data = {"reason": "return_visit"}
    assert (
        client.post(
            REVEAL, {"resource": "customer", "object_id": customer.pk, "field": "address", **data}
        ).json()["value"]
        == "广东省 深圳市 金雀路 1 号"
    )
    assert (
        client.post(
            REVEAL, {"resource": "contact", "object_id": contact.pk, "field": "phone", **data}
        ).json()["value"]
        == "13900001111"
    )


# --- the access log -----------------------------------------------------------------------------


@pytest.fixture
def logged(agent, clerk, closed_order, api_client):
    """Two reveals on different days and an export."""
    with time_machine.travel(MOMENT, tick=False):
        reveal(api_client(agent), closed_order, reason="identity")
    with time_machine.travel(MOMENT + timedelta(days=3), tick=False):
        reveal(api_client(clerk), closed_order, reason="on_site")
        AccessLog.objects.create(actor=clerk, action=AccessLog.Action.EXPORT, resource="workorders")
    return AccessLog.objects.all()


@pytest.mark.parametrize("role", [Role.QUALITY, Role.HQ_ADMIN])
def test_r41_compliance_reads_the_access_log_api_with_filters(api_client, make_user, logged, agent, role):
    client = api_client(make_user(role, username="auditor"))
    assert client.get(ACCESS_LOG).json()["count"] == 3
    rows = client.get(ACCESS_LOG, {"action": "reveal", "actor": agent.pk}).json()["results"]
    assert [(r["actor_name"], r["reason"], r["field"]) for r in rows] == [
        (agent.display_name, "identity", "contact_phone")
    ]
    assert client.get(ACCESS_LOG, {"reason": "on_site"}).json()["count"] == 1
    assert client.get(ACCESS_LOG, {"resource": "workorder"}).json()["count"] == 3  # starts with
    assert client.get(ACCESS_LOG, {"created_after": "2026-11-25"}).json()["count"] == 2
    assert client.get(ACCESS_LOG, {"created_before": "2026-11-24"}).json()["count"] == 1
    oldest_first = client.get(ACCESS_LOG, {"ordering": "created_at"}).json()["results"]
    assert oldest_first[0]["reason"] == "identity"
    assert_problem(client.get(ACCESS_LOG, {"action": "peek"}), 400, field="action")


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.FINANCE])
def test_r41_r37_others_may_not_read_the_access_log(api_client, client, make_user, logged, role):
    user = make_user(role, username="nosy")
    assert_problem(api_client(user).get(ACCESS_LOG), 403)
    client.force_login(user)
    assert client.get(reverse("privacy_access_log")).status_code == 403


def test_r41_access_log_page_filters_sorts_pages_and_exports_logged(client, make_user, logged, agent):
    quality = make_user(Role.QUALITY, username="quality")
    client.force_login(quality)
    page = client.get(reverse("privacy_access_log"), {"action": "reveal", "ordering": "-created_at"})
    assert page.status_code == 200
    assert [row.reason for row in page.context["rows"]] == ["on_site", "identity"]
    response = client.get(reverse("privacy_access_log"), {"export": "xlsx", "reason": "identity"})
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 2 and agent.display_name in rows[1]
    assert AccessLog.objects.filter(actor=quality, action="export", resource="access-log").exists()


def test_r41_privacy_endpoints_are_in_the_schema(agent, api_client):
    paths = api_client(agent).get("/api/schema/?format=json").json()["paths"]
    assert "429" in paths[REVEAL]["post"]["responses"]
    assert {"actor", "action", "reason", "created_after"} <= {
        parameter["name"] for parameter in paths[ACCESS_LOG]["get"]["parameters"]
    }


# --- logs ---------------------------------------------------------------------------------------


def test_r41_logs_mask_phones_emails_and_id_cards_in_messages_and_exception_text():
    formatter = MaskingFormatter("%(levelname)s [%(request_id)s] %(message)s")
    try:
        raise ValueError("客户 13812345678 身份证 11010119900307123X 邮箱 lina@example.cn")
    except ValueError:
        record = logging.LogRecord(
            "aftersales",
            logging.ERROR,
            __file__,
            1,
            "lookup %s failed (%s)",
            ("+8613700001111", "110101900307123"),
            True,
        )
        import sys

        record.exc_info = sys.exc_info()
    written = formatter.format(record)
    for secret in ("13812345678", "13700001111", "11010119900307123X", "110101900307123", "lina@example.cn"):
        assert secret not in written
    assert "110101***********X" in written and "138****5678" in written and "l***@example.cn" in written
    assert (
        mask_personal_data("工单 WO202611220001 序列号 SN20261122000123")
        == "工单 WO202611220001 序列号 SN20261122000123"
    )


# --- files --------------------------------------------------------------------------------------


def test_r41_r37_attachment_urls_use_random_keys_a_sequential_id_is_404(client, agent, world):
    order = f.WorkOrderFactory(service_point=world.point_a)
    attachment = workorder_services.attachment_add(
        work_order=order, actor=agent, upload=SimpleUploadedFile("a.png", PNG_BYTES, content_type="image/png")
    )
    client.force_login(agent)
    documents = client.get(
        reverse("workorders:detail", args=[order.pk]), {"tab": "documents"}
    ).content.decode()
    assert f"/workorders/files/{attachment.uuid}/" in documents
    assert client.get(f"/workorders/files/{attachment.uuid}/").status_code == 200
    assert client.get(f"/workorders/files/{attachment.pk}/").status_code == 404
    assert client.get(f"/workorders/{order.pk}/attachments/{attachment.pk}/").status_code == 404
    client.force_login(world.staff_b)  # another dealer: the key alone opens nothing
    assert client.get(f"/workorders/files/{attachment.uuid}/").status_code == 404
