"""The Excel imports through the API, as their pages run them: customers, devices, parts, a price
list's prices and the official holiday schedule's template. Multipart upload with the page's "skip
bad rows"; the page's role gate; the counts and the row errors of its report; the page's refusals
(`invalid_type`, `too_large`, `import_file_invalid`, `import_row_invalid`); the empty templates."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.catalog.importing import PART_HEADERS, PRICE_HEADERS
from aftersales.catalog.models import Part
from aftersales.catalog.services import price_list_create
from aftersales.core import import_views
from aftersales.customers.importing import CUSTOMER_HEADERS
from aftersales.customers.models import Customer
from aftersales.devices.importing import DEVICE_HEADERS
from aftersales.devices.models import Device
from aftersales.sla.importing import HEADERS as OFFICIAL_HEADERS
from tests import factories as f
from tests.reference.test_importing import GOOD_CUSTOMERS, xlsx
from tests.timeutil import at, frozen

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

BAD_PHONE = ["坏电话公司", "企业", "12345", "", "", "", "", "", ""]


def post(client, url, upload, **data):
    return client.post(url, {"file": upload, **data}, format="multipart")


def headers_of(response) -> list[str]:
    sheet = load_workbook(BytesIO(response.content)).active
    return [cell.value for cell in next(sheet.iter_rows(max_row=1))]


# --- customers ------------------------------------------------------------------------------------


def test_customers_import_all_rows(api_client, clerk):
    response = post(api_client(clerk), "/api/customers/import/", xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS))

    assert response.status_code == 201, response.content
    assert response.json() == {"rows": 3, "imported": 3, "skipped_rows": [], "errors": []}
    assert Customer.objects.count() == 3


def test_a_bad_row_imports_nothing_and_is_named(api_client, clerk):
    upload = xlsx(CUSTOMER_HEADERS[:9], [*GOOD_CUSTOMERS, BAD_PHONE])

    body = assert_problem(
        post(api_client(clerk), "/api/customers/import/", upload),
        400,
        field="rows[5].电话",
        code="import_row_invalid",
    )

    assert body["title"] == "Nothing was imported."
    assert not Customer.objects.exists()


def test_skipping_bad_rows_imports_the_good_ones_and_lists_the_skipped(api_client, clerk):
    upload = xlsx(CUSTOMER_HEADERS[:9], [*GOOD_CUSTOMERS, BAD_PHONE])

    response = post(api_client(clerk), "/api/customers/import/", upload, skip_invalid="true")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows"], body["imported"], body["skipped_rows"]) == (4, 3, [5])
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(5, "电话")]
    assert Customer.objects.count() == 3


def test_every_row_bad_even_skipping_is_a_problem(api_client, clerk):
    upload = xlsx(CUSTOMER_HEADERS[:9], [BAD_PHONE])

    assert_problem(
        post(api_client(clerk), "/api/customers/import/", upload, skip_invalid="true"),
        400,
        field="rows[2].电话",
        code="import_row_invalid",
    )


@pytest.mark.parametrize(
    "upload, field, code",
    [
        (SimpleUploadedFile("customers.csv", b"a,b\n"), "file", "invalid_type"),
        (SimpleUploadedFile("customers.xlsx", b"not a workbook"), "file", "import_file_invalid"),
        (xlsx(["客户名称"], [["某公司"]]), "rows[1]", "import_file_invalid"),  # no phone column
        (xlsx(CUSTOMER_HEADERS, []), "file", "import_file_invalid"),  # no rows
    ],
)
def test_unreadable_files_are_refused_with_the_pages_codes(api_client, clerk, upload, field, code):
    assert_problem(post(api_client(clerk), "/api/customers/import/", upload), 400, field=field, code=code)


def test_a_file_too_large_is_refused(api_client, clerk, monkeypatch):
    monkeypatch.setattr(import_views, "IMPORT_MAX_BYTES", 10)
    upload = xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS)

    assert_problem(
        post(api_client(clerk), "/api/customers/import/", upload), 400, field="file", code="too_large"
    )


def test_input_errors_name_their_field(api_client, clerk):
    client = api_client(clerk)
    assert_problem(
        client.post("/api/customers/import/", {}, format="multipart"), 400, field="file", code="required"
    )
    upload = xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS)
    assert_problem(
        post(client, "/api/customers/import/", upload, skip_invalid="maybe"), 400, field="skip_invalid"
    )
    upload = xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS)
    assert_problem(
        post(client, "/api/customers/import/", upload, other="x"), 400, field="other", code="unknown_field"
    )


def test_only_the_pages_roles_import_customers_and_get_the_template(api_client, world, make_user):
    for user in (world.staff_a, make_user(Role.FINANCE, username="fin")):
        client = api_client(user)
        upload = xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS)
        assert_problem(post(client, "/api/customers/import/", upload), 403, code="permission_denied")
        assert_problem(client.get("/api/customers/import/template/"), 403, code="permission_denied")
    assert not Customer.objects.filter(name="王伟").exists()


def test_the_customers_template(api_client, clerk):
    response = api_client(clerk).get("/api/customers/import/template/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="customers-template.xlsx"' in response["Content-Disposition"]
    assert headers_of(response) == CUSTOMER_HEADERS


# --- devices --------------------------------------------------------------------------------------


def test_devices_import_and_template(api_client, agent):
    f.ProductModelFactory(code="LP-2200")
    f.CustomerFactory(code="C0001", name="上海华瑞科技有限公司")
    rows = [["LP-2200", "SN-001", "C0001", "", "2025-03-01", ""], ["XX-1", "SN-002", "C0001", "", "", ""]]
    client = api_client(agent)

    refused = post(client, "/api/devices/import/", xlsx(DEVICE_HEADERS, rows))
    response = post(client, "/api/devices/import/", xlsx(DEVICE_HEADERS, rows), skip_invalid="true")

    assert_problem(refused, 400, field="rows[3].产品型号", code="import_row_invalid")
    assert response.status_code == 201, response.content
    assert (response.json()["imported"], response.json()["skipped_rows"]) == (1, [3])
    assert list(Device.objects.values_list("serial_number", flat=True)) == ["SN-001"]
    assert headers_of(client.get("/api/devices/import/template/")) == DEVICE_HEADERS


def test_dealer_staff_may_not_import_devices(api_client, world):
    upload = xlsx(DEVICE_HEADERS, [["LP-2200", "SN-001", "C0001", "", "", ""]])
    assert_problem(
        post(api_client(world.staff_a), "/api/devices/import/", upload), 403, code="permission_denied"
    )


# --- parts ----------------------------------------------------------------------------------------

PARTS = [["FU-2200-A", "定影组件", "易损件", "个", "LP-2200", "是", "是", "", ""]]


def test_parts_import_for_the_catalogs_keepers(api_client, supervisor):
    f.ProductModelFactory(code="LP-2200")
    client = api_client(supervisor)

    response = post(client, "/api/parts/import/", xlsx(PART_HEADERS, PARTS))
    bad = post(
        client, "/api/parts/import/", xlsx(PART_HEADERS, [["FU-1", "x", "", "", "LP-9999", "", "", "", ""]])
    )

    assert response.status_code == 201, response.content
    assert response.json()["imported"] == 1
    assert Part.objects.get(number="FU-2200-A").fits.get().code == "LP-2200"
    assert_problem(bad, 400, field="rows[2].适用型号", code="import_row_invalid")
    assert headers_of(client.get("/api/parts/import/template/")) == PART_HEADERS


def test_readers_of_the_catalog_may_not_import_parts(api_client, agent):
    client = api_client(agent)
    assert_problem(
        post(client, "/api/parts/import/", xlsx(PART_HEADERS, PARTS)), 403, code="permission_denied"
    )
    assert_problem(client.get("/api/parts/import/template/"), 403, code="permission_denied")


# --- a price list's prices ------------------------------------------------------------------------


@pytest.fixture
def price_list(db):
    f.PartFactory(number="FU-2200")
    return price_list_create(name="2026 下半年价目表", effective_from=date(2026, 6, 1))


def test_a_price_lists_prices_import(api_client, supervisor, price_list):
    client = api_client(supervisor)
    url = f"/api/price-lists/{price_list.pk}/import/"
    with frozen(at(2026, 5, 1, 9)):
        response = post(client, url, xlsx(PRICE_HEADERS, [["FU-2200", "", "260", "380"]]))
        unknown = post(client, url, xlsx(PRICE_HEADERS, [["XX-9", "", "1", "2"]]))

    assert response.status_code == 201, response.content
    assert response.json()["imported"] == 1
    assert price_list.items.get().retail_price == 380
    assert_problem(unknown, 400, field="rows[2].配件编号", code="import_row_invalid")
    assert headers_of(client.get("/api/price-lists/import/template/")) == PRICE_HEADERS


def test_a_price_list_in_effect_is_not_imported_into(api_client, supervisor, price_list):
    with frozen(at(2026, 7, 1, 9)):
        response = post(
            api_client(supervisor),
            f"/api/price-lists/{price_list.pk}/import/",
            xlsx(PRICE_HEADERS, [["FU-2200", "", "260", "380"]]),
        )
    assert_problem(response, 400, field="file", code="import_file_invalid")


def test_price_list_import_gate_and_unknown_list(api_client, supervisor, agent, price_list):
    upload = xlsx(PRICE_HEADERS, [["FU-2200", "", "260", "380"]])
    assert_problem(
        post(api_client(agent), f"/api/price-lists/{price_list.pk}/import/", upload),
        403,
        code="permission_denied",
    )
    assert_problem(api_client(agent).get("/api/price-lists/import/template/"), 403, code="permission_denied")
    assert_problem(
        post(api_client(supervisor), "/api/price-lists/999999/import/", upload), 404, code="not_found"
    )


# --- the official holiday schedule's template -------------------------------------------------------


def test_the_official_schedules_template_for_hq_admins(api_client, make_user, agent):
    admin = make_user(Role.HQ_ADMIN, username="admin")

    response = api_client(admin).get("/api/official-days/import/template/")

    assert response.status_code == 200
    assert headers_of(response) == list(OFFICIAL_HEADERS)
    assert_problem(
        api_client(agent).get("/api/official-days/import/template/"), 403, code="permission_denied"
    )
