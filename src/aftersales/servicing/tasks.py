from celery import shared_task

from .services import external_repairs_remind_due


@shared_task
def external_repair_follow_ups() -> int:
    """Periodic (hourly, see apps.py): the due follow-up reminders of devices at vendors (R14).
    Idempotent: a reminder already written is not written or sent again."""
    return external_repairs_remind_due()
