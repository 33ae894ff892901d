"""Jobs of the platform: thin Celery tasks calling the services."""

from celery import shared_task

from .services import idempotency_keys_purge


@shared_task
def purge_idempotency_keys() -> int:
    """Periodic (hourly): forget the API's Idempotency-Keys older than 24 hours."""
    return idempotency_keys_purge()
