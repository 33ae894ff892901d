"""Jobs of the devices context: thin Celery tasks calling the services."""

from celery import shared_task

from .services import contracts_expire, contracts_remind_expiring


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (daily).
@shared_task
def service_contracts_daily() -> dict[str, int]:
    """Periodic (R35): contracts past their last day expire; those ending within the reminder
    period remind their customer and seller, once each. Idempotent: re-running changes nothing."""
    return {"expired": contracts_expire(), "reminded": contracts_remind_expiring()}
