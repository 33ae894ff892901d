"""Queue a message (inside the caller's transaction) and deliver it (in a job)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .channels import backend_for
from .choices import MessageStatus
from .models import Message

MAX_ATTEMPTS = 5


def message_queue(*, channel: str, recipient: str, subject: str, body: str, key: str) -> Message:
    """Store the message and send it after the commit; nothing leaves on rollback."""
    from .tasks import send_message

    message, created = Message.objects.get_or_create(
        idempotency_key=key,
        defaults={"channel": channel, "recipient": recipient, "subject": subject, "body": body},
    )
    if created:
        # robust: the caller's work is committed whatever happens here; a message whose hand-over
        # failed (broker down) stays pending and `retry_pending_messages` sends it later.
        transaction.on_commit(lambda: send_message.delay(message.pk), robust=True)
    return message


def message_send(*, message_id: int) -> Message:
    """Deliver one pending message; a message already sent is never sent twice."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.SENT or message.attempts >= MAX_ATTEMPTS:
            return message
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
        message.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"])
        return message
