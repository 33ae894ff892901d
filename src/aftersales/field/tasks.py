"""Background jobs of field service (R15, R21): thin, idempotent, calling the service."""

from celery import shared_task

from .services import signed_form_render, signed_forms_render_pending


@shared_task
def render_signed_form(signed_form_id: int) -> str:
    """After a sign-off is committed: its signed service form as a PDF attachment of the work
    order (once; a retry finds it ready). Returns the form's state."""
    return signed_form_render(signed_form_id=signed_form_id).state


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE.
@shared_task
def render_pending_signed_forms() -> int:
    """Periodic: the signed forms still pending (the embedded mode's way of rendering them, or a
    lost hand-over) and the failed ones, tried again."""
    return signed_forms_render_pending()
