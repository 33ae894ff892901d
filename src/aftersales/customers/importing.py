"""Excel import of customers (the all-or-nothing machinery and its report: `core.importing`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer
from aftersales.core.importing import (
    ImportReport,
    RowInvalid,
    run_import,
    template_bytes,
    validation_errors,
)
from aftersales.core.phones import phone_normalize

from .choices import CustomerKind
from .models import Customer
from .services import customer_create

# Roles allowed to import customers and devices.
IMPORT_ROLES = (Role.HQ_ADMIN, Role.SUPERVISOR, Role.CLERK, Role.AGENT)


def can_import(user) -> bool:
    return user.is_authenticated and user.has_role(*IMPORT_ROLES)


# --- customers ---------------------------------------------------------------------------

CUSTOMER_HEADERS = ["客户名称", "类型", "电话", "邮箱", "省", "市", "区", "地址", "联系人", "经销商编码"]
CUSTOMER_REQUIRED = ["客户名称", "电话"]
# How the columns are described on the import page and in the API.
CUSTOMER_COLUMNS_HELP = "客户名称, 类型 (企业/个人), 电话, 邮箱, 省, 市, 区, 地址, 联系人, 经销商编码"
# Who may import customers and devices, as the API's description says.
IMPORT_ROLES_TEXT = "HQ admin, supervisor, clerk, agent"
CUSTOMER_COLUMNS = {
    "name": "客户名称",
    "kind": "类型",
    "phone": "电话",
    "email": "邮箱",
    "province": "省",
    "city": "市",
    "district": "区",
    "address": "地址",
    "contact_name": "联系人",
    "dealer": "经销商编码",
}
KIND_WORDS = {
    "": CustomerKind.COMPANY,
    "企业": CustomerKind.COMPANY,
    "公司": CustomerKind.COMPANY,
    "单位": CustomerKind.COMPANY,
    "company": CustomerKind.COMPANY,
    "个人": CustomerKind.INDIVIDUAL,
    "individual": CustomerKind.INDIVIDUAL,
}


def customer_template() -> bytes:
    return template_bytes(CUSTOMER_HEADERS, "客户导入")


@transaction.atomic
def customers_import(*, upload, skip_invalid: bool, actor) -> ImportReport:
    """Create the customers of an Excel sheet (R37); duplicates (same name and phone) in the file
    or already on file are row errors."""
    seen: dict[tuple[str, str], int] = {}

    def import_row(number: int, values: dict[str, str]) -> None:
        errors: list[tuple[str, str]] = []
        name = values.get("客户名称", "")
        kind = KIND_WORDS.get(values.get("类型", "").lower())
        if kind is None:
            errors.append(("类型", _("Enter 企业 (company) or 个人 (individual).")))
        dealer = None
        dealer_code = values.get("经销商编码", "")
        if dealer_code:
            dealer = Dealer.objects.filter(code__iexact=dealer_code).first()
            if dealer is None:
                errors.append(("经销商编码", _("No dealer with this code.")))
        phone = values.get("电话", "")
        if name and phone:
            try:
                key = (name, phone_normalize(phone))
            except ValidationError:
                key = None  # reported by the service below
            if key is not None:
                if key in seen:
                    errors.append(
                        ("客户名称", _("Duplicate of row %(row)d in this file.") % {"row": seen[key]})
                    )
                elif Customer.objects.filter(name=key[0], phone=key[1]).exists():
                    errors.append(("客户名称", _("This customer is already on file.")))
                seen.setdefault(key, number)
        try:
            customer_create(
                name=name,
                phone=phone,
                kind=kind or CustomerKind.COMPANY,
                email=values.get("邮箱", ""),
                province=values.get("省", ""),
                city=values.get("市", ""),
                district=values.get("区", ""),
                address=values.get("地址", ""),
                contact_name=values.get("联系人", ""),
                dealer=dealer,
                actor=actor,
            )
        except ValidationError as error:
            errors.extend(validation_errors(error, CUSTOMER_COLUMNS, ""))
        if errors:
            raise RowInvalid(errors)

    return run_import(
        upload=upload, required_headers=CUSTOMER_REQUIRED, skip_invalid=skip_invalid, import_row=import_row
    )
