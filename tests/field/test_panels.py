"""R5, R12, R15, R21, R37: the field panels of the work-order page get their rows from the selectors
and what the user may do from the named permissions (`field.panels`); a panel with nothing to show
is left out, and the page makes no query per visit or appointment."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.field import panels
from aftersales.field.services import appointment_book
from aftersales.workorders.choices import State

from .. import factories as f
from .visit_factories import visit_at

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def book(work_order, days: int = 1, hour: int = 9):
    return appointment_book(
        work_order=work_order,
        engineer=work_order.engineer,
        day=timezone.localdate() + timedelta(days=days),
        window_start=time(hour),
        window_end=time(hour + 1),
        actor=None,
    )


def test_r12_visit_and_appointment_panels_hidden_while_nothing_to_show(client, dispatcher):
    new = f.WorkOrderFactory(state=State.NEW, engineer=None)
    request = request_of(dispatcher)
    assert panels.visits_panel(request, new) is None
    assert panels.appointments_panel(request, new) is None
    client.force_login(dispatcher)
    page = client.get(reverse("workorders:detail", args=[new.pk]) + "?tab=service").content.decode()
    assert 'data-testid="visits-panel"' not in page and 'data-testid="appointments-panel"' not in page


def test_r5_r21_dispatch_panel_hidden_for_a_cancelled_work_order_without_suggestion(dispatcher, agent):
    cancelled = f.WorkOrderFactory(state=State.CANCELLED, engineer=None)
    assert panels.dispatch_panel(request_of(dispatcher), cancelled) is None
    accepted = f.WorkOrderFactory(state=State.ACCEPTED, engineer=None)
    shown = panels.dispatch_panel(request_of(agent), accepted)
    assert shown == {"suggestion": None, "may_assign": False, "printable": True}  # agents do not dispatch
    for_dispatcher = panels.dispatch_panel(request_of(dispatcher), accepted)
    assert for_dispatcher["suggestion"] is not None and for_dispatcher["may_assign"]


def test_r12_panels_show_the_rows_and_the_users_rights(field_wo, dispatcher, agent, other_engineer):
    appointment = book(field_wo)
    visit = visit_at(field_wo, "done")
    for user, may in (
        (field_wo.engineer.user, True),
        (dispatcher, True),
        (agent, False),
        (other_engineer.user, False),
    ):
        booked = panels.appointments_panel(request_of(user), field_wo)
        assert [row["appointment"] for row in booked["rows"]] == [appointment]
        assert booked["may_book"] is may and booked["rows"][0]["may_reschedule"] is may
        visits = panels.visits_panel(request_of(user), field_wo)
        assert [row["visit"] for row in visits["rows"]] == [visit] and visits["rows"][0][
            "signoff"
        ] is not None
        assert visits["may_plan"] is may


def test_r12_panels_hidden_once_the_rows_are_gone_and_no_engineer(field_wo, dispatcher):
    field_wo.engineer = None
    field_wo.state = State.ACCEPTED
    field_wo.save()
    assert panels.visits_panel(request_of(dispatcher), field_wo) is None
    assert panels.appointments_panel(request_of(dispatcher), field_wo) is None


def test_r12_work_order_page_makes_no_query_per_visit_or_appointment(client, field_wo):
    client.force_login(field_wo.engineer.user)
    url = reverse("workorders:detail", args=[field_wo.pk]) + "?tab=service"
    book(field_wo, days=1)
    visit_at(field_wo, "booked")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for days in (2, 3, 4):
        book(field_wo, days=days)
        visit_at(field_wo, "booked")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('data-testid="appointment"') == 4 and page.count('data-testid="visit-row"') == 4
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
