"""Jobs of the service-level context: thin Celery tasks calling the services."""

from celery import shared_task

from .services import sla_clocks_check


@shared_task
def sla_check_clocks() -> dict[str, int]:
    """Periodic (R34): warn of clocks at risk and escalate breached ones, each exactly once."""
    result = sla_clocks_check()
    return {"warned": result.warned, "escalated": result.escalated}
