"""R35 pages: the contracts list (filters, search, sort, pages, Excel), the form that sells one,
the contract page with its devices, plans, history and exactly the allowed buttons, the device
page's contracts, and the work order's money tab naming the contract."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.devices.models import MaintenancePlan, ServiceContract

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r35_the_list_filters_sorts_and_exports(client, seller, sell, model, customer):
    active = sell()
    draft = sell(activate=False, kind="maintenance")
    client.force_login(seller)
    html = client.get("/devices/contracts/").content.decode()
    assert active.number in html and draft.number in html and 'data-testid="contract-new"' in html
    only_drafts = client.get("/devices/contracts/", {"state": "draft"}).content.decode()
    assert draft.number in only_drafts and active.number not in only_drafts
    sorted_page = client.get("/devices/contracts/", {"ordering": "number"}).content.decode()
    assert sorted_page.index(active.number) < sorted_page.index(draft.number)
    partial = client.get("/devices/contracts/", {"q": draft.number}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and draft.number in partial.content.decode()
    export = client.get("/devices/contracts/", {"export": "xlsx"})
    assert export.status_code == 200
    content = b"".join(export.streaming_content)
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert {row[0] for row in rows} >= {active.number, draft.number}


def test_r35_a_clerk_sells_a_contract_from_the_device_page(client, seller, device):
    client.force_login(seller)
    page = client.get(f"/devices/{device.pk}/").content.decode()
    assert 'data-testid="device-contracts"' in page and 'data-testid="contract-sell"' in page
    form = client.get("/devices/contracts/new/", {"device": device.pk})
    assert form.status_code == 200 and device.serial_number in form.content.decode()
    data = {
        "customer": device.customer_id,
        "kind": "extended_warranty",
        "devices": [device.pk],
        "starts_on": "2026-06-01",
        "ends_on": "2027-05-31",
        "price": "1280.00",
        "visits_included": "0",
        "covers_labour": "on",
        "covers_normal_parts": "on",
    }
    bad = client.post("/devices/contracts/new/", {**data, "ends_on": "2026-05-01"})
    assert bad.status_code == 200 and "must end after it starts" in bad.content.decode()
    done = client.post("/devices/contracts/new/", data)
    contract = ServiceContract.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/devices/contracts/{contract.pk}/"
    assert not contract.covers_visit and contract.covers_labour
    assert contract.number in client.get(f"/devices/{device.pk}/").content.decode()


def test_r35_the_sell_form_asks_for_the_customer_first(client, seller):
    client.force_login(seller)
    html = client.get("/devices/contracts/new/").content.decode()
    assert 'data-testid="contract-customer-form"' in html


def test_r35_the_contract_page_runs_its_transitions_and_takes_plans(client, seller, sell):
    contract = sell(activate=False, kind="maintenance")
    client.force_login(seller)
    html = client.get(f"/devices/contracts/{contract.pk}/").content.decode()
    assert 'data-testid="action-activate"' in html and 'data-testid="action-cancel"' in html
    assert 'data-testid="plan-form"' in html and 'data-testid="contract-history"' in html

    done = client.post(f"/devices/contracts/{contract.pk}/do/activate/")
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.state == "active"

    refused = client.post(f"/devices/contracts/{contract.pk}/do/cancel/", {"reason": ""})
    assert refused.status_code == 200 and "Give the reason for cancelling." in refused.content.decode()

    plan = client.post(
        f"/devices/contracts/{contract.pk}/plans/",
        {"every_n_months": "3", "first_due_on": "2026-07-15", "lead_days": "7", "shift": "later"},
    )
    assert plan.status_code == 302 and MaintenancePlan.objects.get().shift == "later"
    outside = client.post(
        f"/devices/contracts/{contract.pk}/plans/",
        {"every_n_months": "3", "first_due_on": "2030-01-01", "lead_days": "7", "shift": "later"},
    )
    assert outside.status_code == 200 and "must fall between" in outside.content.decode()
    toggled = client.post(
        f"/devices/contracts/{contract.pk}/plans/{MaintenancePlan.objects.get().pk}/toggle/"
    )
    assert toggled.status_code == 302 and not MaintenancePlan.objects.get().is_active

    client.post(f"/devices/contracts/{contract.pk}/do/cancel/", {"reason": "客户撤回"})
    html = client.get(f"/devices/contracts/{contract.pk}/").content.decode()
    assert 'data-state="cancelled"' in html and "客户撤回" in html
    assert 'data-testid="actions"' not in html and 'data-testid="plan-form"' not in html


def test_r35_r37_engineers_read_contracts_but_have_no_buttons(client, make_user, sell, device):
    contract = sell(activate=False)
    engineer = f.EngineerFactory(
        service_point=f.ServicePointFactory(dealer=None), user__username="hq_eng"
    ).user
    client.force_login(engineer)
    html = client.get(f"/devices/contracts/{contract.pk}/").content.decode()
    assert contract.number in html and 'data-testid="actions"' not in html
    assert client.post(f"/devices/contracts/{contract.pk}/do/activate/").status_code == 200  # shown refused
    contract.refresh_from_db()
    assert contract.state == "draft"
    assert client.get("/devices/contracts/new/").status_code == 403
    assert client.post(f"/devices/contracts/{contract.pk}/plans/", {}).status_code == 403
    assert 'data-testid="contract-new"' not in client.get("/devices/contracts/").content.decode()


def test_r35_r37_a_contract_outside_the_scope_is_not_found(client, world, sell):
    contract = sell()
    client.force_login(world.staff_a)
    assert client.get(f"/devices/contracts/{contract.pk}/").status_code == 404


def test_r35_the_money_tab_names_the_contract(client, seller, order, sell, make_user):
    contract = sell()
    client.force_login(make_user(Role.AGENT, username="agent_x"))
    html = client.get(f"/workorders/{order.pk}/?tab=money").content.decode()
    assert f'data-contract="{contract.number}"' in html and 'data-testid="warranty-contract"' in html
    assert 'data-kind="labour" data-covered="yes"' in html
