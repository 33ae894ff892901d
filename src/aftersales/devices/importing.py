"""Excel import of installed devices: all rows or none, with a row-by-row error report.

Each row names the product model (code), the serial number, the customer (code, or a name
that is unique within the importer's scope), purchase date and install address. A serial that
appears twice for the same model, in the file or already on file, is a row error.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.catalog.models import ProductModel
from aftersales.core.importing import (
    ImportReport,
    RowInvalid,
    run_import,
    template_bytes,
    validation_errors,
)
from aftersales.customers.selectors import customer_scope

from .models import Device
from .services import device_create

DEVICE_HEADERS = ["产品型号", "序列号", "客户编码", "客户名称", "购买日期", "安装地址"]
DEVICE_REQUIRED = ["产品型号", "序列号"]
DEVICE_COLUMNS = {
    "product_model": "产品型号",
    "serial_number": "序列号",
    "customer": "客户编码",
    "purchase_date": "购买日期",
    "install_address": "安装地址",
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


# How the columns are described on the import page and in the API.
DEVICE_COLUMNS_HELP = "产品型号, 序列号, 客户编码 / 客户名称, 购买日期 (2025-03-01), 安装地址"


def device_template() -> bytes:
    return template_bytes(DEVICE_HEADERS, "设备导入")


def parse_date(text: str) -> date | None:
    """A purchase date as typed in Chinese offices; None when empty; ValueError when unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@transaction.atomic
def devices_import(*, upload, skip_invalid: bool, actor) -> ImportReport:
    """Create the devices of an Excel sheet for customers the importer may see (R37)."""
    seen: dict[tuple[int, str], int] = {}
    models_by_code = {model.code.upper(): model for model in ProductModel.objects.all()}
    customers = customer_scope(actor)

    def import_row(number: int, values: dict[str, str]) -> None:
        errors: list[tuple[str, str]] = []
        model_code = values.get("产品型号", "")
        product_model = models_by_code.get(model_code.upper()) if model_code else None
        if not model_code:
            errors.append(("产品型号", _("Enter the product model code.")))
        elif product_model is None:
            errors.append(("产品型号", _("Unknown product model “%(code)s”.") % {"code": model_code}))

        serial = values.get("序列号", "").strip().upper()
        if not serial:
            errors.append(("序列号", _("Enter the serial number.")))
        elif product_model is not None:
            key = (product_model.pk, serial)
            if key in seen:
                errors.append(("序列号", _("Duplicate of row %(row)d in this file.") % {"row": seen[key]}))
            elif Device.objects.filter(product_model=product_model, serial_number=serial).exists():
                errors.append(("序列号", _("A device of this model with this serial number is on file.")))
            seen.setdefault(key, number)

        customer = None
        code, name = values.get("客户编码", ""), values.get("客户名称", "")
        if code:
            customer = customers.filter(code__iexact=code).first()
            if customer is None:
                errors.append(("客户编码", _("No customer with this code.")))
        elif name:
            matches = list(customers.filter(name=name)[:2])
            if not matches:
                errors.append(("客户名称", _("No customer with this name.")))
            elif len(matches) > 1:
                errors.append(("客户名称", _("Several customers have this name; give the customer code.")))
            else:
                customer = matches[0]
        else:
            errors.append(("客户编码", _("Enter the customer code or the customer name.")))

        try:
            purchase_date = parse_date(values.get("购买日期", ""))
        except ValueError:
            purchase_date = None
            errors.append(("购买日期", _("Enter a date such as 2025-03-01.")))
        if purchase_date and purchase_date > date.today():
            errors.append(("购买日期", _("The purchase date is in the future.")))

        if errors:
            raise RowInvalid(errors)
        try:
            device_create(
                product_model=product_model,
                serial_number=serial,
                customer=customer,
                purchase_date=purchase_date,
                install_address=values.get("安装地址", ""),
                actor=actor,
            )
        except ValidationError as error:
            raise RowInvalid(validation_errors(error, DEVICE_COLUMNS, "序列号")) from error

    return run_import(
        upload=upload, required_headers=DEVICE_REQUIRED, skip_invalid=skip_invalid, import_row=import_row
    )
