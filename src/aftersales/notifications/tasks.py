from celery import shared_task

from .choices import MessageStatus
from .models import Message
from .services import MAX_ATTEMPTS, message_send, messages_send


@shared_task
def send_message(message_id: int) -> str:
    return message_send(message_id=message_id).status


@shared_task
def send_messages(message_ids: list[int]) -> int:
    """Deliver a batch queued by `messages_queue` (e.g. the SLA job's e-mails) in one go."""
    return messages_send(message_ids=message_ids)


@shared_task
def retry_pending_messages() -> int:
    """Periodic: resend messages whose first attempt failed or whose worker died."""
    ids = list(
        Message.objects.filter(
            status__in=[MessageStatus.PENDING, MessageStatus.FAILED], attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        message_send(message_id=message_id)
    return len(ids)
