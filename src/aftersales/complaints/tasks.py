"""Background jobs of complaints (R26): thin, idempotent, calling the service."""

from celery import shared_task

from .services import complaint_response_check


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (every 5 minutes).
@shared_task
def check_complaint_responses() -> dict[str, int]:
    """Periodic: warn about complaints at risk and escalate overdue ones, each once."""
    return complaint_response_check()
