"""The request boundary: control characters refused everywhere they can enter, exports that never
evaluate a formula, mail that never blocks a request, and errors logged with a request id while
personal data stays out of the logs (R41)."""

from __future__ import annotations

import io
import logging
import socket
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from aftersales.core.excel import xlsx_bytes
from aftersales.core.logging import mask_personal_data
from aftersales.customers.importing import customers_import
from aftersales.customers.models import Customer
from aftersales.notifications.choices import MessageStatus
from aftersales.notifications.models import Message
from aftersales.notifications.services import outbox_flush
from aftersales.workorders.models import Note, WorkOrder
from tests import factories as f

from ..api.helpers import PNG_BYTES, assert_problem
from ..pages.test_intake import form_data

pytestmark = pytest.mark.django_db

CONTROL = ["A\x00B", "A\x01B", "A\x08B", "A\x0bB", "A\x1fB"]


def refused_page(response, field: str) -> None:
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="input-refused"' in page and f"<code>{field}</code>" in page


# --- control characters -------------------------------------------------------------------------


@pytest.mark.parametrize("text", CONTROL)
def test_r41_api_refuses_control_characters_and_stores_nothing(agent, api_client, text):
    response = api_client(agent).post(
        "/api/customers/", {"name": text, "phone": "13812345678"}, format="json"
    )
    assert_problem(response, 400, field="name", code="control_characters")
    assert not Customer.objects.exists()


def test_r41_api_names_the_nested_field_and_json_keys(agent, api_client):
    order = f.WorkOrderFactory()
    client = api_client(agent)
    nested = client.post(
        "/api/customers/",
        {"name": "甲", "phone": "13812345678", "contacts": [{"name": "x\x02"}]},
        format="json",
    )
    assert_problem(nested, 400, field="contacts[0].name", code="control_characters")
    key = client.post(f"/api/workorders/{order.pk}/accept/", {"no\x03te": "x"}, format="json")
    assert_problem(key, 400, field="no\x03te", code="control_characters")
    assert order.events.count() == 0


@pytest.mark.parametrize("text", CONTROL)
def test_r41_forms_refuse_control_characters(client, agent, text):
    client.force_login(agent)
    response = client.post(
        reverse("customers:create"), {"kind": "company", "name": text, "phone": "13812345678"}
    )
    refused_page(response, "name")
    assert not Customer.objects.exists()


def test_r41_intake_and_note_forms_refuse_control_characters(client, agent):
    customer = f.CustomerFactory()
    client.force_login(agent)
    intake = client.post(
        reverse("workorders:intake"),
        form_data(customer=customer.pk, fault_symptom="打印\x00竖条纹", step="confirm"),
    )
    refused_page(intake, "fault_symptom")
    assert not WorkOrder.objects.exists()
    order = f.WorkOrderFactory()
    note = client.post(reverse("workorders:note_add", args=[order.pk]), {"body": "客户\x1b下午在"})
    refused_page(note, "body")
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/workorders/lookup/customers/?q=a%00b",
        "/workorders/lookup/devices/?serial=a%01b",
        "/workorders/?q=%1f",
        "/customers/?q=a%00",
        "/api/workorders/?search=a%00b",
    ],
)
def test_r41_lookups_and_lists_refuse_control_characters_with_400(client, agent, url):
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 400  # never a 500


def test_r41_upload_names_lose_their_control_characters(client, agent):
    order = f.WorkOrderFactory()
    client.force_login(agent)
    upload = SimpleUploadedFile("故障\x07照片.png", PNG_BYTES, content_type="image/png")
    client.post(reverse("workorders:attachment_add", args=[order.pk]), {"file": upload})
    assert order.attachments.get().original_name == "故障照片.png"


def test_r41_tabs_and_line_breaks_are_ordinary_text(agent, api_client):
    response = api_client(agent).post(
        "/api/customers/",
        {"name": "甲\t乙", "phone": "13812345678", "address": "一\r\n二\n三"},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_r41_imports_refuse_control_characters_row_by_row(clerk):
    """Excel writes a control character as `_x0001_` (ECMA-376); it is read back as one and refused."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户名称", "类型", "电话"])
    sheet.append(["好公司", "企业", "13812340001"])
    sheet.append(["坏_x0001_公司", "企业", "13812340002"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("customers.xlsx", buffer.getvalue())
    report = customers_import(upload=upload, skip_invalid=False, actor=clerk)
    assert report.bad_rows == [3] and report.errors[0].column == "客户名称"
    assert not Customer.objects.exists()


# --- exports ------------------------------------------------------------------------------------


def test_r41_exports_write_formulas_as_literal_text():
    rows = [['=HYPERLINK("http://x","点我")', "+86 138", "-1", "@SUM(A1)", "普通", 42, "-"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="t", headers=list("abcdefg"), rows=rows))).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    for cell in cells[:4]:
        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    assert cells[0].value.startswith("=HYPERLINK")  # the text kept as typed
    assert not cells[4].quotePrefix and cells[5].value == 42


def test_r41_customer_export_survives_a_formula_name(client, clerk):
    f.CustomerFactory(name="=1+1")
    client.force_login(clerk)
    response = client.get(reverse("customers:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix


# --- mail never blocks a request ----------------------------------------------------------------


class StalledSmtpServer:
    """Accepts connections and never says a word, like a wedged mail relay."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.socket.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        for conn in self.connections:
            conn.close()
        self.socket.close()


@pytest.fixture
def stalled_smtp(settings):
    server = StalledSmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 1
    settings.OUTBOX_SEND_ON_COMMIT = False  # the embedded mode (no broker), as `make demo` runs
    yield server
    server.close()


def test_r3_a_stalled_mail_server_never_touches_the_request(client, agent, stalled_smtp):
    order = f.WorkOrderFactory(customer=f.CustomerFactory(email="kehu@example.cn"))
    client.force_login(agent)
    response = client.post(
        reverse("workorders:transition", args=[order.pk, "accept"]), {"version": order.version}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "accepted"
    assert stalled_smtp.connections == []  # the request never spoke to the mail server
    email = Message.objects.get(channel="email")
    assert email.status == MessageStatus.PENDING

    outbox_flush()  # the job process: fails after EMAIL_TIMEOUT and keeps the message for a retry

    email.refresh_from_db()
    assert len(stalled_smtp.connections) == 1
    assert (email.status, email.attempts) == (MessageStatus.FAILED, 1)
    assert "timed out" in email.last_error


# --- errors and logs ----------------------------------------------------------------------------


def test_r41_masking_covers_phones_and_addresses_of_mail():
    text = "call 13812345678 or +86 139 0000 1234? +8613700001111, 021-62345678; li.na@example.cn"
    masked = mask_personal_data(text)
    assert "138****5678" in masked and "+8613700001111" not in masked and "137****1111" in masked
    assert "021****5678" in masked and "l***@example.cn" in masked
    for secret in ("13812345678", "62345678", "li.na@"):
        assert secret not in masked


@pytest.fixture
def broken_view(settings):
    """A page that fails (a bug), mounted for this test only."""
    from django.urls import clear_url_caches, path

    from aftersales.config import urls

    def explode(request):
        raise RuntimeError(f"boom for 13812345678 at {connection.vendor}")

    extra = [path("__boom__/", explode), path("api/__boom__/", explode)]
    urls.urlpatterns[:0] = extra
    clear_url_caches()
    yield
    del urls.urlpatterns[: len(extra)]
    clear_url_caches()


def test_unhandled_error_is_logged_with_traceback_and_request_id_shown_to_the_user(
    client, agent, broken_view, caplog
):
    client.raise_request_exception = False
    client.force_login(agent)
    request_logger = logging.getLogger("django.request")  # does not propagate: its own handler
    request_logger.addHandler(caplog.handler)
    try:
        page = client.get("/__boom__/")
        api = client.get("/api/__boom__/")
    finally:
        request_logger.removeHandler(caplog.handler)
    assert page.status_code == 500 and api.status_code == 500
    request_id = page["X-Request-ID"]
    assert f'<code data-testid="request-id">{request_id}</code>' in page.content.decode()
    body = api.json()
    assert body["errors"][0]["code"] == "server_error" and api["X-Request-ID"] in body["errors"][0]["message"]
    record = next(r for r in caplog.records if r.exc_info and "__boom__" in r.getMessage())
    assert record.request_id == request_id
    handler = logging.getLogger("aftersales").handlers[0]
    formatted = handler.format(record)
    assert "RuntimeError: boom" in formatted and request_id in formatted  # traceback and id
    assert "13812345678" not in formatted and "138****5678" in formatted


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(client, agent):
    client.force_login(agent)
    assert client.get("/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")["X-Request-ID"] == "lb-0123456789abcdef"
    assert client.get("/", HTTP_X_REQUEST_ID="x\nFAKE LOG LINE")["X-Request-ID"] != "x\nFAKE LOG LINE"


def test_r41_the_log_canary_check_finds_a_leak(tmp_path):
    """The check run on the whole suite's logs when it ends (tests/conftest.py) can fail."""
    from tests.conftest import personal_data_in_logs

    (tmp_path / "gw0.log").write_text("INFO x [-] sent to 138****0001\nINFO x [-] ok\n", encoding="utf-8")
    assert personal_data_in_logs(tmp_path) == []
    (tmp_path / "gw1.log").write_text(
        f"INFO x [-] {f.CANARY_CONTACT} called\nINFO 13900001111\n", encoding="utf-8"
    )
    assert len(personal_data_in_logs(tmp_path)) == 2
