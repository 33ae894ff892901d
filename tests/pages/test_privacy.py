"""Personal data by role and place (R41, the table in accounts.privacy), scoped (R37): who reads a
work order's phone and address in full on its page, its API output, the list and the export;
engineers only on their own open work, dealer staff on their points' open work."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13912345678", "139****5678"
STREET = "金雀路 8 号"


@pytest.fixture
def open_order(world):
    """Open, at dealer A's point, assigned to engineer A, done at a site with a street address."""
    return f.WorkOrderFactory(
        service_point=world.point_a,
        engineer=world.engineer_a,
        state=State.ASSIGNED,
        contact_phone="+86" + PHONE,
        service_province="广东省",
        service_city="深圳市",
        service_district="南山区",
        service_address=STREET,
    )


def _page(client, user, order) -> str:
    client.force_login(user)
    response = client.get(reverse("workorders:detail", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _api(api_client, user, order) -> dict:
    return api_client(user).get(f"/api/workorders/{order.pk}/").json()


@pytest.mark.parametrize(
    "role, in_full",
    [
        (Role.AGENT, True),
        (Role.DISPATCHER, True),
        (Role.CLERK, True),
        (Role.QUALITY, False),
        (Role.SUPERVISOR, False),
        (Role.HQ_ADMIN, False),
        (Role.FINANCE, False),
        (Role.PARTS_CLERK, False),
    ],
)
def test_r41_open_work_order_page_and_api_by_company_role(
    client, api_client, make_user, open_order, role, in_full
):
    user = make_user(role, username=f"u_{role}")
    page, body = _page(client, user, open_order), _api(api_client, user, open_order)
    if in_full:
        assert PHONE in page and STREET in page and 'data-testid="reveal"' not in page
        assert body["contact_phone"] == PHONE and body["service_address"] == STREET
    else:
        assert MASKED in page and PHONE not in page and STREET not in page
        assert "广东省 深圳市 南山区 ****" in page and 'data-testid="reveal"' in page
        assert body["contact_phone"] == MASKED and body["service_address"] == "****"
    # viewing in full is logged, a masked view is not
    assert AccessLog.objects.filter(actor=user, action="view", resource="workorder").exists() == in_full


def test_r41_r37_engineer_sees_full_only_on_own_open_work(client, api_client, world, open_order):
    colleague = f.EngineerFactory(service_point=world.point_a)  # same point, not assigned
    page = _page(client, world.engineer_a.user, open_order)
    assert f'href="tel:{PHONE}"' in page and STREET in page
    assert _api(api_client, world.engineer_a.user, open_order)["contact_phone"] == PHONE
    page = _page(client, colleague.user, open_order)
    assert MASKED in page and PHONE not in page
    open_order.state = State.CLOSED
    open_order.save()
    page = _page(client, world.engineer_a.user, open_order)
    assert MASKED in page and PHONE not in page and STREET not in page
    assert _api(api_client, world.engineer_a.user, open_order)["contact_phone"] == MASKED


def test_r41_r37_dealer_staff_see_full_on_their_points_open_work_and_nothing_of_others(
    client, api_client, world, open_order
):
    assert PHONE in _page(client, world.staff_a, open_order)
    client.force_login(world.staff_b)
    assert client.get(reverse("workorders:detail", args=[open_order.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.ENGINEER, Role.FINANCE])
def test_r41_list_api_list_and_export_are_masked_for_every_role(client, api_client, world, open_order, role):
    user = world.engineer_a.user if role == Role.ENGINEER else f.UserFactory(role=role)
    client.force_login(user)
    page = client.get(reverse("workorders:list")).content.decode()
    assert MASKED in page and PHONE not in page
    rows = api_client(user).get("/api/workorders/").json()["results"]
    assert [row["contact_phone"] for row in rows if row["id"] == open_order.pk] == [MASKED]
    assert [row["service_address"] for row in rows if row["id"] == open_order.pk] == ["****"]
    sheet = load_workbook(BytesIO(client.get(reverse("workorders:export")).getvalue())).active
    cells = {str(cell) for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row}
    assert MASKED in cells and not any(PHONE in cell for cell in cells)
    assert AccessLog.objects.filter(actor=user, action="export", resource="workorders").exists()


def test_r41_agent_on_the_intake_call_gets_the_callers_number_filled_in(client, agent):
    f.CustomerFactory(phone="+8613812341234", name="星辰科技")
    client.force_login(agent)
    response = client.get(reverse("workorders:lookup_customers"), {"q": "星辰"})
    body = response.content.decode()
    # the match is a list row (masked); picking it fills the form with the whole number
    assert "138****1234" in body and 'data-contact-phone="13812341234"' in body
    client.force_login(f.UserFactory(role=Role.FINANCE))
    assert (
        'data-contact-phone=""'
        in client.get(reverse("workorders:lookup_customers"), {"q": "星辰"}).content.decode()
    )
