"""The complaint response job (R26): an unanswered complaint at risk warns the assessors once, an
overdue one is escalated to the supervisors once; both are steps of the complaint's history and
its work order's timeline."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aftersales.accounts.choices import Role
from aftersales.notifications.services import notify

from ..choices import ResponseRisk
from ..models import Complaint
from ..selectors import users_with_roles
from ..transitions import COMPLAINT, complaint_step_record
from .complaints import company_language, complaint_url

# The periodic job's two alerts: (risk, stamp field, roles notified, notice title, history action).
RESPONSE_ALERTS = {
    ResponseRisk.OVERDUE: (
        "escalated_at",
        (Role.SUPERVISOR,),
        gettext_noop("Complaint %(number)s (%(severity)s) is overdue: no response since %(due)s"),
        "escalate",
    ),
    ResponseRisk.WARNING: (
        "warned_at",
        (Role.QUALITY,),
        gettext_noop("Complaint %(number)s (%(severity)s) must be answered by %(due)s"),
        "warn",
    ),
}


@transaction.atomic
def complaint_response_alert(*, complaint_id: int, at: datetime | None = None) -> str:
    """R26: warn the assessors (quality) once when an unanswered complaint is at risk, and
    escalate to the supervisors once when it is overdue. Returns the risk acted on ("warning",
    "overdue") or "" when there was nothing to do. Idempotent: `warned_at`/`escalated_at` are set
    under the row lock and the notices carry a key per complaint and alert."""
    at = at or timezone.now()
    complaint = COMPLAINT.lock(complaint_id)
    risk = complaint.response_risk(at)
    if risk not in RESPONSE_ALERTS:
        return ""
    stamp, roles, title, action = RESPONSE_ALERTS[risk]
    if getattr(complaint, stamp) is not None:
        return ""
    setattr(complaint, stamp, at)
    complaint.save(update_fields=[stamp, "updated_at"])
    with company_language():
        title = _(title) % {
            "number": complaint.number,
            "severity": complaint.get_severity_display(),
            "due": timezone.localtime(complaint.response_due_at).strftime("%Y-%m-%d %H:%M"),
        }
        notify(
            recipients=users_with_roles(*roles),
            title=title,
            url=complaint_url(complaint),
            key=f"complaint:{complaint.pk}:{risk}",
        )
    complaint_step_record(
        complaint,
        actor=None,
        action=action,
        from_state=complaint.state,
        history_note=title,
        params={"due": complaint.response_due_at},
    )
    return risk


def complaint_response_check(*, at: datetime | None = None) -> dict[str, int]:
    """R26: the periodic job's work: every unanswered complaint that became at risk or overdue
    and was not warned or escalated yet, one transaction each."""
    at = at or timezone.now()
    unanswered = Complaint.objects.filter(responded_at__isnull=True)
    ids = unanswered.filter(response_due_at__lte=at, escalated_at__isnull=True).values_list("pk", flat=True)
    warn_ids = unanswered.filter(
        response_warn_at__lte=at, response_due_at__gt=at, warned_at__isnull=True
    ).values_list("pk", flat=True)
    done = {ResponseRisk.WARNING.value: 0, ResponseRisk.OVERDUE.value: 0}
    for complaint_id in [*ids, *warn_ids]:
        risk = complaint_response_alert(complaint_id=complaint_id, at=at)
        if risk:
            done[risk] += 1
    return done
