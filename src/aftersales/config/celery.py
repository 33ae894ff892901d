"""The Celery app (`celery -A aftersales.config.celery worker|beat`). Tasks are found in every
app's tasks.py. Web processes import it only to hand over a job (core/jobs.py, issue 9)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")

from django.conf import settings  # noqa: E402  (after the settings module is named)

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Settings write a time of day as crontab fields (they do not import Celery).
app.conf.beat_schedule = {
    name: {**entry, "schedule": crontab(**entry["schedule"])}
    if isinstance(entry["schedule"], dict)
    else entry
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
}
app.autodiscover_tasks()
