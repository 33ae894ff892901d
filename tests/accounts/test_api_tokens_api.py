"""API tokens over the API: obtained with a password for a named client, hashed at rest, expiring,
listed and revoked by their owner or an HQ admin (R37: nobody else sees them), revoked by logout
and by a password change, refused at once when revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role, TokenRevocation
from aftersales.accounts.models import ApiToken
from aftersales.accounts.services import LAST_USED_PRECISION, user_password_set
from tests.api.helpers import assert_problem
from tests.factories import PASSWORD
from tests.timeutil import at, travelling

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 23, 9, 30)


def obtain(username: str, client: str = "手机App-张三的iPhone", password: str = PASSWORD):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password, "client": client}, format="json"
    )


def key_of(username: str, client: str = "手机App-张三的iPhone") -> str:
    response = obtain(username, client)
    assert response.status_code == 201, response.content
    return response.json()["token"]


def signed_in(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def test_obtain_returns_the_key_once_for_the_named_client(agent):
    with travelling(NOW):  # the key is used within its 30 days, whatever the suite's clock
        response = obtain("agent")
        assert response.status_code == 201
        body = response.json()
        assert body["client"] == "手机App-张三的iPhone"
        assert body["token"].startswith(body["key_prefix"])
        assert body["user"] == {"id": agent.pk, "name": agent.display_name}
        assert body["is_expired"] is False
        token = ApiToken.objects.get(pk=body["id"])
        assert token.expires_at - token.created_at == settings.API_TOKEN_LIFETIME == timedelta(days=30)
        # the key opens the API, sent the new way or the way the first API's clients send it
        assert signed_in(body["token"]).get("/api/auth/tokens/").status_code == 200
        assert signed_in(body["token"], keyword="Token").get("/api/auth/tokens/").status_code == 200
        # and it is never shown again
        listed = signed_in(body["token"]).get("/api/auth/tokens/").json()["results"]
        assert [row["id"] for row in listed] == [body["id"]] and "token" not in listed[0]


def test_the_raw_key_is_not_in_the_database(agent):
    key = key_of("agent")
    token = ApiToken.objects.get()
    assert key not in (token.digest, token.key_prefix) and len(token.key_prefix) < len(key) // 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored
    assert key[len(token.key_prefix) :] not in stored


def test_obtain_refuses_wrong_credentials_and_a_missing_client(agent):
    assert_problem(obtain("agent", password="wrong"), 400, field=None, code="invalid_credentials")
    assert_problem(obtain("nobody"), 400, code="invalid_credentials")
    agent.is_active = False
    agent.save()
    assert_problem(obtain("agent"), 400, code="invalid_credentials")
    missing = APIClient().post("/api/auth/token/", {"username": "agent", "password": PASSWORD}, format="json")
    assert_problem(missing, 400, field="client", code="required")
    assert_problem(obtain("agent", client="   "), 400, field="client")
    assert not ApiToken.objects.exists()


def test_obtain_goes_through_authenticate_with_the_request(agent, monkeypatch):
    """Login throttling hooks into authenticate(request=...): the token endpoint must call it so."""
    from aftersales.accounts import services

    calls = []
    real = services.authenticate

    def spy(request=None, **credentials):
        calls.append((request, credentials))
        return real(request=request, **credentials)

    monkeypatch.setattr(services, "authenticate", spy)
    obtain("agent")
    assert len(calls) == 1
    request, credentials = calls[0]
    assert request is not None and credentials == {"username": "agent", "password": PASSWORD}


def test_a_new_token_for_the_same_client_replaces_the_old_one(agent):
    old = key_of("agent", "手机App")
    other = key_of("agent", "ERP 接口")
    new = key_of("agent", "手机App")
    assert_problem(signed_in(old).get("/api/auth/tokens/"), 401, code="token_invalid")
    listed = signed_in(new).get("/api/auth/tokens/").json()["results"]
    assert sorted(row["client"] for row in listed) == ["ERP 接口", "手机App"]
    assert signed_in(other).get("/api/auth/tokens/").status_code == 200
    replaced = ApiToken.objects.get(client="手机App", revoked_at__isnull=False)
    assert replaced.revoked_reason == TokenRevocation.REPLACED


def test_an_expired_token_is_refused_with_401(agent):
    with travelling(NOW):
        key = key_of("agent")
    with travelling(NOW + timedelta(days=30) - timedelta(minutes=1)):
        assert signed_in(key).get("/api/auth/tokens/").status_code == 200
    with travelling(NOW + timedelta(days=30, minutes=1)):
        response = signed_in(key).get("/api/auth/tokens/")
        assert_problem(response, 401, code="token_expired")
        assert response["WWW-Authenticate"].startswith("Bearer")
        # its owner still sees it (expired) on the API through another token
        listed = signed_in(key_of("agent", "ERP")).get("/api/auth/tokens/").json()["results"]
    assert {row["client"]: row["is_expired"] for row in listed} == {
        "手机App-张三的iPhone": True,
        "ERP": False,
    }


def test_the_lifetime_is_a_setting(agent, settings):
    settings.API_TOKEN_LIFETIME = timedelta(hours=1)
    with travelling(NOW):
        key = key_of("agent")
    with travelling(NOW + timedelta(hours=2)):
        assert_problem(signed_in(key).get("/api/auth/tokens/"), 401, code="token_expired")


def test_unknown_malformed_and_anonymous_are_401(agent):
    key = key_of("agent")
    for header in (f"Bearer {key}x", "Bearer as_nothing", "Bearer", f"Bearer {key} extra", "Token 0123abc"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert_problem(client.get("/api/auth/tokens/"), 401, code="token_invalid")
    response = APIClient().get("/api/auth/tokens/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_last_use_is_written_at_most_every_few_minutes(agent):
    with travelling(NOW):
        key = key_of("agent")
        client = signed_in(key)
        token = ApiToken.objects.get()
        assert token.last_used_at is None
        client.get("/api/auth/tokens/")
        token.refresh_from_db()
        first_use = token.last_used_at
        assert first_use is not None
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/auth/tokens/")
        assert not [query for query in queries if query["sql"].startswith("UPDATE")]
    with travelling(NOW + LAST_USED_PRECISION - timedelta(seconds=30)):
        client.get("/api/auth/tokens/")
        token.refresh_from_db()
        assert token.last_used_at == first_use
    with travelling(NOW + LAST_USED_PRECISION + timedelta(seconds=30)):
        client.get("/api/auth/tokens/")
        token.refresh_from_db()
        assert token.last_used_at > first_use


def test_the_owner_revokes_a_token_and_it_stops_at_once(agent):
    phone = key_of("agent", "手机")
    laptop = key_of("agent", "笔记本")
    client = signed_in(laptop)
    phone_id = ApiToken.objects.get(client="手机").pk
    assert signed_in(phone).get("/api/auth/tokens/").status_code == 200
    assert client.delete(f"/api/auth/tokens/{phone_id}/").status_code == 204
    assert_problem(signed_in(phone).get("/api/auth/tokens/"), 401, code="token_invalid")
    assert [row["client"] for row in client.get("/api/auth/tokens/").json()["results"]] == ["笔记本"]
    assert_problem(client.delete(f"/api/auth/tokens/{phone_id}/"), 404)  # already revoked
    revoked = ApiToken.objects.get(pk=phone_id)
    assert (revoked.revoked_reason, revoked.revoked_by) == (TokenRevocation.REVOKED, agent)


def test_r37_another_user_can_neither_see_nor_revoke_my_tokens(agent, dispatcher, world):
    mine = key_of("agent")
    mine_id = ApiToken.objects.get().pk
    for other in (dispatcher, world.staff_a):
        client = signed_in(key_of(other.username, "other"))
        ids = [row["id"] for row in client.get("/api/auth/tokens/").json()["results"]]
        assert mine_id not in ids
        assert client.get("/api/auth/tokens/", {"user": agent.pk}).json()["results"] == []
        assert_problem(client.get(f"/api/auth/tokens/{mine_id}/"), 404)
        assert_problem(client.delete(f"/api/auth/tokens/{mine_id}/"), 404)
    assert signed_in(mine).get("/api/auth/tokens/").status_code == 200


def test_r37_an_hq_admin_lists_and_revokes_anyones_tokens(agent, make_user):
    make_user(Role.HQ_ADMIN, username="hq")
    mine = key_of("agent")
    mine_id = ApiToken.objects.get().pk
    admin = signed_in(key_of("hq", "管理后台脚本"))
    everybody = admin.get("/api/auth/tokens/").json()["results"]
    assert {row["user"]["id"] for row in everybody} == {
        agent.pk,
        ApiToken.objects.get(client="管理后台脚本").user_id,
    }
    only_agent = admin.get("/api/auth/tokens/", {"user": agent.pk}).json()["results"]
    assert [row["id"] for row in only_agent] == [mine_id]
    assert admin.delete(f"/api/auth/tokens/{mine_id}/").status_code == 204
    assert_problem(signed_in(mine).get("/api/auth/tokens/"), 401)
    assert ApiToken.objects.get(pk=mine_id).revoked_by.username == "hq"


def test_logout_revokes_only_the_token_it_is_sent_with(agent):
    phone = key_of("agent", "手机")
    laptop = key_of("agent", "笔记本")
    assert signed_in(phone).post("/api/auth/logout/").status_code == 204
    assert_problem(signed_in(phone).get("/api/auth/tokens/"), 401, code="token_invalid")
    assert signed_in(laptop).get("/api/auth/tokens/").status_code == 200
    assert ApiToken.objects.get(client="手机").revoked_reason == TokenRevocation.LOGOUT


def test_logout_with_a_session_revokes_nothing(agent, client):
    key = key_of("agent")
    client.force_login(agent)
    assert_problem(client.post("/api/auth/logout/"), 400, code="token_required")
    assert client.post("/accounts/logout/").status_code == 302  # the browser signs out
    assert signed_in(key).get("/api/auth/tokens/").status_code == 200
    assert_problem(APIClient().post("/api/auth/logout/"), 401)


def test_a_password_change_revokes_all_the_users_tokens(agent, dispatcher):
    phone, laptop = key_of("agent", "手机"), key_of("agent", "笔记本")
    theirs = key_of("dispatcher")
    user_password_set(user=agent, password="a-new-password-9")
    for key in (phone, laptop):
        assert_problem(signed_in(key).get("/api/auth/tokens/"), 401, code="token_invalid")
    assert signed_in(theirs).get("/api/auth/tokens/").status_code == 200
    assert set(ApiToken.objects.filter(user=agent).values_list("revoked_reason", flat=True)) == {
        TokenRevocation.PASSWORD_CHANGED
    }
    assert obtain("agent", password="a-new-password-9").status_code == 201


def test_the_schema_describes_the_token_endpoints(agent, api_client):
    schema = api_client(agent).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    obtain_op = paths["/api/auth/token/"]["post"]
    assert obtain_op.get("security", []) in ([], [{}])  # no sign-in needed
    request = obtain_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][request]["required"]) == {"username", "password", "client"}
    created = obtain_op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "token" in schema["components"]["schemas"][created]["required"]
    expected = {
        ("/api/auth/token/", "post"): {"201", "400", "429"},  # 429: locked out after failed sign-ins
        # 403: a write of a signed-in user (a browser session without its CSRF token)
        ("/api/auth/logout/", "post"): {"204", "400", "401", "403"},
        ("/api/auth/tokens/", "get"): {"200", "400", "401", "404"},  # 404: a page past the last
        ("/api/auth/tokens/{id}/", "get"): {"200", "400", "401", "404"},
        ("/api/auth/tokens/{id}/", "delete"): {"204", "400", "401", "403", "404"},
    }
    for (path, method), statuses in expected.items():
        responses = paths[path][method]["responses"]
        assert set(responses) == statuses, (path, method)
        for status in statuses - {"200", "201", "204"}:
            assert list(responses[status]["content"]) == ["application/problem+json"]
        if path != "/api/auth/token/":
            assert {"apiToken": []} in paths[path][method]["security"]
