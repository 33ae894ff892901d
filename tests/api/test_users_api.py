"""Staff users over the API (issue 13): HQ admins create users, change their roles and dealers,
deactivate them (never delete) and set their passwords; supervisors read them; every other role
gets 403 (R37). Every change is in the user's history (R41); deactivating and a new password stop
the user's API tokens at once; phones are masked (accounts.privacy)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role, TokenRevocation
from aftersales.accounts.models import ApiToken, User
from aftersales.core.models import ChangeRecord
from tests import factories as f
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db

STRONG = "Qiang-mima-2026!"


@pytest.fixture
def admin(make_user):
    return make_user(Role.HQ_ADMIN, username="hq")


@pytest.fixture
def dealer(db):
    return f.DealerFactory(code="DA", name="华东经销商")


def key_of(username: str, password: str = f.PASSWORD, client: str = "手机App") -> str:
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password, "client": client}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def signed_in(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def history(api, user: User) -> list[tuple[str, str, str]]:
    rows = api.get(f"/api/users/{user.pk}/history/").json()["results"]
    return [(row["field"], row["old_value"], row["new_value"]) for row in rows]


# --- create ----------------------------------------------------------------------------------------


def test_r37_an_hq_admin_creates_a_dealer_staff_user_who_signs_in(admin, dealer, api_client):
    point = f.ServicePointFactory(dealer=dealer)
    response = api_client(admin).post(
        "/api/users/",
        {
            "username": "zhang.san",
            "last_name": "张",
            "first_name": "三",
            "email": "zhang.san@example.cn",
            "phone": "138 0013 8000",
            "role": "dealer_staff",
            "dealer": dealer.pk,
            "service_point": point.pk,
            "language": "en",
            "password": STRONG,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "张三" and body["role_display"] == "Dealer staff"
    assert (body["dealer"], body["dealer_name"], body["service_point"]) == (dealer.pk, "华东经销商", point.pk)
    assert body["phone"] == "138****8000" and "password" not in body
    assert body["is_active"] and body["has_usable_password"]
    user = User.objects.get(username="zhang.san")
    assert user.phone == "+8613800138000" and user.check_password(STRONG)
    # the new user signs in with the password given and sees only their dealer's work (R37)
    assert signed_in(key_of("zhang.san", STRONG)).get("/api/users/").status_code == 403
    created = history(api_client(admin), user)
    assert ("role", "", "Dealer staff") in created and ("dealer", "", "华东经销商") in created
    assert ("password", "", "New password set") in created
    assert {row.actor_id for row in ChangeRecord.objects.filter(object_id=user.pk)} == {admin.pk}


def test_a_user_created_without_a_password_cannot_sign_in_until_one_is_set(admin, api_client):
    api = api_client(admin)
    body = api.post("/api/users/", {"username": "li.si", "role": "agent"}, format="json").json()
    assert body["has_usable_password"] is False and body["language"] == "zh-hans"
    token = APIClient().post(
        "/api/auth/token/", {"username": "li.si", "password": "", "client": "x"}, format="json"
    )
    assert_problem(token, 400)
    assert (
        api.post(f"/api/users/{body['id']}/password/", {"password": STRONG}, format="json").status_code == 204
    )
    assert key_of("li.si", STRONG)
    assert ("password", "", "Password sign-in turned off") in history(api, User.objects.get(pk=body["id"]))


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"role": "dealer_staff"}, "dealer", "dealer_required"),
        ({"role": "supervisor", "dealer": "DEALER"}, "dealer", "dealer_not_allowed"),
        ({"role": "hq_admin", "dealer": "DEALER"}, "dealer", "dealer_not_allowed"),
        (
            {"role": "dealer_staff", "dealer": "DEALER", "service_point": "OTHER_POINT"},
            "service_point",
            "service_point_other_dealer",
        ),
        ({"role": "king"}, "role", "invalid_choice"),
        ({"role": "agent", "password": "123"}, "password", "password_too_short"),
        ({"role": "agent", "password": "password123"}, "password", "password_too_common"),
        ({"role": "agent", "phone": "12345"}, "phone", "invalid_phone"),
        ({"role": "agent", "email": "not-an-email"}, "email", "invalid"),
        ({"role": "agent", "is_staff": True}, "is_staff", "unknown_field"),
        ({"role": "agent", "username": "AGENT"}, "username", "unique"),
        ({"role": "agent", "username": "bad name!"}, "username", "invalid"),
        ({"username": "nobody"}, "role", "required"),
    ],
)
def test_r37_bad_users_are_refused_naming_the_field(admin, agent, dealer, api_client, payload, field, code):
    other_point = f.ServicePointFactory(dealer=f.DealerFactory(code="DB"))
    values = {"DEALER": dealer.pk, "OTHER_POINT": other_point.pk}
    data = {"username": "new.user", **{k: values.get(v, v) for k, v in payload.items()}}
    assert_problem(api_client(admin).post("/api/users/", data, format="json"), 400, field=field, code=code)
    assert not User.objects.filter(username__in=["new.user", "nobody"]).exists()


def test_r37_the_admin_site_applies_the_same_rules(dealer, client):
    client.force_login(f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True))
    form = {
        "username": "via.admin",
        "usable_password": "true",
        "password1": STRONG,
        "password2": STRONG,
        "role": "supervisor",
        "dealer": dealer.pk,
        "language": "zh-hans",
    }
    refused = client.post("/admin/accounts/user/add/", form)
    assert refused.status_code == 200
    assert "it belongs to no dealer" in refused.content.decode()
    assert client.post("/admin/accounts/user/add/", {**form, "dealer": ""}).status_code == 302
    assert User.objects.get(username="via.admin").dealer is None


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [Role.AGENT, Role.DISPATCHER, Role.ENGINEER, Role.CLERK, Role.PARTS_CLERK, Role.FINANCE, Role.QUALITY],
)
def test_r37_only_hq_admins_and_supervisors_see_users(make_user, api_client, role, agent):
    api = api_client(make_user(role, username=f"the-{role}"))
    assert_problem(api.get("/api/users/"), 403)
    assert_problem(api.get(f"/api/users/{agent.pk}/"), 403)
    assert_problem(api.get(f"/api/users/{agent.pk}/history/"), 403)
    assert_problem(api.post("/api/users/", {"username": "x", "role": "agent"}, format="json"), 403)


def test_r37_dealer_staff_see_no_users(world, api_client):
    assert_problem(api_client(world.staff_a).get("/api/users/"), 403)
    assert_problem(
        api_client(world.staff_a).post(
            f"/api/users/{world.staff_a.pk}/password/", {"password": STRONG}, format="json"
        ),
        403,
    )


def test_r37_supervisors_read_but_do_not_change_users(supervisor, agent, api_client):
    api = api_client(supervisor)
    assert api.get("/api/users/").status_code == 200
    assert api.get(f"/api/users/{agent.pk}/").json()["username"] == "agent"
    assert api.get(f"/api/users/{agent.pk}/history/").status_code == 200
    assert_problem(api.patch(f"/api/users/{agent.pk}/", {"role": "clerk"}, format="json"), 403)
    assert_problem(api.post(f"/api/users/{agent.pk}/deactivate/"), 403)
    assert_problem(api.post(f"/api/users/{agent.pk}/password/", {"password": STRONG}, format="json"), 403)
    assert_problem(api.post("/api/users/", {"username": "x", "role": "agent"}, format="json"), 403)
    assert_problem(APIClient().get("/api/users/"), 401)


def test_users_are_never_deleted_nor_replaced_whole(admin, agent, api_client):
    api = api_client(admin)
    assert_problem(api.delete(f"/api/users/{agent.pk}/"), 405)
    assert_problem(api.put(f"/api/users/{agent.pk}/", {"role": "clerk"}, format="json"), 405)
    assert_problem(api.get("/api/users/999999/"), 404)
    assert User.objects.filter(pk=agent.pk, is_active=True).exists()


# --- list and read ---------------------------------------------------------------------------------


def test_the_user_list_searches_and_filters(admin, dealer, api_client):
    f.UserFactory(
        username="wang.wu", last_name="王", first_name="五", phone="+8613912345678", email="ww@a.cn"
    )
    f.UserFactory(
        username="dealer.zhao", role=Role.DEALER_STAFF, dealer=dealer, last_name="赵", first_name="六"
    )
    f.UserFactory(username="gone", role=Role.AGENT, is_active=False)
    api = api_client(admin)

    def usernames(**query):
        response = api.get("/api/users/", query)
        assert response.status_code == 200, response.content
        return sorted(row["username"] for row in response.json()["results"])

    assert (
        usernames(q="王五")
        == usernames(q="WANG")
        == usernames(q="1234567")
        == usernames(q="ww@")
        == ["wang.wu"]
    )
    assert usernames(role="dealer_staff") == usernames(dealer=dealer.pk) == ["dealer.zhao"]
    assert usernames(is_active="false") == ["gone"]
    assert "gone" not in usernames(is_active="true")
    listed = api.get("/api/users/", {"q": "wang"}).json()
    assert listed["count"] == 1 and listed["results"][0]["phone"] == "139****5678"
    assert_problem(api.get("/api/users/", {"role": "king"}), 400, field="role")


def test_the_user_list_costs_the_same_queries_for_more_users(admin, dealer, api_client):
    point = f.ServicePointFactory(dealer=dealer)
    api = api_client(admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/users/").status_code == 200
        return len(captured)

    f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, service_point=point)
    few = queries()
    for _n in range(10):
        f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory(), phone="+8613912345678")
    assert queries() == few


def test_r41_a_staff_phone_is_masked_and_revealed_for_a_reason(admin, agent, api_client):
    f.UserFactory(username="has.phone", phone="+8613912345678")
    user = User.objects.get(username="has.phone")
    api = api_client(admin)
    assert api.get(f"/api/users/{user.pk}/").json()["phone"] == "139****5678"
    reveal = {"resource": "user", "object_id": str(user.pk), "field": "phone", "reason": "identity"}
    revealed = api.post("/api/privacy/reveal/", reveal, format="json")
    assert revealed.status_code == 200 and revealed.json()["value"] == "13912345678"
    assert_problem(api_client(agent).post("/api/privacy/reveal/", reveal, format="json"), 404)


# --- change ----------------------------------------------------------------------------------------


def test_r41_an_hq_admin_changes_a_role_and_dealer_and_the_history_keeps_it(admin, dealer, api_client):
    clerk = f.UserFactory(username="the.clerk", role=Role.CLERK, phone="+8613700000001")
    api = api_client(admin)
    response = api.patch(
        f"/api/users/{clerk.pk}/",
        {"role": "dealer_staff", "dealer": dealer.pk, "phone": "13700000002"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["role"], response.json()["dealer"]) == ("dealer_staff", dealer.pk)
    rows = api.get(f"/api/users/{clerk.pk}/history/").json()["results"]
    changed = {row["field"]: (row["old_value"], row["new_value"], row["actor"]["id"]) for row in rows}
    assert changed == {
        "role": ("Service clerk", "Dealer staff", admin.pk),
        "dealer": ("", "华东经销商", admin.pk),
        "phone": ("137****0001", "137****0002", admin.pk),  # masked in the history too
    }
    assert rows[0]["field_label"]
    # a role of HQ takes no dealer: the dealer goes with the same change
    assert_problem(
        api.patch(f"/api/users/{clerk.pk}/", {"role": "supervisor"}, format="json"),
        400,
        field="dealer",
        code="dealer_not_allowed",
    )
    moved = api.patch(f"/api/users/{clerk.pk}/", {"role": "supervisor", "dealer": None}, format="json")
    assert moved.status_code == 200 and moved.json()["dealer"] is None


def test_r37_nobody_changes_their_own_role_or_deactivates_themselves(admin, api_client):
    api = api_client(admin)
    assert_problem(
        api.patch(f"/api/users/{admin.pk}/", {"role": "agent"}, format="json"),
        403,
        field="role",
        code="own_account",
    )
    assert_problem(api.post(f"/api/users/{admin.pk}/deactivate/"), 403, code="own_account")
    assert_problem(
        api.post(f"/api/users/{admin.pk}/password/", {"password": STRONG}, format="json"),
        403,
        field="password",
        code="own_account",
    )
    assert (
        api.patch(f"/api/users/{admin.pk}/", {"first_name": "大明"}, format="json").json()["first_name"]
        == "大明"
    )


def test_an_account_of_the_admin_site_is_changed_by_a_superuser_only(admin, api_client):
    root = f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True)
    api = api_client(admin)
    assert_problem(
        api.post(f"/api/users/{root.pk}/password/", {"password": STRONG}, format="json"),
        403,
        code="admin_account",
    )
    assert_problem(api.post(f"/api/users/{root.pk}/deactivate/"), 403, code="admin_account")
    root.refresh_from_db()
    assert root.is_active and root.check_password(f.PASSWORD)
    assert (
        api_client(root)
        .post(f"/api/users/{admin.pk}/password/", {"password": STRONG}, format="json")
        .status_code
        == 204
    )


# --- deactivate and passwords ----------------------------------------------------------------------


def test_r41_deactivating_revokes_the_users_tokens_and_ends_their_sessions(admin, agent, api_client, client):
    key = key_of("agent")
    client.force_login(agent)
    assert client.get("/").status_code == 200
    assert signed_in(key).get("/api/auth/tokens/").status_code == 200

    response = api_client(admin).post(f"/api/users/{agent.pk}/deactivate/")

    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_problem(signed_in(key).get("/api/auth/tokens/"), 401, code="token_invalid")  # at once
    token = ApiToken.objects.get(user=agent)
    assert (token.revoked_reason, token.revoked_by) == (TokenRevocation.REVOKED, admin)
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(agent.pk)]
    assert client.get("/").status_code == 302  # the browser is signed out
    assert_problem(
        APIClient().post(
            "/api/auth/token/", {"username": "agent", "password": f.PASSWORD, "client": "x"}, format="json"
        ),
        400,
        code="invalid_credentials",
    )
    assert ("is_active", "True", "False") in history(api_client(admin), agent)


def test_patching_active_off_deactivates_the_same_way_and_on_again_reactivates(admin, agent, api_client):
    key = key_of("agent")
    api = api_client(admin)
    assert (
        api.patch(f"/api/users/{agent.pk}/", {"is_active": False}, format="json").json()["is_active"] is False
    )
    assert_problem(signed_in(key).get("/api/auth/tokens/"), 401)
    assert (
        api.patch(f"/api/users/{agent.pk}/", {"is_active": True}, format="json").json()["is_active"] is True
    )
    assert_problem(signed_in(key).get("/api/auth/tokens/"), 401)  # a revoked token stays revoked
    assert key_of("agent")  # the password signs in again


def test_deactivating_needs_no_fix_of_older_data(admin, dealer, api_client):
    """A supervisor given a dealer before the rule existed can still be deactivated."""
    legacy = f.UserFactory(username="legacy", role=Role.SUPERVISOR, dealer=dealer)
    assert api_client(admin).post(f"/api/users/{legacy.pk}/deactivate/").status_code == 200


def test_r41_an_admin_sets_a_password_and_the_users_tokens_are_revoked(admin, agent, api_client):
    phone, laptop = key_of("agent", client="手机"), key_of("agent", client="笔记本")
    api = api_client(admin)
    assert_problem(
        api.post(f"/api/users/{agent.pk}/password/", {"password": "short"}, format="json"),
        400,
        field="password",
        code="password_too_short",
    )
    assert signed_in(phone).get("/api/auth/tokens/").status_code == 200  # a refused password changes nothing

    assert (
        api.post(f"/api/users/{agent.pk}/password/", {"password": STRONG}, format="json").status_code == 204
    )

    for key in (phone, laptop):
        assert_problem(signed_in(key).get("/api/auth/tokens/"), 401, code="token_invalid")
    assert set(ApiToken.objects.filter(user=agent).values_list("revoked_reason", flat=True)) == {
        TokenRevocation.PASSWORD_CHANGED
    }
    assert key_of("agent", STRONG)
    assert ("password", "", "New password set") in history(api, agent)
    stored = ChangeRecord.objects.values_list("old_value", "new_value")
    assert not [row for row in stored if STRONG in "".join(row)]  # never the password itself
    assert_problem(
        api.post(f"/api/users/{agent.pk}/password/", {}, format="json"),
        400,
        field="password",
        code="required",
    )


def test_a_null_password_turns_password_sign_in_off(admin, agent, api_client):
    key = key_of("agent")
    api = api_client(admin)
    assert api.post(f"/api/users/{agent.pk}/password/", {"password": None}, format="json").status_code == 204
    assert_problem(signed_in(key).get("/api/auth/tokens/"), 401)
    assert api.get(f"/api/users/{agent.pk}/").json()["has_usable_password"] is False


def test_r41_the_history_is_newest_first_and_paginated(admin, agent, api_client):
    api = api_client(admin)
    for name in ("一", "二", "三"):
        api.patch(f"/api/users/{agent.pk}/", {"first_name": name}, format="json")
    page = api.get(f"/api/users/{agent.pk}/history/", {"page_size": 2}).json()
    assert page["count"] == 3 and page["next"]
    assert [row["new_value"] for row in page["results"]] == ["三", "二"]
    assert_problem(api.get("/api/users/999999/history/"), 404)


def test_the_schema_describes_user_management(admin, api_client):
    paths = api_client(admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/users/"]) == {"get", "post"}
    assert set(paths["/api/users/{id}/"]) - {"parameters"} == {"get", "patch"}
    assert {"q", "role", "dealer", "is_active", "page"} <= {
        p["name"] for p in paths["/api/users/"]["get"]["parameters"]
    }
    for path, method, codes in (
        ("/api/users/", "post", {"201", "400", "401", "403"}),
        ("/api/users/{id}/", "patch", {"200", "400", "401", "403", "404"}),
        ("/api/users/{id}/deactivate/", "post", {"200", "401", "403", "404"}),
        ("/api/users/{id}/password/", "post", {"204", "400", "401", "403", "404"}),
        ("/api/users/{id}/history/", "get", {"200", "401", "403", "404"}),
    ):
        responses = paths[path][method]["responses"]
        assert codes <= set(responses), path
        problem = next(code for code in codes if code.startswith("4"))
        assert "application/problem+json" in responses[problem]["content"], path
    assert "page" in {p["name"] for p in paths["/api/users/{id}/history/"]["get"]["parameters"]}
