"""`manage.py changepassword` saves through `user_password_set` (issue 13): a password changed on
the command line revokes the user's API tokens like every other way of changing it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext
from rest_framework.test import APIClient

from aftersales.accounts.choices import TokenRevocation
from aftersales.accounts.models import ApiToken
from aftersales.core.models import ChangeRecord

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db

NEW = "Xin-mima-2026!"


@pytest.fixture
def typed(monkeypatch):
    """What the person at the terminal types at each password prompt, in order."""

    def type_in(*answers: str) -> None:
        queue: Iterator[str] = iter(answers)
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(queue))

    return type_in


def key_of(username: str, password: str = f.PASSWORD) -> str:
    body = {"username": username, "password": password, "client": "手机App"}
    response = APIClient().post("/api/auth/token/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/auth/tokens/").status_code == 200


def test_changepassword_revokes_the_users_api_tokens(agent, dispatcher, typed, capsys):
    key, theirs = key_of("agent"), key_of("dispatcher")
    typed(NEW, NEW)

    call_command("changepassword", "agent")

    assert (
        "Password changed successfully for user 'agent'; 1 API token(s) revoked." in capsys.readouterr().out
    )
    assert not works(key) and works(theirs)
    assert ApiToken.objects.get(user=agent).revoked_reason == TokenRevocation.PASSWORD_CHANGED
    assert key_of("agent", NEW)
    change = ChangeRecord.objects.get(object_id=agent.pk, field="password")
    assert (change.new_value, change.actor) == (gettext("New password set"), None)  # in the active language


def test_changepassword_keeps_django_s_checks(agent, typed, capsys):
    key = key_of("agent")
    typed(NEW, "something else", "short", "short", "123", "123")
    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", "agent")
    output = capsys.readouterr()
    assert "Passwords do not match" in output.out and "too short" in output.err
    assert works(key)
    assert_problem(
        APIClient().post(
            "/api/auth/token/", {"username": "agent", "password": NEW, "client": "x"}, format="json"
        ),
        400,
    )
    with pytest.raises(CommandError, match="does not exist"):
        call_command("changepassword", "nobody")
