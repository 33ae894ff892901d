"""Dispatch board (R5, R37, R38): scoped rows, suggestion with why, assign by click (HTMX),
inline refusal, the detail-page panel, and a query count that does not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrderEvent

from .. import factories as f

pytestmark = pytest.mark.django_db
BOARD = "/field/dispatch/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def numbers(response) -> list[str]:
    return [row["wo"].number for row in response.context["rows"]]


def test_r5_board_url_name_and_roles(client, agent, dispatcher):
    assert reverse("field:dispatch_board") == BOARD
    client.force_login(agent)
    assert client.get(BOARD).status_code == 403
    client.force_login(dispatcher)
    assert client.get(BOARD).status_code == 200


def test_r5_board_shows_unassigned_rows_with_suggestion_and_why(client, dispatcher, order, point, qualify):
    sp = point()
    engineer = f.EngineerFactory(service_point=sp, user__last_name="赵", user__first_name="工")
    qualify(engineer)
    f.WorkOrderFactory(state=State.ASSIGNED, engineer=engineer, service_point=sp)
    new_without_point = f.WorkOrderFactory(state=State.NEW, service_point=None)
    new_with_point = f.WorkOrderFactory(state=State.NEW, service_point=sp)
    client.force_login(dispatcher)
    response = client.get(BOARD)
    assert set(numbers(response)) == {order.number, new_without_point.number}
    assert new_with_point.number not in numbers(response)
    html = response.content.decode()
    assert 'data-testid="board-row"' in html and 'data-testid="assign-button"' in html
    assert "赵工" in html and "city covered" not in html  # the candidates are read when "why" opens
    why_url = reverse("field:dispatch_why", args=[order.pk])
    assert f'hx-get="{why_url}"' in html
    loads = {e.employee_no: e.open_load for e in response.context["engineers"]}
    assert loads[engineer.employee_no] == 1
    why = client.get(why_url, **HTMX).content.decode()  # the fragment the row shows
    assert "<html" not in why and 'data-testid="why-candidates"' in why
    assert "赵工" in why and "district covered" not in why and "city covered" in why
    page = client.get(why_url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in page and order.number in page and "city covered" in page


def test_r5_r37_why_of_a_row_only_for_dispatchers_in_scope(client, world, agent, customer):
    theirs = f.WorkOrderFactory(state=State.ACCEPTED, service_point=world.point_b, customer=customer)
    why_url = reverse("field:dispatch_why", args=[theirs.pk])
    client.force_login(world.staff_a)
    assert client.get(why_url).status_code == 404  # another dealer's work order
    client.force_login(agent)
    assert client.get(why_url).status_code == 403  # not a dispatcher


def test_r37_board_scoped_for_dealer_staff(client, world, customer, model, qualify):
    qualify(world.engineer_a)
    mine = f.WorkOrderFactory(state=State.ACCEPTED, service_point=world.point_a, customer=customer)
    theirs = f.WorkOrderFactory(state=State.ACCEPTED, service_point=world.point_b, customer=customer)
    client.force_login(world.staff_a)
    response = client.get(BOARD)
    assert numbers(response) == [mine.number]
    assert theirs.number not in response.content.decode()
    assert [e.pk for e in response.context["engineers"]] == [world.engineer_a.pk]
    # assigning another dealer's work order: not found
    refused = client.post(
        reverse("field:dispatch_assign", args=[theirs.pk]), {"engineer": world.engineer_a.pk}, **HTMX
    )
    assert refused.status_code == 404
    # and another dealer's engineer is not offered nor accepted
    response = client.post(
        reverse("field:dispatch_assign", args=[mine.pk]),
        {"engineer": world.engineer_b.pk, "version": mine.version},
        **HTMX,
    )
    assert 'data-testid="assign-error"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.engineer is None


def test_r5_assign_by_click_swaps_the_row_and_records_the_event(client, dispatcher, order, point, qualify):
    sp = point()
    engineer = f.EngineerFactory(service_point=sp)
    qualify(engineer)
    client.force_login(dispatcher)
    response = client.post(
        reverse("field:dispatch_assign", args=[order.pk]),
        {"engineer": engineer.pk, "version": order.version, "reason": "就近安排"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="board-assigned"' in html
    assert "<html" not in html
    order.refresh_from_db()
    assert order.state == State.ASSIGNED and order.engineer == engineer and order.service_point == sp
    event = WorkOrderEvent.objects.get(work_order=order, action="assign")
    assert "就近安排" in event.note and event.actor == dispatcher


def test_r38_unqualified_click_is_refused_inline(client, dispatcher, order, point):
    sp = point()
    engineer = f.EngineerFactory(service_point=sp)
    client.force_login(dispatcher)
    response = client.post(
        reverse("field:dispatch_assign", args=[order.pk]),
        {"engineer": engineer.pk, "version": order.version, "reason": "试试"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="assign-error"' in html and "not qualified" in html
    order.refresh_from_db()
    assert order.engineer is None and order.state == State.ACCEPTED


def test_r5_plain_post_redirects_with_a_message(client, dispatcher, order, point, qualify):
    sp = point()
    engineer = f.EngineerFactory(service_point=sp)
    qualify(engineer)
    client.force_login(dispatcher)
    detail = reverse("workorders:detail", args=[order.pk])
    response = client.post(
        reverse("field:dispatch_assign", args=[order.pk]),
        {"engineer": engineer.pk, "version": order.version, "next": detail},
    )
    assert response.status_code == 302 and response["Location"] == detail
    order.refresh_from_db()
    assert order.engineer == engineer


def test_r5_detail_panel_shows_the_suggestion_to_dispatchers(
    client, dispatcher, agent, order, point, qualify
):
    sp = point()
    engineer = f.EngineerFactory(service_point=sp)
    qualify(engineer)
    client.force_login(dispatcher)
    html = client.get(reverse("workorders:detail", args=[order.pk]) + "?tab=service").content.decode()
    assert 'data-testid="dispatch-panel"' in html and 'data-testid="dispatch-assign"' in html
    assert engineer.user.display_name in html
    client.force_login(agent)
    html = client.get(reverse("workorders:detail", args=[order.pk]) + "?tab=service").content.decode()
    assert 'data-testid="dispatch-panel"' not in html


def test_r5_board_query_count_does_not_grow_with_rows(client, dispatcher, customer, model, point, qualify):
    points = [point(code=f"SP{i}") for i in range(3)]
    for sp in points:
        qualify(f.EngineerFactory(service_point=sp))

    def add_rows(n):
        for _ in range(n):
            f.WorkOrderFactory(
                customer=customer, product_model=model, service_point=None, state=State.ACCEPTED
            )
            device = f.DeviceFactory(customer=customer, product_model=model)
            f.WorkOrderFactory(
                customer=customer, device=device, service_point=points[0], state=State.ACCEPTED
            )

    client.force_login(dispatcher)
    add_rows(1)
    client.get(BOARD)  # reference data read into memory (core/reference.py)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BOARD).status_code == 200
    add_rows(10)
    client.get(BOARD)
    with CaptureQueriesContext(connection) as many:
        response = client.get(BOARD)
    assert len(response.context["rows"]) == 22
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_r5_board_for_supervisor_and_hq_admin(client, make_user, order):
    for role in (Role.SUPERVISOR, Role.HQ_ADMIN):
        client.force_login(make_user(role, username=role))
        assert order.number in numbers(client.get(BOARD))


def test_r5_board_does_not_grow_with_the_company_s_engineers(
    client, dispatcher, order, point, qualify, monkeypatch
):
    """Issue 9: a row offers the best 8 engineers (others are chosen on the work order's page) and
    the side panel lists the engineers of the suggested points only, at most BOARD_ENGINEERS."""
    from aftersales.field import selectors

    monkeypatch.setattr(selectors, "BOARD_ENGINEERS", 5)
    sp = point(district="徐汇区")
    for _ in range(12):
        qualify(f.EngineerFactory(service_point=sp))
    elsewhere = f.EngineerFactory(service_point=point(province="新疆维吾尔自治区", city="乌鲁木齐市"))
    client.force_login(dispatcher)
    response = client.get(BOARD)
    row = response.content.decode().split('data-testid="assign-engineer"')[1].split("</select>")[0]
    assert row.count("<option") == 8
    listed = response.context["engineers"]
    assert len(listed) == 5 and all(engineer.service_point_id == sp.pk for engineer in listed)
    assert elsewhere.pk not in [engineer.pk for engineer in listed]
