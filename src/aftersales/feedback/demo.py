"""Demo data of the return visits (`manage.py demo_seed`): the visits scheduled while the demo's
work orders were completed are answered, through the services, in working hours after the work
order's last event (its closing, say) and mostly before they are due (R22): mostly satisfied
customers, some praise, a few unsatisfied (their work order reopens, R23), some unreachable, and a
few not reached yet, overdue once their due time has passed. Visits of work completed in the last
hours are not called yet. Deterministic (the seed's rng)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Max, Q

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.complaints.choices import ComplaintCategory
from aftersales.core.demo import last_working_moment, simulated_clock, working_moment

from .choices import AttemptResult, ReturnVisitState
from .models import ReturnVisit
from .services import return_visit_call_failed, return_visit_record

PRAISE = [
    "工程师准时到达，讲解很耐心，值得表扬",
    "维修速度快，态度好，非常感谢",
    "工程师技术过硬，一次就修好了",
    "服务周到，离开前还帮忙清洁了设备",
]
NEEDS = [
    "想了解延保套餐的价格",
    "希望安排一次设备保养培训",
    "需要再采购两台同型号打印机",
    "希望提供耗材定期配送服务",
]
COMMENTS = ["整体满意", "希望以后能提前电话确认上门时间", "设备目前运行正常", ""]
UNSATISFIED_COMMENTS = ["故障再次出现，打印仍然卡纸", "维修后噪音依旧很大", "问题没有彻底解决"]
FAILED = [AttemptResult.NO_ANSWER, AttemptResult.BUSY, AttemptResult.CALL_LATER]


def _scores(rng: random.Random, low: int, high: int) -> dict[str, int]:
    names = ("score_timeliness", "score_skill", "score_attitude", "score_effectiveness", "score_overall")
    return {name: rng.randint(low, high) for name in names}


def _answer(visit: ReturnVisit, rng: random.Random, at: datetime, service_centre: User) -> None:
    """One visit's outcome: 80 % satisfied, 5 % unsatisfied (some of them complain; the service
    centre's agent records those and so reopens the work order), 7 % unreachable, the rest one
    missed call and still pending."""
    actor = visit.assignee
    roll = rng.random()
    with simulated_clock(at):
        if roll < 0.80:
            return_visit_record(
                visit_id=visit.pk,
                actor=actor,
                **_scores(rng, 4, 5),
                praise=rng.choice(PRAISE) if rng.random() < 0.3 else "",
                other_needs=rng.choice(NEEDS) if rng.random() < 0.15 else "",
                comment=rng.choice(COMMENTS),
            )
        elif roll < 0.85:
            comment = rng.choice(UNSATISFIED_COMMENTS)
            complaint = rng.random() < 0.4
            return_visit_record(
                visit_id=visit.pk,
                actor=service_centre,
                **_scores(rng, 1, 2),
                comment=comment,
                complaint=complaint,
                complaint_detail=comment if complaint else "",
                complaint_category=ComplaintCategory.QUALITY,
            )
        else:
            calls = 3 if roll < 0.92 else 1
            for call in range(calls):
                with simulated_clock(working_moment(at + timedelta(hours=3 * call))):
                    return_visit_call_failed(visit_id=visit.pk, actor=actor, result=rng.choice(FAILED))


def return_visits_answer(*, rng: random.Random, now: datetime) -> None:
    """Call the pending visits whose work order has been quiet for a while, within a day or so and
    before they are due when the work order's last event leaves the time (nothing when the demo
    has no agent)."""
    visits = (
        ReturnVisit.objects.filter(state=ReturnVisitState.PENDING, assignee__isnull=False)
        # The last lifecycle step (its closing, say): later records of other apps do not count.
        .annotate(
            last_event=Max("work_order__events__created_at", filter=Q(work_order__events__kind="transition"))
        )
        .select_related("assignee")
        .order_by("pk")
    )
    service_centre = User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk").first()
    if service_centre is None:
        return
    latest = now - timedelta(hours=12)
    for visit in list(visits):
        at = working_moment(visit.last_event + timedelta(hours=rng.uniform(2, 30)))
        before_due = last_working_moment(visit.due_at - timedelta(hours=rng.uniform(1, 4)))
        if at > before_due > visit.last_event:
            at = before_due
        if at > latest:
            continue
        _answer(visit, rng, at, service_centre)
