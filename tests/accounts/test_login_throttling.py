"""Sign-in throttling and lock-out on the sign-in page and the API token endpoint, the admins'
unlock, and the audit of failed sign-ins (issue 13; R41: who tried, from where, when).

Every test starts with no failures counted: the counters are rows of the test's database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role
from aftersales.accounts.models import LoginFailure, LoginThrottle
from aftersales.accounts.tasks import purge_login_throttles
from aftersales.config.celery import app as celery_app

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins"
WRONG = "Please enter a correct username and password"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    settings.LOGIN_LOCKOUT_MINUTES = 15


def sign_in(client, username, password, ip="10.0.0.1"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # signing in sets the user's own
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def token(username, password, ip="10.0.0.1"):
    """POST /api/auth/token/ (the name of the client is for the expiring tokens' endpoint)."""
    body = {"username": username, "password": password, "client": "throttling test"}
    return APIClient().post(
        reverse("api-token"), body, format="json", REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en"
    )


def token_given(response) -> bool:
    return response.status_code in (200, 201)


def test_r41_the_form_locks_a_name_and_address_out_at_the_limit_and_says_so(client, agent, clock):
    for _attempt in range(2):
        assert WRONG in sign_in(client, "agent", "wrong").content.decode()
    third = sign_in(client, "agent", "wrong").content.decode()
    assert LOCKED in third and "15 minutes" in third and WRONG not in third
    # the right password changes nothing while the lock-out lasts
    right = sign_in(client, "agent", f.PASSWORD)
    assert not signed_in(right) and LOCKED in right.content.decode()
    assert client.get(reverse("home")).status_code == 302


def error_of(response) -> str:
    return re.search(r'data-testid="login-error">(.*?)</div>', response.content.decode(), re.S).group(1)


def test_r41_a_lock_out_does_not_tell_whether_the_name_exists(client, agent, clock):
    def locked_error(username):
        for _attempt in range(3):
            response = sign_in(client, username, "wrong")
        assert response.status_code == 200
        return error_of(response)

    assert LOCKED in locked_error("agent")
    assert locked_error("agent") == locked_error("nobody-by-this-name")
    assert LoginThrottle.objects.filter(username="nobody-by-this-name", locked_until__isnull=False).exists()


def test_the_lock_out_ends_after_the_cool_off(client, agent, clock):
    for _attempt in range(3):
        sign_in(client, "agent", "wrong")
    clock.shift(timedelta(minutes=14))
    assert "1 minute," in sign_in(client, "agent", f.PASSWORD).content.decode()
    clock.shift(timedelta(minutes=1, seconds=1))
    assert signed_in(sign_in(client, "agent", f.PASSWORD))


def test_failures_outside_the_window_do_not_add_up(client, agent, clock):
    for _attempt in range(2):
        sign_in(client, "agent", "wrong")
    clock.shift(timedelta(minutes=16))
    for _attempt in range(2):
        assert WRONG in sign_in(client, "agent", "wrong").content.decode()
    assert signed_in(sign_in(client, "agent", f.PASSWORD))


def test_a_successful_sign_in_resets_the_count(client, agent, clock):
    for _attempt in range(2):
        sign_in(client, "agent", "wrong")
    assert signed_in(sign_in(client, "agent", f.PASSWORD))
    client.post(reverse("logout"))
    for _attempt in range(2):
        assert WRONG in sign_in(client, "agent", "wrong").content.decode()
    assert signed_in(sign_in(client, "agent", f.PASSWORD))
    assert not LoginThrottle.objects.exists()


def test_the_lock_out_is_per_name_and_address(client, agent, dispatcher, clock):
    for _attempt in range(3):
        sign_in(client, "agent", "wrong", ip="10.0.0.1")
    assert signed_in(sign_in(client, "agent", f.PASSWORD, ip="10.0.0.2"))
    client.post(reverse("logout"))
    assert signed_in(sign_in(client, "dispatcher", f.PASSWORD, ip="10.0.0.1"))
    client.post(reverse("logout"))
    # case and spaces do not make another name
    assert LOCKED in sign_in(client, "AGENT ", "wrong", ip="10.0.0.1").content.decode()


def test_r41_every_refused_sign_in_is_audited(client, agent, clock):
    for _attempt in range(3):
        sign_in(client, "agent", "wrong")
    sign_in(client, "agent", f.PASSWORD)
    sign_in(client, "ghost", "wrong", ip="10.0.0.9")
    columns = ("username", "user", "ip_address", "locked_out")
    rows = list(LoginFailure.objects.order_by("id").values_list(*columns))
    assert rows == [
        ("agent", agent.pk, "10.0.0.1", False),
        ("agent", agent.pk, "10.0.0.1", False),
        ("agent", agent.pk, "10.0.0.1", False),
        ("agent", agent.pk, "10.0.0.1", True),
        ("ghost", None, "10.0.0.9", False),
    ]
    first = LoginFailure.objects.order_by("id").first()
    assert first.user_agent == "Mozilla/5.0 (test)" and first.created_at == timezone.now()
    with pytest.raises(ValueError):
        first.delete()


def test_the_token_endpoint_is_throttled_with_a_429_problem(agent, clock):
    for _attempt in range(2):
        assert token("agent", "wrong").status_code == 400
    body = assert_problem(token("agent", "wrong"), 429, field=None, code="login_locked")
    assert LOCKED in body["errors"][0]["message"]
    refused = token("agent", f.PASSWORD)
    assert_problem(refused, 429, code="login_locked")
    assert refused["Retry-After"] == str(15 * 60)
    clock.shift(timedelta(minutes=5))
    assert token("agent", f.PASSWORD)["Retry-After"] == str(10 * 60)
    assert token_given(token("agent", f.PASSWORD, ip="10.0.0.2"))
    assert LoginFailure.objects.filter(username="agent", locked_out=True).count() == 2


def test_the_form_and_the_api_count_together(client, agent, clock):
    sign_in(client, "agent", "wrong")
    token("agent", "wrong")
    assert LOCKED in sign_in(client, "agent", "wrong").content.decode()
    assert token("agent", f.PASSWORD).status_code == 429


def test_a_successful_token_request_resets_the_count(agent, clock):
    for _attempt in range(2):
        token("agent", "wrong")
    assert token_given(token("agent", f.PASSWORD))
    for _attempt in range(2):
        assert token("agent", "wrong").status_code == 400


@pytest.fixture
def superuser_client(db):
    from django.test import Client

    client = Client()
    client.force_login(f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True))
    return client


def test_r41_an_admin_sees_the_failed_sign_ins_filtered(client, superuser_client, agent, clock):
    for _attempt in range(3):
        sign_in(client, "agent", "wrong")
    sign_in(client, "agent", "wrong")
    sign_in(client, "ghost", "wrong", ip="10.0.0.9")
    url = reverse("admin:accounts_loginfailure_changelist")
    everything = superuser_client.get(url).content.decode()
    assert "ghost" in everything and "10.0.0.9" in everything
    locked = superuser_client.get(url, {"locked_out__exact": "1"}).content.decode()
    assert "ghost" not in locked and "10.0.0.1" in locked
    found = superuser_client.get(url, {"q": "10.0.0.9"}).content.decode()
    assert "ghost" in found and "10.0.0.1" not in found


def test_an_admin_unlocks_from_the_admin(client, superuser_client, agent, clock):
    for _attempt in range(3):
        sign_in(client, "agent", "wrong")
    throttle = LoginThrottle.objects.get(username="agent")
    listing = superuser_client.get(
        reverse("admin:accounts_loginthrottle_changelist"), {"locked_until__isempty": "0"}
    )
    assert "10.0.0.1" in listing.content.decode()
    response = superuser_client.post(
        reverse("admin:accounts_loginthrottle_changelist"),
        {"action": "unlock", "_selected_action": [throttle.pk]},
    )
    assert response.status_code == 302
    assert not LoginThrottle.objects.exists()
    assert signed_in(sign_in(client, "agent", f.PASSWORD))


def test_unlock_from_the_command_line(client, agent, dispatcher, clock):
    for username in ("agent", "dispatcher"):
        for _attempt in range(3):
            sign_in(client, username, "wrong")
    with pytest.raises(CommandError):
        call_command("login_unlock")
    call_command("login_unlock", "Agent")
    assert list(LoginThrottle.objects.values_list("username", flat=True)) == ["dispatcher"]
    assert signed_in(sign_in(client, "agent", f.PASSWORD))
    client.post(reverse("logout"))
    call_command("login_unlock", "--ip", "10.0.0.1")
    assert signed_in(sign_in(client, "dispatcher", f.PASSWORD))


def test_signing_in_without_a_request_is_not_throttled(client, agent, clock):
    """The test client's login (and createsuperuser) call authenticate without a request."""
    for _attempt in range(3):
        sign_in(client, "agent", "wrong")
    assert client.login(username="agent", password=f.PASSWORD)


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, agent, settings, clock):
    settings.TRUSTED_PROXY_COUNT = 1

    def through_proxy(username, password, forwarded):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client.post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for attempt in range(3):  # a client's own X-Forwarded-For entries change nothing
        through_proxy("agent", "wrong", forwarded=f"192.0.2.{attempt}, 203.0.113.7")
    assert LOCKED in through_proxy("agent", f.PASSWORD, forwarded="203.0.113.7").content.decode()
    assert signed_in(through_proxy("agent", f.PASSWORD, forwarded="203.0.113.8"))
    client.post(reverse("logout"))
    through_proxy("agent", "wrong", forwarded="not-an-address")
    assert LoginFailure.objects.order_by("-id").first().ip_address == "10.9.9.9"


def test_the_hourly_job_forgets_counters_that_count_nothing_any_more(client, agent, clock):
    sign_in(client, "ghost", "wrong")  # one failure, its window over at 9:15
    clock.shift(timedelta(minutes=10))
    for _attempt in range(3):
        sign_in(client, "agent", "wrong")  # locked out until 9:25
    clock.shift(timedelta(minutes=5))
    assert purge_login_throttles.delay().get() == 1
    assert list(LoginThrottle.objects.values_list("username", flat=True)) == ["agent"]
    clock.shift(timedelta(minutes=10, seconds=1))
    assert purge_login_throttles.delay().get() == 1
    assert LoginFailure.objects.count() == 4  # the audit stays
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-purge-login-throttles"]
    assert entry["task"] == purge_login_throttles.name and entry["task"] in celery_app.tasks
