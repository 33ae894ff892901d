"""My own interface language through the API, as the language switch of every page sets it (the same
service): any signed-in user, whatever the role; another language is refused naming the field."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role
from aftersales.accounts.services import api_token_create

from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


@pytest.mark.parametrize("role", [Role.AGENT, Role.ENGINEER, Role.FINANCE, Role.DEALER_STAFF, Role.HQ_ADMIN])
def test_any_role_sets_its_own_language(api_client, world, make_user, role):
    user = world.staff_a if role == Role.DEALER_STAFF else make_user(role, username=f"u_{role}")
    api = api_client(user)

    response = api.patch(ME, {"language": "en"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": role,
        "role_display": user.get_role_display(),
        "language": "en",
    }
    user.refresh_from_db()
    assert user.language == "en"
    assert api.get(ME).json()["language"] == "en"
    assert api.patch(ME, {"language": "zh-hans"}, format="json").json()["language"] == "zh-hans"


def test_with_an_api_token(agent):
    _token, key = api_token_create(client="app", actor=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert client.patch(ME, {"language": "en"}, format="json").status_code == 200
    agent.refresh_from_db()
    assert agent.language == "en"


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"language": "xx"}, "language", "invalid_choice"),
        ({"language": "en", "role": "hq_admin"}, "role", "unknown_field"),
    ],
)
def test_bad_input_names_the_field(api_client, agent, body, field, code):
    assert_problem(api_client(agent).patch(ME, body, format="json"), 400, field=field, code=code)
    agent.refresh_from_db()
    assert agent.language == "zh-hans" and agent.role == Role.AGENT


def test_nothing_given_changes_nothing(api_client, agent):
    response = api_client(agent).patch(ME, {}, format="json")

    assert response.status_code == 200 and response.json()["language"] == "zh-hans"


def test_signed_out_is_401(db):
    assert_problem(APIClient().patch(ME, {"language": "en"}, format="json"), 401)
    assert_problem(APIClient().get(ME), 401)


def test_the_service_refuses_another_language(agent):
    from django.core.exceptions import ValidationError

    from aftersales.accounts.services import user_language_set

    with pytest.raises(ValidationError) as refused:
        user_language_set(user=agent, language="fr")
    assert refused.value.error_dict["language"][0].code == "language_unknown"
