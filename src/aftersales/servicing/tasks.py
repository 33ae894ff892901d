from celery import shared_task

from . import services


@shared_task
def external_repair_follow_ups() -> int:
    """Periodic (hourly, see apps.py): the due follow-up reminders of devices at vendors (R14).
    Idempotent: a reminder already written is not written or sent again."""
    return services.external_repairs_remind_due()


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (daily).
@shared_task
def maintenance_work_orders_generate() -> int:
    """Periodic (daily, R35): the maintenance work orders of the contracts' plans that are due
    (lead_days ahead), each exactly once; re-running it, or two at once, creates nothing twice."""
    return services.maintenance_work_orders_generate()
