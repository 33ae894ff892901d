"""The complaint response job (R26): an unanswered complaint at risk warns the assessors once, an
overdue one is escalated to the supervisors once; both are steps of the complaint's history and
its work order's timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from aftersales.accounts.models import User
from aftersales.accounts.selectors import StaffRouting, staff_routing
from aftersales.notifications.services import notify

from ..choices import ResponseRisk, Severity
from ..events import OVERDUE_TITLE, WARNING_TITLE
from ..models import Complaint
from ..transitions import COMPLAINT, complaint_step_record
from .complaints import complaint_url

# The periodic job's two alerts: (risk, stamp field, who is told, notice title, history action).
RESPONSE_ALERTS: dict[str, tuple[str, Callable[[StaffRouting], list[User]], Promise, str]] = {
    ResponseRisk.OVERDUE: ("escalated_at", lambda routing: routing.supervisors, OVERDUE_TITLE, "escalate"),
    ResponseRisk.WARNING: ("warned_at", lambda routing: routing.quality, WARNING_TITLE, "warn"),
}


@transaction.atomic
def complaint_response_alert(
    *, complaint_id: int, at: datetime | None = None, routing: StaffRouting | None = None
) -> str:
    """R26: warn the assessors (quality) once when an unanswered complaint is at risk, and
    escalate to the supervisors once when it is overdue. Returns the risk acted on ("warning",
    "overdue") or "" when there was nothing to do. Idempotent: `warned_at`/`escalated_at` are set
    under the row lock and the notices carry a key per complaint and alert. The notice and the
    step in the complaint's history are shown in the reader's language. `routing`: who is who,
    read once by the job for all its complaints."""
    at = at or timezone.now()
    complaint = COMPLAINT.lock(complaint_id)
    risk = complaint.response_risk(at)
    if risk not in RESPONSE_ALERTS:
        return ""
    stamp, recipients, title, action = RESPONSE_ALERTS[risk]
    if getattr(complaint, stamp) is not None:
        return ""
    setattr(complaint, stamp, at)
    complaint.save(update_fields=[stamp, "updated_at"])
    params = {
        "number": complaint.number,
        "severity": Severity(complaint.severity).label,
        "due": complaint.response_due_at,
    }
    notify(
        recipients=recipients(routing or staff_routing()),
        title=title,
        url=complaint_url(complaint),
        key=f"complaint:{complaint.pk}:{risk}",
        params=params,
    )
    complaint_step_record(complaint, actor=None, action=action, from_state=complaint.state, params=params)
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
    routing = staff_routing()
    for complaint_id in [*ids, *warn_ids]:
        risk = complaint_response_alert(complaint_id=complaint_id, at=at, routing=routing)
        if risk:
            done[risk] += 1
    return done
