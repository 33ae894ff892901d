"""Browser sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request and
SESSION_ABSOLUTE_TIMEOUT_HOURS after signing in, however active (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = 12


@pytest.fixture
def signed_in(client, agent, clock):
    """The agent signed in on the sign-in page, the clock standing still."""
    response = client.post(reverse("login"), {"username": "agent", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == HOME
    return client


def test_an_idle_session_ends_and_the_next_page_asks_to_sign_in_again(signed_in, clock):
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message below, in English
    clock.shift(timedelta(minutes=29))
    assert signed_in.get(HOME).status_code == 200
    clock.shift(timedelta(minutes=30, seconds=1))
    response = signed_in.get("/workorders/?state=new")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/workorders/%3Fstate%3Dnew"
    login_page = signed_in.get(response["Location"])
    assert "Your session has expired" in login_page.content.decode()
    assert signed_in.get(HOME).status_code == 302  # signed out, not only redirected once


def test_activity_extends_the_idle_limit(signed_in, clock):
    for _step in range(4):
        clock.shift(timedelta(minutes=25))
        assert signed_in.get(HOME).status_code == 200
    # 100 minutes after signing in, never 30 idle


def test_a_session_ends_twelve_hours_after_signing_in_however_active(signed_in, clock):
    for _step in range(12 * 3 - 1):
        clock.shift(timedelta(minutes=20))
        assert signed_in.get(HOME).status_code == 200
    clock.shift(timedelta(minutes=19))
    assert signed_in.get(HOME).status_code == 200  # 11 h 59 min
    clock.shift(timedelta(minutes=1, seconds=1))
    assert signed_in.get(HOME).status_code == 302


def test_signing_in_again_starts_both_limits_afresh(signed_in, client, clock):
    clock.shift(timedelta(hours=1))
    assert client.get(HOME).status_code == 302
    clock.shift(timedelta(hours=12))
    client.post(reverse("login"), {"username": "agent", "password": f.PASSWORD})
    clock.shift(timedelta(minutes=29))
    assert client.get(HOME).status_code == 200


def test_the_api_with_an_expired_session_answers_401(signed_in, clock):
    assert signed_in.get("/api/workorders/").status_code == 200
    clock.shift(timedelta(minutes=31))
    assert_problem(signed_in.get("/api/workorders/"), 401, field=None, code="session_expired")
    assert signed_in.get("/api/workorders/").status_code in (401, 403)  # no longer signed in


def test_an_htmx_request_with_an_expired_session_sends_the_browser_to_sign_in(signed_in, clock):
    clock.shift(timedelta(minutes=31))
    response = signed_in.get(
        "/workorders/?page=2",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/workorders/?state=new",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/workorders/%3Fstate%3Dnew"


def test_a_session_signed_in_another_way_is_limited_too(client, agent, clock):
    """force_login signs in as the admin's page does, through Django's login()."""
    client.force_login(agent)
    clock.shift(timedelta(minutes=31))
    assert client.get(HOME).status_code == 302


def test_a_session_from_before_the_limits_counts_from_its_next_request(client, agent, clock):
    client.force_login(agent)
    session = client.session
    del session["signed_in_at"], session["seen_at"]
    session.save()
    clock.shift(timedelta(hours=11))
    assert client.get(HOME).status_code == 200
    clock.shift(timedelta(minutes=31))
    assert client.get(HOME).status_code == 302
