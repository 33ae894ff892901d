"""The notifications through the API, as the pages offer them: the user's own notices unread first
with an `unread` filter, the bell's count, marking one read (another user's is 404) and all read."""

from __future__ import annotations

import pytest

from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db

LIST = "/api/notifications/"


def notice(user, key: str) -> Notification:
    (created,) = notify(
        recipients=[user], title=f"Notice {key}", body="Body text", url="/workorders/", key=key
    )
    return created


@pytest.fixture
def alice():
    return f.UserFactory(username="alice")


def test_the_list_is_my_own_unread_first_and_filters_by_unread(api_client, alice):
    first, second = notice(alice, "a"), notice(alice, "b")
    notice(f.UserFactory(), "theirs")
    Notification.objects.filter(pk=second.pk).update(read_at=second.created_at)
    client = api_client(alice)

    body = client.get(LIST).json()
    unread = client.get(LIST, {"unread": "true"}).json()
    read = client.get(LIST, {"unread": "false"}).json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]
    assert body["results"][0] | {"created_at": None} == {
        "id": first.pk,
        "created_at": None,
        "title": "Notice a",
        "body": "Body text",
        "url": "/workorders/",
        "is_read": False,
        "read_at": None,
    }
    assert [row["id"] for row in unread["results"]] == [first.pk]
    assert [row["id"] for row in read["results"]] == [second.pk]


def test_an_unreadable_unread_filter_is_a_problem(api_client, alice):
    assert_problem(api_client(alice).get(LIST, {"unread": "maybe"}), 400, field="unread")


def test_the_unread_count_and_marking_one_read(api_client, alice):
    first, _second = notice(alice, "a"), notice(alice, "b")
    client = api_client(alice)
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 2}

    response = client.post(f"{LIST}{first.pk}/read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 1}
    read_at = first.read_at
    assert client.post(f"{LIST}{first.pk}/read/").status_code == 200
    first.refresh_from_db()
    assert first.read_at == read_at  # the first read time stays


def test_another_users_notification_is_not_found(api_client, alice):
    theirs = notice(f.UserFactory(), "theirs")

    assert_problem(api_client(alice).post(f"{LIST}{theirs.pk}/read/"), 404, code="not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_says_how_many(api_client, alice):
    notice(alice, "a"), notice(alice, "b")
    theirs = notice(f.UserFactory(), "theirs")
    client = api_client(alice)

    assert client.post(f"{LIST}read-all/").json() == {"marked": 2}
    assert client.post(f"{LIST}read-all/").json() == {"marked": 0}
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signed_out_is_refused(db):
    from rest_framework.test import APIClient

    assert_problem(APIClient().get(LIST), 401)
    assert_problem(APIClient().post(f"{LIST}read-all/"), 401)
