"""Sign-in lock-outs and failed sign-ins for HQ admins outside the admin site (issue 13, R41): the
API lists the lock-outs in force and unlocks one, lists the failed sign-ins; the page
`/accounts/lockouts/` does the same with a button. Both unlock through the service the admin site
and `manage.py login_unlock` use."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.accounts.models import LoginThrottle

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    settings.LOGIN_LOCKOUT_MINUTES = 15


@pytest.fixture
def admin(make_user):
    return make_user(Role.HQ_ADMIN, username="hq")


def sign_in(username: str, password: str, ip: str = "10.0.0.1"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="test/1",
    )


def lock_out(username: str, ip: str = "10.0.0.1") -> None:
    for _attempt in range(3):
        sign_in(username, "wrong", ip)


def signs_in(username: str, ip: str = "10.0.0.1") -> bool:
    return sign_in(username, f.PASSWORD, ip).status_code == 302


# --- API -------------------------------------------------------------------------------------------


def test_r41_an_hq_admin_lists_the_lock_outs_in_force(admin, agent, api_client, clock):
    lock_out("agent")
    sign_in("ghost", "wrong", ip="10.0.0.9")  # one failure: counted, not locked out
    clock.shift(timedelta(minutes=1))
    lock_out("Dispatcher ", ip="10.0.0.2")
    api = api_client(admin)

    rows = api.get("/api/login-lockouts/").json()["results"]

    assert [(r["username"], r["ip_address"], r["failures"]) for r in rows] == [
        ("dispatcher", "10.0.0.2", 3),
        ("agent", "10.0.0.1", 3),
    ]
    assert rows[1]["locked_until"].startswith("2026-11-23T09:15") and rows[1]["first_failure_at"]
    assert [
        r["username"] for r in api.get("/api/login-lockouts/", {"username": "AGENT "}).json()["results"]
    ] == ["agent"]
    assert [
        r["ip_address"] for r in api.get("/api/login-lockouts/", {"q": "10.0.0.2"}).json()["results"]
    ] == ["10.0.0.2"]
    clock.shift(timedelta(minutes=14, seconds=30))  # 9:15:30: the first lock-out is over
    assert [r["username"] for r in api.get("/api/login-lockouts/").json()["results"]] == ["dispatcher"]


def test_r41_an_hq_admin_unlocks_through_the_api_at_once(admin, agent, api_client, clock, caplog):
    lock_out("agent")
    assert not signs_in("agent")
    throttle = LoginThrottle.objects.get(username="agent")
    api = api_client(admin)

    with caplog.at_level(logging.INFO, logger="aftersales.accounts"):
        assert api.delete(f"/api/login-lockouts/{throttle.pk}/").status_code == 204

    assert "unlocked by hq" in caplog.text
    assert signs_in("agent")
    assert_problem(api.delete(f"/api/login-lockouts/{throttle.pk}/"), 404)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.QUALITY, Role.AGENT, Role.DEALER_STAFF])
def test_r37_only_hq_admins_see_and_lift_lock_outs(make_user, api_client, agent, role, clock):
    lock_out("agent")
    throttle = LoginThrottle.objects.get()
    api = api_client(
        make_user(role, username="other", dealer=f.DealerFactory() if role == Role.DEALER_STAFF else None)
    )
    for url in ("/api/login-lockouts/", f"/api/login-lockouts/{throttle.pk}/", "/api/login-failures/"):
        assert_problem(api.get(url), 403)
    assert_problem(api.delete(f"/api/login-lockouts/{throttle.pk}/"), 403)
    assert_problem(Client().get("/api/login-failures/"), 401)
    assert LoginThrottle.objects.exists()


def test_r41_failed_sign_ins_are_listed_filtered_and_paginated(admin, agent, api_client, clock):
    lock_out("agent")
    sign_in("agent", f.PASSWORD)  # refused for the lock-out
    clock.shift(timedelta(days=1))
    sign_in("ghost", "wrong", ip="10.0.0.9")
    api = api_client(admin)

    def listed(**query):
        response = api.get("/api/login-failures/", query)
        assert response.status_code == 200, response.content
        return [(r["username"], r["ip_address"], r["locked_out"]) for r in response.json()["results"]]

    assert listed()[0] == ("ghost", "10.0.0.9", False)  # newest first
    assert listed(username="AGENT") == [("agent", "10.0.0.1", True)] + [("agent", "10.0.0.1", False)] * 3
    assert (
        listed(ip_address="10.0.0.9") == listed(created_after="2026-11-24") == [("ghost", "10.0.0.9", False)]
    )
    assert listed(locked_out="true") == [("agent", "10.0.0.1", True)]
    assert len(listed(created_before="2026-11-23")) == 4
    row = api.get("/api/login-failures/", {"username": "agent"}).json()["results"][0]
    assert row["user"] == {"id": agent.pk, "name": agent.display_name} and row["user_agent"] == "test/1"
    page = api.get("/api/login-failures/", {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    assert_problem(api.get("/api/login-failures/", {"ip_address": "not-an-address"}), 400, field="ip_address")


def test_the_schema_describes_the_sign_in_endpoints(admin, api_client):
    paths = api_client(admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/login-lockouts/{id}/"]) - {"parameters"} == {"get", "delete"}
    assert {"204", "403", "404"} <= set(paths["/api/login-lockouts/{id}/"]["delete"]["responses"])
    assert set(paths["/api/login-failures/"]) == {"get"}
    failures = paths["/api/login-failures/"]["get"]
    assert {"username", "ip_address", "created_after", "created_before", "page"} <= {
        p["name"] for p in failures["parameters"]
    }
    assert "application/problem+json" in failures["responses"]["403"]["content"]


# --- the page ----------------------------------------------------------------------------------------


def test_r41_an_hq_admin_unlocks_from_the_page(admin, agent, clock):
    lock_out("agent")
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(admin)
    home = browser.get(reverse("home")).content.decode()
    assert reverse("login_lockout_list") in home  # in the menu

    page = browser.get(reverse("login_lockout_list"))

    html = page.content.decode()
    assert page.status_code == 200 and "Sign-in lock-outs" in html
    throttle = LoginThrottle.objects.get()
    assert "10.0.0.1" in html and f'data-testid="unlock-{throttle.pk}"' in html
    unlock = reverse("login_lockout_unlock", args=[throttle.pk])
    assert browser.post(unlock).status_code == 403  # no CSRF token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(unlock, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login_lockout_list")
    assert "was unlocked" in response.content.decode()
    assert not LoginThrottle.objects.exists() and signs_in("agent")
    assert browser.post(unlock, {"csrfmiddlewaretoken": token}).status_code == 404


def test_r37_the_lock_out_page_is_for_hq_admins_only(supervisor, agent, clock):
    lock_out("agent")
    browser = Client()
    browser.force_login(supervisor)
    assert browser.get(reverse("login_lockout_list")).status_code == 403
    throttle = LoginThrottle.objects.get()
    assert browser.post(reverse("login_lockout_unlock", args=[throttle.pk])).status_code == 403
    assert reverse("login_lockout_list") not in browser.get(reverse("home")).content.decode()
    assert LoginThrottle.objects.exists()
    assert Client().get(reverse("login_lockout_list")).status_code == 302  # to the sign-in page
