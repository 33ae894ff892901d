"""R24, R26: a complaint voiced on a return visit is registered through the complaints service,
linked to the work order, the engineer involved named; the return visit records it too."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.complaints.choices import ComplaintSource
from aftersales.complaints.models import Complaint
from aftersales.feedback.choices import ReturnVisitState
from aftersales.feedback.models import ReturnVisit
from aftersales.feedback.report import return_visit_report
from aftersales.feedback.services import return_visit_record

pytestmark = pytest.mark.django_db

ANSWER = dict(score_timeliness=2, score_skill=4, score_attitude=1, score_effectiveness=4, score_overall=3)


def test_r24_complaint_on_a_return_visit_starts_a_complaint(completed, quality, engineer):
    work_order = completed()
    visit = ReturnVisit.objects.get(work_order=work_order, state=ReturnVisitState.PENDING)
    return_visit_record(
        visit_id=visit.pk,
        actor=quality,
        **ANSWER,
        complaint=True,
        complaint_detail="工程师态度生硬，迟到一小时",
        complaint_category="attitude",
        complaint_severity="serious",
    )
    complaint = Complaint.objects.get(work_order=work_order)
    assert complaint.source == ComplaintSource.RETURN_VISIT
    assert (complaint.category, complaint.severity) == ("attitude", "serious")
    assert complaint.description == "工程师态度生硬，迟到一小时"
    assert list(complaint.people.all()) == [engineer.user]
    visit.refresh_from_db()
    assert visit.complaint and visit.satisfied  # overall 3: a complaint, yet not a new visit
    day = timezone.localdate(visit.finished_at)
    report = return_visit_report(quality, start=day, end=day)
    assert report.total.complaints == 1 and report.complaints == [visit]


def test_r24_no_complaint_no_complaint_record(completed, quality):
    work_order = completed()
    visit = ReturnVisit.objects.get(work_order=work_order, state=ReturnVisitState.PENDING)
    return_visit_record(visit_id=visit.pk, actor=quality, **ANSWER, complaint_detail="忽略")
    assert not Complaint.objects.exists()
    visit.refresh_from_db()
    assert not visit.complaint and visit.complaint_detail == ""
