"""Login, logout, language switch and the home page ("my queue") per role (R37)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name,args",
    [
        ("home", []),
        ("workorders:list", []),
        ("workorders:export", []),
        ("workorders:intake", []),
        ("workorders:lookup_customers", []),
        ("workorders:detail", [1]),
        ("workorders:edit", [1]),
    ],
)
def test_r37_pages_require_login(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_and_sign_in_applies_user_language(client, make_user):
    make_user(Role.AGENT, username="lily", language="en")
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'data-testid="login-submit"' in page.content
    response = client.post(reverse("login"), {"username": "lily", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_login_wrong_password_shows_error(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert b'data-testid="login-error"' in response.content


def test_logout_is_post(client, agent):
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_remembers_choice_on_user(client, agent):
    client.force_login(agent)
    response = client.post(reverse("language_set"), {"language": "en", "next": "/workorders/"})
    assert response.status_code == 302 and response["Location"] == "/workorders/"
    agent.refresh_from_db()
    assert agent.language == "en"
    page = client.get(reverse("workorders:list"))
    assert b'<html lang="en">' in page.content
    client.post(reverse("language_set"), {"language": "zh-hans", "next": "/"})
    agent.refresh_from_db()
    assert agent.language == "zh-hans"


def test_language_switch_ignores_unknown_language(client, agent):
    client.force_login(agent)
    client.post(reverse("language_set"), {"language": "xx", "next": "/"})
    agent.refresh_from_db()
    assert agent.language == "zh-hans"


def _count(response, state):
    counts = {value: count for value, _label, count in response.context["panels"][0][1]["counts"]}
    return counts[state]


def test_r37_home_counts_are_scoped_per_role(client, world, agent):
    f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    client.force_login(agent)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _count(response, State.NEW) == 2  # both dealers' orders
    assert _count(response, State.ACCEPTED) == 1
    client.force_login(world.staff_b)
    response = client.get(reverse("home"))
    assert _count(response, State.NEW) == 1  # only dealer B's
    assert _count(response, State.ACCEPTED) == 0
    assert b'data-testid="count-new"' in response.content


def test_home_mine_per_role(client, world, dispatcher, agent):
    mine = f.WorkOrderFactory(service_point=world.point_a, created_by=agent)
    to_assign = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    assigned = f.WorkOrderFactory(
        service_point=world.point_a, state=State.ASSIGNED, engineer=world.engineer_a
    )
    client.force_login(agent)
    assert client.get(reverse("home")).context["panels"][0][1]["mine"] == [mine]
    client.force_login(dispatcher)
    assert client.get(reverse("home")).context["panels"][0][1]["mine"] == [to_assign]
    client.force_login(world.engineer_a.user)
    panel = client.get(reverse("home")).context["panels"][0][1]
    assert panel["mine"] == [assigned]


def test_r34_home_overdue_is_not_the_age_of_a_work_order(client, world, agent):
    """An open work order created 30 hours ago with no service-level clock at risk is not overdue
    (tests/sla/test_home.py proves what is: a clock breached or at risk)."""
    old = f.WorkOrderFactory(service_point=world.point_a)
    WorkOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=30))
    client.force_login(agent)
    panel = client.get(reverse("home")).context["panels"][0][1]
    assert panel["overdue_count"] == 0
    assert panel["overdue"] == []
