"""In-app notifications (the bell): `notify` is idempotent per (key, recipient), users read only
their own notices (R37), and the SLA warnings and escalations reach people through it (R34)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted
from aftersales.notifications.models import Notification
from aftersales.notifications.selectors import notification_get, notification_list, notification_unread_count
from aftersales.notifications.services import (
    Notice,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    notify_many,
)

from .. import factories as f
from ..timeutil import at

pytestmark = pytest.mark.django_db


def warn(users, key: str = "sla-warning:1", **overrides) -> list[Notification]:
    data = dict(
        recipients=users,
        title="工单 WO202611220001 首次响应即将超时",
        body="已用 75% 时限",
        url="/workorders/1/",
        key=key,
    )
    data.update(overrides)
    return notify(**data)


def test_r34_notify_creates_one_notice_per_recipient():
    alice, bob = f.UserFactory(), f.UserFactory(role=Role.SUPERVISOR)

    created = warn([alice, bob, alice])

    assert sorted(n.recipient_id for n in created) == sorted([alice.pk, bob.pk])
    assert all(n.pk and n.read_at is None and n.url == "/workorders/1/" for n in created)
    assert Notification.objects.count() == 2


def test_r34_a_retried_notify_creates_nothing_new():
    alice, bob = f.UserFactory(), f.UserFactory()
    warn([alice])

    again = warn([alice, bob], title="changed title")

    assert [n.recipient_id for n in again] == [bob.pk]  # only the recipient who had none
    assert warn([alice, bob]) == []
    assert Notification.objects.filter(recipient=alice).get().title.startswith("工单")
    assert Notification.objects.count() == 2


def test_r34_another_key_is_another_notice():
    alice = f.UserFactory()
    warn([alice], key="sla-warning:1")
    warn([alice], key="sla-breach:1")

    assert notification_unread_count(user=alice) == 2


def test_the_database_refuses_a_duplicate_key_for_one_recipient():
    """The unique constraint is what settles two workers racing past the existence check."""
    alice = f.UserFactory()
    warn([alice])

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=alice, title="x", key="sla-warning:1")


def test_inactive_users_and_no_recipients_get_nothing():
    gone = f.UserFactory(is_active=False)

    assert warn([gone]) == []
    assert warn([]) == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("url", ["https://evil.example.com/", "//evil.example.com/", "workorders/1/"])
def test_a_notice_links_only_inside_the_site(url):
    with pytest.raises(ValidationError) as error:
        warn([f.UserFactory()], url=url)

    assert "url" in error.value.message_dict
    assert not Notification.objects.exists()


def test_r37_a_user_reads_only_their_own_notices():
    alice, bob = f.UserFactory(), f.UserFactory()
    (mine,) = warn([alice])
    (theirs,) = warn([bob])

    assert list(notification_list(user=alice)) == [mine]
    with pytest.raises(Notification.DoesNotExist):
        notification_get(user=alice, notification_id=theirs.pk)
    with pytest.raises(NotPermitted):
        notification_mark_read(notification_id=theirs.pk, actor=alice)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_keeps_the_first_read_time():
    alice = f.UserFactory()
    (notice,) = warn([alice])

    first = notification_mark_read(notification_id=notice.pk, actor=alice).read_at
    again = notification_mark_read(notification_id=notice.pk, actor=alice).read_at

    assert first is not None and again == first
    assert notification_unread_count(user=alice) == 0


def test_mark_all_read_touches_only_the_actor_and_unread_ones():
    alice, bob = f.UserFactory(), f.UserFactory()
    for number in range(3):
        warn([alice, bob], key=f"k{number}")

    assert notifications_mark_all_read(actor=alice) == 3
    assert notifications_mark_all_read(actor=alice) == 0
    assert (notification_unread_count(user=alice), notification_unread_count(user=bob)) == (0, 3)


def test_the_list_shows_unread_first_then_newest():
    alice = f.UserFactory()
    (old,) = warn([alice], key="old")
    (middle,) = warn([alice], key="middle")
    (new,) = warn([alice], key="new")
    notification_mark_read(notification_id=new.pk, actor=alice)

    assert list(notification_list(user=alice)) == [middle, old, new]


def test_r34_notify_many_writes_several_events_at_once_and_stays_idempotent(django_assert_max_num_queries):
    alice, bob = f.UserFactory(), f.UserFactory()
    notices = [
        Notice(recipients=(alice, bob), title="工单 WO1 即将超时", key="sla-warning:1", url="/workorders/1/"),
        Notice(recipients=(alice,), title="工单 WO2 已超时", key="sla-breach:2", url="/workorders/2/"),
    ]

    with django_assert_max_num_queries(5):  # savepoint, known pairs, insert, read back, release
        created = notify_many(notices)

    assert sorted((n.key, n.recipient_id) for n in created) == sorted(
        [("sla-warning:1", alice.pk), ("sla-warning:1", bob.pk), ("sla-breach:2", alice.pk)]
    )
    assert notify_many(notices) == []
    assert Notification.objects.count() == 3


# Notices in the reader's language -------------------------------------------------------------

OVERDUE = gettext_lazy("%(number)s: %(milestone)s overdue")  # a message the catalogue translates


def test_r34_a_message_is_stored_untranslated_with_its_parameters():
    """Given a notice written as a message, when it is stored, then its msgid and parameters are
    kept (lazy parameters as their msgid), and its plain text is the recipient's language."""
    chinese_reader = f.UserFactory(language="zh-hans")

    (notice,) = notify(
        recipients=[chinese_reader],
        title=OVERDUE,
        body=gettext_lazy("It was due by %(due)s; escalated to the supervisors."),
        params={"number": "WO1", "milestone": gettext_lazy("First response"), "due": at(2026, 11, 4, 18)},
        key="sla-breach:1",
    )

    assert notice.title_msgid == "%(number)s: %(milestone)s overdue"
    assert notice.params["milestone"] == {"msgid": "First response"}
    assert notice.title == "WO1：首次响应已超时"  # the fallback, written for its reader


def test_r34_a_message_is_shown_in_the_language_of_whoever_reads_it():
    (notice,) = notify(
        recipients=[f.UserFactory(language="zh-hans")],
        title=OVERDUE,
        params={"number": "WO1", "milestone": gettext_lazy("First response")},
        key="sla-breach:1",
    )

    with translation.override("en"):
        assert notice.shown_title == "WO1: First response overdue"
    with translation.override("zh-hans"):
        assert notice.shown_title == "WO1：首次响应已超时"


def test_finished_text_of_callers_that_compose_it_is_shown_as_written():
    """Backward compatible: a plain title and body without params are kept and shown as given."""
    (notice,) = warn([f.UserFactory()])

    assert (notice.title_msgid, notice.params) == ("", {})
    with translation.override("en"):
        assert notice.shown_title == "工单 WO202611220001 首次响应即将超时"
        assert notice.shown_body == "已用 75% 时限"


def test_a_plain_msgid_with_params_is_a_message_too():
    """`gettext_noop` text with `params` (a msgid kept in a table) is translated when shown."""
    (notice,) = notify(
        recipients=[f.UserFactory()],
        title="%(number)s: %(milestone)s overdue",
        params={"number": "WO2", "milestone": "—"},
        key="k",
    )

    with translation.override("zh-hans"):
        assert notice.shown_title == "WO2：—已超时"
