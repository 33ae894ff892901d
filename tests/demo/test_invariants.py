"""The demo company tells one consistent story (issue 12): what people did happened in working
hours, in the order the lifecycles allow and never after "now"; nothing hands-on (visit, part,
repair, quote part) hangs on work handled on the phone or cancelled; complaints and return visits
belong to the work they are about; return visits are mostly made on time; and the calendar shows
booked visits for today and the coming working days. Also: the command says what it is doing."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import timezone

from aftersales.billing.choices import LineKind
from aftersales.billing.models import QuoteLine
from aftersales.complaints.models import Complaint
from aftersales.core.demo import WORKDAY_END, WORKDAY_START, is_working_moment, working_days_from
from aftersales.feedback.choices import ReturnVisitState
from aftersales.feedback.models import ReturnVisit
from aftersales.field.models import Appointment, AppointmentState, SignOff, SupervisionCard, Visit, VisitPart
from aftersales.parts.models import OldPart
from aftersales.returns.models import ReturnRequest
from aftersales.servicing.models import DepotRepair, RemoteSession, ServicePlan
from aftersales.workorders import hooks
from aftersales.workorders.choices import State
from aftersales.workorders.demo import handled_remotely
from aftersales.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

LIFECYCLE_ORDER = ("accept", "assign", "start", "complete", "close")


def _first_transitions() -> dict[int, dict[str, object]]:
    """Per work order, when each lifecycle transition first happened."""
    first: dict[int, dict[str, object]] = defaultdict(dict)
    rows = WorkOrderEvent.objects.filter(kind="transition").order_by("created_at", "pk")
    for work_order_id, action, created_at in rows.values_list("work_order_id", "action", "created_at"):
        first[work_order_id].setdefault(action, created_at)
    return first


def test_the_command_prints_a_line_per_phase_with_the_seconds(demo):
    lines = demo.output.splitlines()
    phases = [line for line in lines if line.startswith("[") and " s] " in line]
    text = "\n".join(phases)
    for phase in ("Reference data", "People", "Customers: 60", "Work orders: 100, each", "Saving"):
        assert phase in text
    assert "Work orders: 100 of" not in text  # the running count is for the ~500 of a full seed
    for seeder in hooks.demo_seeders:
        assert f"{seeder.__name__}" in text
    seconds = [float(line[1:].split(" s]")[0]) for line in phases]
    assert seconds == sorted(seconds)
    assert "Demo data loaded in" in demo.output and phases[0] == lines[0]


def test_what_people_did_happened_in_working_hours_and_never_after_now(demo):
    events = WorkOrderEvent.objects.filter(actor__isnull=False)
    assert events.exists()
    outside = [
        (e.work_order_id, e.action, timezone.localtime(e.created_at))
        for e in events
        if not is_working_moment(e.created_at) or e.created_at > demo.now
    ]
    assert outside == []
    for visit in Visit.objects.exclude(arrived_at=None):
        assert is_working_moment(visit.arrived_at) and visit.arrived_at <= demo.now
        if visit.left_at:
            assert is_working_moment(visit.left_at) and visit.arrived_at < visit.left_at <= demo.now
    for visit in ReturnVisit.objects.exclude(finished_at=None):
        assert is_working_moment(visit.finished_at) and visit.finished_at <= demo.now
    for signoff in SignOff.objects.all():
        assert is_working_moment(signoff.signed_at) and signoff.signed_at <= demo.now
    for card in SupervisionCard.objects.exclude(submitted_at=None):
        assert is_working_moment(card.submitted_at) and card.submitted_at <= demo.now


def test_lifecycles_ran_in_order(demo):
    for work_order_id, first in _first_transitions().items():
        moments = [first[action] for action in LIFECYCLE_ORDER if action in first]
        assert moments == sorted(moments), work_order_id
    for order in WorkOrder.objects.exclude(completed_at=None):
        assert order.created_at <= order.completed_at <= demo.now


def test_nothing_hands_on_hangs_on_remote_or_cancelled_work(demo):
    remote = set(WorkOrder.objects.filter(handled_remotely()).values_list("pk", flat=True))
    cancelled = set(WorkOrder.objects.filter(state=State.CANCELLED).values_list("pk", flat=True))
    assert remote and cancelled
    hands_on_records = {
        "visits": Visit.objects.values_list("work_order_id", flat=True),
        "visit parts": VisitPart.objects.values_list("visit__work_order_id", flat=True),
        "appointments": Appointment.objects.values_list("work_order_id", flat=True),
        "old parts": OldPart.objects.values_list("work_order_id", flat=True),
        "depot repairs": DepotRepair.objects.values_list("work_order_id", flat=True),
        "plans with parts": ServicePlan.objects.exclude(parts="").values_list("work_order_id", flat=True),
        "quoted parts": QuoteLine.objects.filter(kind=LineKind.PART).values_list(
            "quote__work_order_id", flat=True
        ),
    }
    for name, work_order_ids in hands_on_records.items():
        assert not set(work_order_ids) & (remote | cancelled), name
    # A remote session solved the problem: its work order goes no further on site.
    solved = RemoteSession.objects.filter(state="solved").values_list("work_order_id", flat=True)
    assert not set(solved) & set(Visit.objects.values_list("work_order_id", flat=True))


def test_records_follow_the_work_they_are_about(demo):
    first = _first_transitions()
    for complaint in Complaint.objects.exclude(work_order=None).select_related("work_order"):
        assert complaint.customer_id == complaint.work_order.customer_id
        completed = first[complaint.work_order_id].get("complete")
        # (a demo seeded after hours has its last steps at the last working moment, together)
        assert completed is not None and completed <= complaint.created_at <= demo.now
    for request in ReturnRequest.objects.exclude(work_order=None).select_related("work_order"):
        assert request.customer_id == request.work_order.customer_id
        assert request.work_order.state != State.CANCELLED
        assert request.work_order.created_at <= request.created_at <= demo.now
    closings = defaultdict(list)
    for work_order_id, created_at in WorkOrderEvent.objects.filter(
        kind="transition", action="close"
    ).values_list("work_order_id", "created_at"):
        closings[work_order_id].append(created_at)
    for visit in ReturnVisit.objects.exclude(finished_at=None):
        assert visit.work_completed_at < visit.finished_at
        # The work was closed before the customer was called back, never after (R22).
        closed = [moment for moment in closings[visit.work_order_id] if moment > visit.work_completed_at]
        assert not closed or min(closed) <= visit.finished_at
    for part in OldPart.objects.all():
        started = first[part.work_order_id].get("start")
        assert started is not None and started <= part.replaced_at <= demo.now
    for visit in Visit.objects.exclude(arrived_at=None).select_related("work_order"):
        started = first[visit.work_order_id].get("start")
        assert started is not None and started <= visit.arrived_at
        completed = visit.work_order.completed_at  # the last completion (a reopened order's too)
        assert completed is None or visit.arrived_at < completed


def test_r22_return_visits_are_mostly_made_on_time_a_few_overdue(demo):
    due = ReturnVisit.objects.filter(due_at__lte=demo.now) | ReturnVisit.objects.exclude(finished_at=None)
    due = due.exclude(state=ReturnVisitState.CANCELLED).distinct()
    on_time = [v for v in due if v.finished_at is not None and v.finished_at <= v.due_at]
    overdue = [v for v in due if v.state == ReturnVisitState.PENDING and v.due_at < demo.now]
    assert len(due) >= 10
    assert len(on_time) >= 0.8 * len(due)
    assert overdue


def test_r12_visits_are_booked_for_today_and_the_coming_working_days(demo):
    days = working_days_from(timezone.localdate(demo.now), 3)
    booked = Appointment.objects.filter(state=AppointmentState.BOOKED, date__in=days).select_related(
        "work_order"
    )
    for day in days:
        engineers = {a.engineer_id for a in booked if a.date == day}
        assert len(engineers) >= 3, day
    for appointment in booked:
        assert WORKDAY_START <= appointment.window_start < appointment.window_end <= WORKDAY_END
        # (in service or on hold: a follow-up visit, booked for when the parts are there, say)
        assert appointment.work_order.state in (State.ASSIGNED, State.IN_SERVICE, State.WAITING)
        assert appointment.created_at <= demo.now and is_working_moment(appointment.created_at)
        assert appointment.work_order.engineer_id == appointment.engineer_id
