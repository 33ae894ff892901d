"""Building blocks shared by every bounded context; no domain models live here."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyModel(models.Model):
    """Rows of history are written once and never changed or deleted (R41)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("History rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("History rows are append-only")


class SearchWords(models.Model):
    """The words a row is found by (core.search.SearchIndex): a subclass adds the row it indexes as
    its primary key (a one-to-one field); the database indexes `document` (its migration adds the
    operation of `SearchIndex.migration_operation`)."""

    document = models.TextField(default="", blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.pk}: {self.document[:40]}"


class NumberSequence(models.Model):
    """Per-prefix, per-day counter behind readable numbers such as WO202611220001."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["prefix", "day"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="core_numbersequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}:{self.last_value}"


class ChangeRecord(AppendOnlyModel):
    """One changed field of one audited object: who, when, old and new value (R41)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    field = models.CharField(_("field"), max_length=64)
    field_label = models.CharField(_("field label"), max_length=128, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class AccessLog(AppendOnlyModel):
    """Viewing, revealing or exporting customer personal data is logged: who, which record and
    field, when, why and from where (R41, PIPL). Rows written before reveals existed keep their
    `resource` and `detail` and have the newer columns empty."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Export")
        VIEW = "view", _("View")
        REVEAL = "reveal", _("Reveal")

    class Reason(models.TextChoices):
        RETURN_VISIT = "return_visit", _("Call the customer back")
        ON_SITE = "on_site", _("On-site service")
        IDENTITY = "identity", _("Verify identity")
        OTHER = "other", _("Other")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    resource = models.CharField(_("resource"), max_length=64)
    object_id = models.CharField(_("record"), max_length=64, blank=True, default="")
    field = models.CharField(_("field"), max_length=64, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True, default="")
    reason_text = models.CharField(_("reason (details)"), max_length=255, blank=True, default="")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "action", "created_at"], name="core_accesslog_actor_action")]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.resource}"


class ListPreference(models.Model):
    """The columns a user chose for one list (the others are hidden)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=64)
    hidden_columns = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["user", "list_key"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key"], name="core_listpreference_unique")
        ]
        verbose_name = _("list preference")
        verbose_name_plural = _("list preferences")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.list_key}"

    @classmethod
    def hidden_for(cls, user, list_key: str) -> set[str] | None:
        """The keys of the columns `user` hid on the list, or None when they never chose."""
        row = (
            cls.objects.filter(user=user, list_key=list_key).values_list("hidden_columns", flat=True).first()
        )
        return None if row is None else set(row)


class SavedFilter(models.Model):
    """A user's named filter of one list: the query string of the list page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=64)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["list_key", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key", "name"], name="core_savedfilter_unique")
        ]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")

    def __str__(self) -> str:
        return self.name


# How long a client may replay a request under the same Idempotency-Key (the hourly purge,
# core.tasks, forgets older keys).
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


class IdempotencyKey(models.Model):
    """A create or payment request sent with an `Idempotency-Key` header and the response it got
    (core.idempotency): the same user sending the same key again gets that response, and nothing
    is created twice. Written in the transaction of the rows the request created, so the key
    exists exactly when they do; `response_status` is empty only inside that transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body, canonical form")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="JSON")
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotencykey_once")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
