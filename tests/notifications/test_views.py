"""The bell and the "my notifications" page: unread count, unread first, paginated, opening a
notice marks it read and follows its link; only the user's own notices (R37)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify

from .. import factories as f
from ..timeutil import at

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
BELL = reverse("notifications:bell")


@pytest.fixture
def alice(client):
    user = f.UserFactory(username="alice")
    client.force_login(user)
    return user


def notice(user, key: str, url: str = "/workorders/") -> Notification:
    (created,) = notify(recipients=[user], title=f"Notice {key}", body="Body text", url=url, key=key)
    return created


def test_every_page_has_the_bell_that_polls_the_count_without_a_query(client, alice):
    response = client.get(reverse("home"))

    assert f'hx-get="{BELL}"'.encode() in response.content
    assert b'data-testid="notification-bell-slot"' in response.content


def test_the_bell_shows_the_unread_count(client, alice, django_assert_num_queries):
    notice(alice, "a")
    notice(alice, "b")
    notice(f.UserFactory(), "a")

    with django_assert_num_queries(3):  # session, user, count
        response = client.get(BELL, HTTP_HX_REQUEST="true")

    assert b'data-testid="notification-count">2<' in response.content


def test_the_bell_without_unread_shows_no_badge(client, alice):
    response = client.get(BELL)

    assert b"notification-count" not in response.content


def test_the_bell_stops_polling_once_logged_out(client):
    assert client.get(BELL).status_code == 286


def test_r37_the_page_lists_my_notices_unread_first(client, alice):
    read = notice(alice, "read")
    unread = notice(alice, "unread")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    other = notice(f.UserFactory(), "other")

    response = client.get(LIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index(f"notice-{unread.pk}") < content.index(f"notice-{read.pk}")
    assert f"notice-{other.pk}" not in content
    assert 'data-testid="unread-count">1 unread<' in content


def test_the_page_is_paginated(client, alice):
    for number in range(30):
        notice(alice, f"n{number}")

    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()

    assert first.count('data-testid="notice-') == 25
    assert second.count('data-testid="notice-') == 5


def test_the_empty_page_says_so(client, alice):
    assert b'data-testid="notifications-empty"' in client.get(LIST).content


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, alice):
    item = notice(alice, "open", url="/workorders/?q=WO1")

    response = client.post(reverse("notifications:open", args=[item.pk]))

    item.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == "/workorders/?q=WO1"
    assert item.read_at is not None


def test_a_notice_without_link_opens_the_list(client, alice):
    item = notice(alice, "nolink", url="")

    response = client.post(reverse("notifications:open", args=[item.pk]))

    assert response["Location"] == LIST


def test_r37_someone_elses_notice_cannot_be_opened(client, alice):
    item = notice(f.UserFactory(), "theirs")

    assert client.post(reverse("notifications:open", args=[item.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[item.pk])).status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_read(client, alice):
    notice(alice, "a")
    notice(alice, "b")

    response = client.post(reverse("notifications:mark_all_read"))

    assert response["Location"] == LIST
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_the_page_needs_a_login(client):
    assert client.get(LIST).status_code == 302


def test_r34_the_page_shows_each_notice_in_the_readers_language(client, alice):
    """Given a notice written as a message while Chinese was active, when Alice reads her
    notifications in English, then it reads English; switched to Chinese, it reads Chinese."""
    with translation.override("zh-hans"):
        notify(
            recipients=[alice],
            title=gettext_lazy("%(number)s: %(milestone)s at risk"),
            body=gettext_lazy("%(percent)s%% of the time allowed is used; due by %(due)s."),
            params={
                "number": "WO202611020001",
                "milestone": gettext_lazy("First response"),
                "percent": 75,
                "due": at(2026, 11, 4, 18),
            },
            key="sla-warning:1",
        )

    english = client.get(LIST).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(LIST).content.decode()

    assert "WO202611020001: First response at risk" in english
    assert "75% of the time allowed is used; due by 2026-11-04 18:00." in english
    assert "WO202611020001：首次响应即将超时" in chinese
    assert "时限已用去 75%，须于 2026-11-04 18:00 前完成。" in chinese


def test_an_old_notice_without_a_message_is_shown_as_stored(client, alice):
    Notification.objects.create(recipient=alice, title="工单 WO1 即将超时", body="旧的通知", key="old")

    page = client.get(LIST).content.decode()

    assert "工单 WO1 即将超时" in page and "旧的通知" in page
