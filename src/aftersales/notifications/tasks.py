from celery import shared_task

from .services import message_send, messages_send, outbox_flush


@shared_task
def send_message(message_id: int) -> str:
    return message_send(message_id=message_id).status


@shared_task
def send_messages(message_ids: list[int]) -> int:
    """Deliver a batch queued by `messages_queue` (e.g. the SLA job's e-mails) in one go."""
    return messages_send(message_ids=message_ids)


@shared_task
def flush_outbox() -> int:
    """Periodic: send what waits in the outbox (see `outbox_flush`)."""
    return outbox_flush()
