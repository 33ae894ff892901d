"""The outbox (every outgoing message is a row first, sent by a job after the commit) and the
in-app notifications behind the bell. This app knows users, never work orders."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import render
from aftersales.core.models import TimeStampedModel

from .choices import Channel, MessageStatus


class Message(TimeStampedModel):
    """One message to one recipient; the idempotency key makes a retried send a no-op."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject}"


class Notification(TimeStampedModel):
    """An in-app notice to one user, shown under the bell until read.

    The caller's `key` names the event (e.g. "sla-warning:42"); (key, recipient) is unique, so a
    retried or concurrent `notify` for the same event never shows a user the same notice twice.
    `url` is a path inside this site that the notice opens.

    A notice is shown in the reader's language: its heading and body are kept as their
    untranslated message (`title_msgid`, `body_msgid`) and parameters (`params`, see core.i18n)
    and rendered when shown (`shown_title`, `shown_body`). `title` and `body` hold the text as
    written for the recipient (in their language): what is shown for rows without a message
    (written before notices had one, or by callers that pass finished text).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("heading"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=128)
    title_msgid = models.CharField(_("heading message"), max_length=255, blank=True)
    body_msgid = models.TextField(_("body message"), blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "recipient"], name="notifications_notification_unique_key"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notifications_recipient_new"),
            # The bell counts a user's unread notices on every page.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notifications_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def shown_title(self) -> str:
        """The heading in the active language (the stored text for rows without a message)."""
        return render(self.title_msgid, self.params) if self.title_msgid else self.title

    @property
    def shown_body(self) -> str:
        if self.title_msgid:  # a notice with a message: its body is one too (or none)
            return render(self.body_msgid, self.params) if self.body_msgid else ""
        return self.body
