"""Admin pages of the reference data load for a superuser; history stays read-only (R37, R41)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog, ChangeRecord
from aftersales.workorders.models import WorkOrder

from .. import factories as f

MODELS = [
    "accounts.dealer",
    "accounts.servicepoint",
    "accounts.user",
    "accounts.engineer",
    "accounts.qualification",
    "catalog.productline",
    "catalog.productmodel",
    "customers.customer",
    "customers.contact",
    "devices.device",
    "workorders.workorder",
    "core.changerecord",
    "core.accesslog",
]


@pytest.fixture
def superuser_client(client, db):
    user = f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def populated(db):
    qualification = f.QualificationFactory()
    device = f.DeviceFactory()
    f.ContactFactory(customer=device.customer)
    order = f.WorkOrderFactory(customer=device.customer, engineer=qualification.engineer)
    return order


@pytest.mark.parametrize("model", MODELS)
def test_r37_admin_changelist_loads_for_superuser(superuser_client, populated, model):
    app_label, model_name = model.split(".")
    response = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    response = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "上海"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        "accounts.dealer",
        "accounts.servicepoint",
        "accounts.user",
        "accounts.engineer",
        "catalog.productmodel",
        "customers.customer",
        "devices.device",
    ],
)
def test_r37_admin_add_form_loads(superuser_client, model):
    app_label, model_name = model.split(".")
    assert superuser_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200


def test_r38_qualification_inline_on_engineer_page(superuser_client):
    qualification = f.QualificationFactory()
    response = superuser_client.get(
        reverse("admin:accounts_engineer_change", args=[qualification.engineer.pk])
    )
    assert response.status_code == 200
    assert qualification.product_line.name in response.content.decode()


def test_r41_history_and_work_orders_not_editable_in_admin(superuser_client, populated, rf):
    request = rf.get("/")
    request.user = f.UserFactory(username="root2", is_staff=True, is_superuser=True)
    for model in (ChangeRecord, AccessLog):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    order_admin = admin.site._registry[WorkOrder]
    assert not order_admin.has_add_permission(request)
    assert not order_admin.has_delete_permission(request)
    response = superuser_client.get(reverse("admin:workorders_workorder_change", args=[populated.pk]))
    assert response.status_code == 200  # viewable, read-only
    assert b'name="_save"' not in response.content
