"""Queue a message (inside the caller's transaction) and deliver it (in a job); in-app
notifications for the bell (`notify`, mark read), shown in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from aftersales.core.errors import NotPermitted
from aftersales.core.i18n import render, stored_params
from aftersales.core.jobs import job_after_commit
from aftersales.core.phones import phone_display

from .channels import backend_for
from .choices import Channel, MessageStatus
from .models import Message, Notification

MAX_ATTEMPTS = 5
# Messages one outbox flush sends at most (the next run takes the rest).
FLUSH_BATCH = 100


def message_queue(*, channel: str, recipient: str, subject: str, body: str, key: str) -> Message:
    """Store the message; it leaves after the commit, never on rollback, and never inside the
    request: handed to a worker (OUTBOX_SEND_ON_COMMIT) or sent by the job process's flush."""
    message, created = Message.objects.get_or_create(
        idempotency_key=key,
        defaults={"channel": channel, "recipient": recipient, "subject": subject, "body": body},
    )
    if created and settings.OUTBOX_SEND_ON_COMMIT:
        # a message whose hand-over failed (broker down) stays pending; `outbox_flush` sends it
        job_after_commit("aftersales.notifications.tasks.send_message", message.pk)
    return message


def customer_message_queue(
    *,
    phone: str = "",
    email: str = "",
    subject: str,
    body: str,
    key_prefix: str,
    phone_channel: str = Channel.SMS,
    key_suffixes: Mapping[str, str] | None = None,
) -> list[Message]:
    """One message to a customer through the outbox (D50): by SMS to `phone` when there is one
    (or by `phone_channel`, e.g. WeChat), and by e-mail to `email` when there is one; the same
    subject and body on each channel. `phone` is stored as E.164 and sent in its display form.

    Each channel has its own idempotency key, `<key_prefix>:<suffix>`: the suffix is the channel's
    value ("sms", "email", "wechat") unless `key_suffixes` names another one for that channel
    (e.g. `{"sms": "customer-sms"}`). Returns the messages queued (already queued ones included),
    SMS first; nothing when neither a phone nor an address is given."""
    if phone_channel == Channel.EMAIL:
        raise ValueError("a phone is reached by SMS or WeChat; give the address as `email`")
    suffixes = {**{channel: channel for channel in Channel.values}, **(key_suffixes or {})}
    queued = []
    for channel, recipient in ((phone_channel, phone_display(phone)), (Channel.EMAIL, email.strip())):
        if recipient:
            queued.append(
                message_queue(
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    key=f"{key_prefix}:{suffixes[channel]}",
                )
            )
    return queued


def outbox_flush() -> int:
    """Send what is waiting in the outbox: messages never handed over (embedded mode, broker down),
    failed ones with attempts left, or ones whose worker died. Returns how many were tried."""
    ids = list(
        Message.objects.filter(
            status__in=[MessageStatus.PENDING, MessageStatus.FAILED], attempts__lt=MAX_ATTEMPTS
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:FLUSH_BATCH]
    )
    for message_id in ids:
        message_send(message_id=message_id)
    return len(ids)


def _deliver(message: Message) -> None:
    """One attempt through the message's channel; the caller saves the outcome."""
    message.attempts += 1
    try:
        backend_for(message.channel).send(
            recipient=message.recipient, subject=message.subject, body=message.body
        )
    except Exception as error:  # noqa: BLE001 - any gateway failure is retried later
        message.status = MessageStatus.FAILED
        message.last_error = str(error)[:2000]
    else:
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""


DELIVERY_FIELDS = ["attempts", "status", "sent_at", "last_error", "updated_at"]


def message_send(*, message_id: int) -> Message:
    """Deliver one pending message; a message already sent is never sent twice."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.SENT or message.attempts >= MAX_ATTEMPTS:
            return message
        _deliver(message)
        message.save(update_fields=DELIVERY_FIELDS)
        return message


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to queue with `messages_queue` (the fields of `message_queue`)."""

    channel: str
    recipient: str
    subject: str
    body: str
    key: str


def messages_queue(messages: Iterable[OutgoingMessage]) -> list[Message]:
    """`message_queue` for many messages at once (a periodic job's batch): stored with a few
    queries, idempotent per key, and handed over after the commit as one delivery job. Returns
    the messages new to the outbox."""
    drafts = {message.key: message for message in messages}
    known = set(Message.objects.filter(idempotency_key__in=drafts).values_list("idempotency_key", flat=True))
    fresh = [
        Message(channel=d.channel, recipient=d.recipient, subject=d.subject, body=d.body, idempotency_key=key)
        for key, d in drafts.items()
        if key not in known
    ]
    if not fresh:
        return []
    Message.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(Message.objects.filter(idempotency_key__in=[m.idempotency_key for m in fresh]))
    ids = [message.pk for message in created]
    if settings.OUTBOX_SEND_ON_COMMIT:
        job_after_commit("aftersales.notifications.tasks.send_messages", ids)
    return created


def messages_send(*, message_ids: list[int]) -> int:
    """Deliver the pending ones of `message_ids` in one transaction; a message already sent, or
    locked by another worker sending it right now, is skipped. Returns how many were sent."""
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk__in=message_ids, attempts__lt=MAX_ATTEMPTS)
            .exclude(status=MessageStatus.SENT)
        )
        for message in messages:
            _deliver(message)
        sent = [message.pk for message in messages if message.status == MessageStatus.SENT]
        now = timezone.now()
        Message.objects.filter(pk__in=sent).update(
            status=MessageStatus.SENT, attempts=F("attempts") + 1, sent_at=now, last_error="", updated_at=now
        )
        for message in messages:  # failures are rare: one by one, with their error
            if message.status != MessageStatus.SENT:
                message.save(update_fields=DELIVERY_FIELDS)
    return len(sent)


# -- in-app notifications (the bell) -----------------------------------------------------------


def _check_local_url(url: str) -> None:
    """A notice only links inside this site: a path, never another host (no open redirect)."""
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValidationError({"url": [_("Give a path inside this site, e.g. /workorders/42/.")]})


# A heading or body: finished text, or a message (a lazy translation or a msgid) with `params`.
Text = str | Promise


@dataclass(frozen=True)
class Notice:
    """One event to show under the bell of some users (the arguments of `notify`).

    With `params`, or a lazy translation as `title` (gettext_lazy), the title and body are
    messages: stored untranslated with their parameters and shown in the reader's language
    (core.i18n). Plain strings without `params` are finished text, shown as written (callers
    that still compose their text themselves)."""

    recipients: tuple[AbstractBaseUser, ...]
    title: Text
    key: str
    body: Text = ""
    url: str = ""
    params: Mapping[str, Any] | None = None

    @property
    def is_message(self) -> bool:
        return self.params is not None or isinstance(self.title, Promise)

    def message(self) -> dict[str, Any]:
        """The stored form of a message: its msgids and parameters (empty for finished text)."""
        if not self.is_message:
            return {}
        return {
            "title_msgid": _msgid(self.title),
            "body_msgid": _msgid(self.body),
            "params": stored_params(self.params),
        }

    def text_in(self, language: str, stored: Mapping[str, Any]) -> tuple[str, str]:
        """(title, body) as the recipient reads them: finished text as given, a message rendered
        in `language` from its stored parameters."""
        if not stored:
            return str(self.title), str(self.body)
        with translation.override(language):
            title = render(stored["title_msgid"], stored["params"])
            body = render(stored["body_msgid"], stored["params"]) if stored["body_msgid"] else ""
        return title, body


def _msgid(text: Text) -> str:
    if isinstance(text, Promise):
        with translation.override(None):
            return str(text)
    return text


def _language_of(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


@transaction.atomic
def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    title: Text,
    body: Text = "",
    url: str = "",
    key: str,
    params: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Show `title` under the bell of each active recipient, once per (key, recipient).

    `title` and `body` are messages shown in the reader's language when `params` are given or
    `title` is a lazy translation (`gettext_lazy("%(number)s: ... overdue")`, params
    `{"number": ...}`; see `Notice`), else finished text.

    Idempotent: a recipient who already has a notice with this `key` gets nothing new, so a
    retried job or two workers racing on the same event create no duplicates (the unique
    constraint settles the race; the loser's insert is skipped). Returns the notices created for
    the recipients who had none with this key before the call (empty on a retry).
    """
    notice = Notice(recipients=tuple(recipients), title=title, body=body, url=url, key=key, params=params)
    return notify_many([notice])


@transaction.atomic
def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """`notify` for many events at once (a periodic job's batch), in three queries whatever their
    number; the same idempotency per (key, recipient)."""
    rows: dict[tuple[str, int], Notification] = {}
    for notice in notices:
        _check_local_url(notice.url)
        stored = notice.message()
        texts: dict[str, tuple[str, str]] = {}  # per language: each is rendered once
        for user in notice.recipients:
            if user.pk is not None and user.is_active:
                language = _language_of(user)
                if language not in texts:
                    texts[language] = notice.text_in(language, stored)
                title, body = texts[language]
                rows[(notice.key, user.pk)] = Notification(
                    recipient_id=user.pk,
                    title=title[:255],
                    body=body,
                    url=notice.url,
                    key=notice.key,
                    **stored,
                )
    if not rows:
        return []
    keys = {key for key, _user in rows}
    users = {user for _key, user in rows}
    known = set(
        Notification.objects.filter(key__in=keys, recipient_id__in=users).values_list("key", "recipient_id")
    )
    fresh = [row for pair, row in rows.items() if pair not in known]
    if not fresh:
        return []
    for row in {
        row.key: row for row in fresh
    }.values():  # rows of one event differ in recipient and language only
        row.full_clean(exclude=["recipient"], validate_unique=False, validate_constraints=False)
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    wanted = {(row.key, row.recipient_id) for row in fresh}
    created = Notification.objects.filter(key__in=keys, recipient_id__in=users).order_by(
        "key", "recipient_id"
    )
    return [row for row in created if (row.key, row.recipient_id) in wanted]


@transaction.atomic
def notification_mark_read(*, notification_id: int, actor) -> Notification:
    """Mark one of the actor's own notices read (again: keeps the first read time)."""
    notification = Notification.objects.select_for_update().get(pk=notification_id)
    if notification.recipient_id != actor.pk:
        raise NotPermitted(_("This notification is addressed to someone else."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notice of the actor read; returns how many were unread."""
    now = timezone.now()
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
