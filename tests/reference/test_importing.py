"""Excel import of customers and devices: all or nothing, row-by-row report, skip bad rows (R37)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from aftersales.accounts.choices import Role
from aftersales.customers.importing import CUSTOMER_HEADERS, customers_import
from aftersales.customers.models import Contact, Customer
from aftersales.devices.importing import DEVICE_HEADERS, devices_import
from aftersales.devices.models import Device

from .. import factories as f


def xlsx(headers, rows, name="upload.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


GOOD_CUSTOMERS = [
    [
        "上海华瑞科技有限公司",
        "企业",
        "13812340001",
        "it@huarui.cn",
        "上海市",
        "上海市",
        "浦东新区",
        "张江路 1 号",
        "李娜",
    ],
    ["王伟", "个人", 13812340002, "", "浙江省", "杭州市", "西湖区", "文三路 2 号", ""],
    ["南京恒信贸易有限公司", "", "025-83301234", "", "江苏省", "南京市", "鼓楼区", "中山北路 3 号", "赵强"],
]


@pytest.fixture
def clerk_user(make_user):
    return make_user(Role.CLERK, username="clerk_imp")


def test_r37_customer_import_valid_file_imports_all(clerk_user):
    report = customers_import(
        upload=xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS), skip_invalid=False, actor=clerk_user
    )
    assert report.ok and report.imported == 3 and report.total_rows == 3
    wang = Customer.objects.get(name="王伟")
    assert wang.kind == "individual" and wang.phone == "+8613812340002"
    assert Customer.objects.get(name="南京恒信贸易有限公司").phone == "+862583301234"
    assert Contact.objects.filter(name="李娜", is_primary=True).exists()


@pytest.mark.parametrize(
    "bad_row, column",
    [
        (["坏电话公司", "企业", "12345", "", "", "", "", "", ""], "电话"),
        (["", "企业", "13812340009", "", "", "", "", "", ""], "客户名称"),
        (["类型错误公司", "机构", "13812340009", "", "", "", "", "", ""], "类型"),
        (["邮箱错误公司", "企业", "13812340009", "not-an-email", "", "", "", "", ""], "邮箱"),
        (GOOD_CUSTOMERS[0], "客户名称"),  # duplicate of row 2 in the file
    ],
)
def test_r37_customer_import_one_bad_row_imports_nothing(clerk_user, bad_row, column):
    upload = xlsx(CUSTOMER_HEADERS[:9], [*GOOD_CUSTOMERS, bad_row])
    report = customers_import(upload=upload, skip_invalid=False, actor=clerk_user)
    assert report.imported == 0
    assert not Customer.objects.exists()
    assert [(e.row, e.column) for e in report.errors] == [(5, column)]


def test_r37_customer_import_duplicate_of_existing_customer(clerk_user):
    f.CustomerFactory(name="王伟", phone="+8613812340002")
    report = customers_import(
        upload=xlsx(CUSTOMER_HEADERS[:9], GOOD_CUSTOMERS), skip_invalid=False, actor=clerk_user
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "客户名称")]
    assert Customer.objects.count() == 1


def test_r37_customer_import_skip_bad_rows_imports_the_rest(clerk_user):
    rows = [GOOD_CUSTOMERS[0], ["坏电话公司", "企业", "12345"], GOOD_CUSTOMERS[1]]
    report = customers_import(
        upload=xlsx(CUSTOMER_HEADERS[:3], [r[:3] for r in rows]), skip_invalid=True, actor=clerk_user
    )
    assert report.imported == 2
    assert report.bad_rows == [3]
    assert set(Customer.objects.values_list("name", flat=True)) == {"上海华瑞科技有限公司", "王伟"}


def test_r37_customer_import_missing_columns_and_unreadable_file(clerk_user):
    report = customers_import(
        upload=xlsx(["名称", "手机"], [["a", "b"]]), skip_invalid=False, actor=clerk_user
    )
    assert report.errors[0].row == 1 and "客户名称" in report.errors[0].message
    junk = SimpleUploadedFile("x.xlsx", b"not a workbook")
    report = customers_import(upload=junk, skip_invalid=True, actor=clerk_user)
    assert report.errors and report.imported == 0


@pytest.fixture
def catalog(db):
    model = f.ProductModelFactory(code="LP-2200")
    customer = f.CustomerFactory(code="C0001", name="上海华瑞科技有限公司")
    return model, customer


def test_r37_device_import_valid_file_imports_all(clerk_user, catalog):
    model, customer = catalog
    rows = [
        ["LP-2200", "sn-001", "C0001", "", "2025-03-01", "上海市浦东新区张江路 1 号"],
        ["lp-2200", "SN-002", "", "上海华瑞科技有限公司", "2025/4/2", ""],
    ]
    report = devices_import(upload=xlsx(DEVICE_HEADERS, rows), skip_invalid=False, actor=clerk_user)
    assert report.ok and report.imported == 2
    device = Device.objects.get(serial_number="SN-001")
    assert device.customer == customer and device.product_model == model
    assert str(device.purchase_date) == "2025-03-01"


@pytest.mark.parametrize(
    "bad_row, column",
    [
        (["XX-9999", "SN-009", "C0001", "", "", ""], "产品型号"),  # unknown model
        (["LP-2200", "SN-001", "C0001", "", "", ""], "序列号"),  # duplicate serial in the file
        (["LP-2200", "SN-EXIST", "C0001", "", "", ""], "序列号"),  # duplicate of a device on file
        (["LP-2200", "SN-009", "C9999", "", "", ""], "客户编码"),  # unknown customer
        (["LP-2200", "SN-009", "C0001", "", "明年", ""], "购买日期"),
        (["LP-2200", "", "C0001", "", "", ""], "序列号"),
    ],
)
def test_r37_device_import_one_bad_row_imports_nothing(clerk_user, catalog, bad_row, column):
    model, customer = catalog
    f.DeviceFactory(product_model=model, customer=customer, serial_number="SN-EXIST")
    rows = [["LP-2200", "SN-001", "C0001", "", "", ""], bad_row]
    report = devices_import(upload=xlsx(DEVICE_HEADERS, rows), skip_invalid=False, actor=clerk_user)
    assert report.imported == 0
    assert Device.objects.count() == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]


def test_r37_device_import_same_serial_other_model_is_fine(clerk_user, catalog):
    f.ProductModelFactory(code="MF-3020", product_line=catalog[0].product_line)
    rows = [["LP-2200", "SN-001", "C0001", "", "", ""], ["MF-3020", "SN-001", "C0001", "", "", ""]]
    report = devices_import(upload=xlsx(DEVICE_HEADERS, rows), skip_invalid=False, actor=clerk_user)
    assert report.ok and report.imported == 2


def test_r37_device_import_skip_bad_rows(clerk_user, catalog):
    rows = [["LP-2200", "SN-001", "C0001", "", "", ""], ["XX-1", "SN-002", "C0001", "", "", ""]]
    report = devices_import(upload=xlsx(DEVICE_HEADERS, rows), skip_invalid=True, actor=clerk_user)
    assert report.imported == 1 and report.bad_rows == [3]
    assert list(Device.objects.values_list("serial_number", flat=True)) == ["SN-001"]


def test_r37_device_import_customer_outside_scope_is_unknown(world, catalog):
    _model, customer = catalog
    customer.dealer = world.dealer_a
    customer.save()
    staff = f.UserFactory(role=Role.SUPERVISOR, username="sup")
    rows = [["LP-2200", "SN-001", "C0001", "", "", ""]]
    assert devices_import(upload=xlsx(DEVICE_HEADERS, rows), skip_invalid=False, actor=staff).ok


def test_r37_import_page_shows_report(client, clerk_user):
    client.force_login(clerk_user)
    upload = xlsx(CUSTOMER_HEADERS[:3], [["坏电话公司", "企业", "12345"]])
    response = client.post(reverse("customers:import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-report"' in page and "电话" in page and ">2<" in page
    assert not Customer.objects.exists()
    upload = xlsx(CUSTOMER_HEADERS[:3], [["好公司", "企业", "13812340001"], ["坏电话公司", "企业", "12345"]])
    client.post(reverse("customers:import"), {"file": upload, "skip_invalid": "on"})
    assert list(Customer.objects.values_list("name", flat=True)) == ["好公司"]


@pytest.mark.parametrize("url", ["customers:import", "devices:import"])
def test_r37_import_template_has_chinese_headers(client, clerk_user, url):
    client.force_login(clerk_user)
    response = client.get(reverse(url.replace("import", "import_template")))
    headers = next(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert headers[0] in ("客户名称", "产品型号")
    assert client.get(reverse(url)).status_code == 200


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ENGINEER, Role.DEALER_STAFF, Role.DISPATCHER])
@pytest.mark.parametrize("url", ["customers:import", "devices:import", "customers:import_template"])
def test_r37_import_refused_for_other_roles(client, make_user, role, url):
    client.force_login(make_user(role, username=f"r_{role}"))
    assert client.get(reverse(url)).status_code == 403
    if url.endswith(":import"):
        upload = xlsx(CUSTOMER_HEADERS[:3], [["好公司", "企业", "13812340001"]])
        assert client.post(reverse(url), {"file": upload}).status_code == 403
    assert not Customer.objects.exists()
