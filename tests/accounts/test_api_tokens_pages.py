"""The "My API tokens" page (create with the one-time key, revoke), the password pages that revoke
tokens (the user's own and the admin's), and the admin's token list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role, TokenRevocation
from aftersales.accounts.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-pass-2027"


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/auth/tokens/").status_code


def create_on_page(client, name: str, password: str = PASSWORD):
    return client.post(reverse("api_token_list"), {"client": name, "password": password})


def test_the_page_creates_a_token_shown_once_and_lists_it(client, agent):
    client.force_login(agent)
    home = client.get(reverse("home")).content.decode()
    assert reverse("api_token_list") in home  # in the user's menu
    response = create_on_page(client, "手机App-张三的iPhone")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["created"][1]
    assert key in response.content.decode()
    assert api_status(key) == 200
    listed = client.get(reverse("api_token_list"))
    token = ApiToken.objects.get()
    assert key not in listed.content.decode()
    assert token.key_prefix in listed.content.decode() and "手机App-张三的iPhone" in listed.content.decode()


def test_the_page_asks_for_the_password_again(client, agent):
    client.force_login(agent)
    response = create_on_page(client, "手机", password="wrong")
    assert response.status_code == 400
    assert "Unable to sign in" in response.content.decode()
    assert create_on_page(client, "", password=PASSWORD).status_code == 400
    assert not ApiToken.objects.exists()


def test_the_page_revokes_my_token_and_404s_for_someone_elses(client, agent, dispatcher):
    client.force_login(agent)
    key = create_on_page(client, "手机").context["created"][1]
    token = ApiToken.objects.get()
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api_status(key) == 401
    assert list(client.get(reverse("api_token_list")).context["tokens"]) == []
    client.force_login(dispatcher)
    theirs = create_on_page(client, "平板").context["created"][1]
    client.force_login(agent)
    assert (
        client.post(reverse("api_token_revoke", args=[ApiToken.objects.get(client="平板").pk])).status_code
        == 404
    )
    assert api_status(theirs) == 200


def test_an_hq_admin_sees_only_their_own_tokens_on_my_page(client, agent, make_user):
    client.force_login(agent)
    create_on_page(client, "agent 的手机")
    client.force_login(make_user(Role.HQ_ADMIN, username="hq"))
    assert "agent 的手机" not in client.get(reverse("api_token_list")).content.decode()


def test_signing_out_of_the_browser_revokes_no_token(client, agent):
    client.force_login(agent)
    key = create_on_page(client, "手机").context["created"][1]
    client.post(reverse("logout"))
    assert api_status(key) == 200


def test_changing_my_password_on_the_page_revokes_my_tokens_and_keeps_me_signed_in(client, agent):
    client.force_login(agent)
    key = create_on_page(client, "手机").context["created"][1]
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_status(key) == 401
    assert ApiToken.objects.get().revoked_reason == TokenRevocation.PASSWORD_CHANGED
    assert client.get(reverse("api_token_list")).status_code == 200  # this browser stays signed in


def test_a_refused_password_change_revokes_nothing(client, agent):
    client.force_login(agent)
    key = create_on_page(client, "手机").context["created"][1]
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert api_status(key) == 200


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user(Role.HQ_ADMIN, username="root", is_staff=True, is_superuser=True))
    return client


def test_an_admin_setting_a_users_password_revokes_their_tokens(superuser_client, agent):
    phone = APIClient().post(
        "/api/auth/token/", {"username": "agent", "password": PASSWORD, "client": "手机"}, format="json"
    )
    key = phone.json()["token"]
    url = reverse("admin:auth_user_password_change", args=[agent.pk])
    response = superuser_client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert api_status(key) == 401
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)


def test_an_admin_turning_password_sign_in_off_revokes_the_tokens(superuser_client, agent):
    key = (
        APIClient()
        .post(
            "/api/auth/token/", {"username": "agent", "password": PASSWORD, "client": "手机"}, format="json"
        )
        .json()["token"]
    )
    url = reverse("admin:auth_user_password_change", args=[agent.pk])
    assert superuser_client.post(url, {"usable_password": "false", "unset-password": "1"}).status_code == 302
    agent.refresh_from_db()
    assert not agent.has_usable_password()
    assert api_status(key) == 401


def test_the_admins_own_password_change_is_the_apps_page(superuser_client):
    response = superuser_client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_the_admin_lists_tokens_without_keys_and_revokes_them(superuser_client, agent):
    key = (
        APIClient()
        .post(
            "/api/auth/token/", {"username": "agent", "password": PASSWORD, "client": "手机"}, format="json"
        )
        .json()["token"]
    )
    token = ApiToken.objects.get()
    changelist = superuser_client.get(reverse("admin:accounts_apitoken_changelist"))
    assert changelist.status_code == 200
    assert token.key_prefix in changelist.content.decode() and key not in changelist.content.decode()
    assert superuser_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    response = superuser_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert api_status(key) == 401
    token.refresh_from_db()
    assert token.revoked_by.username == "root"
