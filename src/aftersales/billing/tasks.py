"""Background jobs of billing (R10): thin, idempotent, calling the service."""

from celery import shared_task

from .printing import receipt_document_store
from .services import invoice_reminders_send


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (hourly; each invoice once a day).
@shared_task
def remind_overdue_invoices() -> int:
    """Periodic: finance is reminded of every invoice not sent by its due day, once a day."""
    return invoice_reminders_send()


@shared_task
def store_receipt(payment_id: int) -> int:
    """After a payment or refund is committed: its receipt as a PDF attachment of the work order
    (once; a retry finds it). Returns the attachment's id."""
    return receipt_document_store(payment_id=payment_id).pk
