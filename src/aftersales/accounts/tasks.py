"""Jobs of the accounts context: thin Celery tasks calling the services."""

from celery import shared_task

from .services_login import login_throttles_purge


@shared_task
def purge_login_throttles() -> int:
    """Periodic: forget sign-in failure counters that count nothing any more."""
    return login_throttles_purge()
