"""Return-visit API: scoped list filtered like the queue (R22, R37), one POST per transition
(R23, R24), the call-back request (R23), the report (R25); errors as JSON problems."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.feedback.choices import ReturnVisitKind, ReturnVisitState
from aftersales.feedback.models import ReturnVisit
from aftersales.workorders.choices import State
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db

LIST = "/api/return-visits/"
ANSWER = dict(score_timeliness=5, score_skill=4, score_attitude=5, score_effectiveness=4, score_overall=5)


def pending(work_order, kind=ReturnVisitKind.ROUTINE) -> ReturnVisit:
    return ReturnVisit.objects.get(work_order=work_order, kind=kind, state=ReturnVisitState.PENDING)


def test_r22_r41_list_is_scoped_filtered_masked_and_the_visit_shows_the_phone_to_the_caller(
    api_client, completed, quality, world
):
    visit = pending(completed(contact_phone="+8613812341234"))
    response = api_client(quality).get(LIST, {"state": "pending", "q": visit.work_order.number})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["number"] == visit.number and row["work_order"]["number"] == visit.work_order.number
    # a list is masked; the pending visit itself gives the caller the whole number (R41)
    assert row["contact_phone"] == "138****1234" and row["overdue"] is True
    assert api_client(quality).get(f"{LIST}{visit.pk}/").json()["contact_phone"] == "13812341234"
    assert api_client(world.staff_b).get(LIST).json()["count"] == 0  # another dealer's work (R37)
    assert_problem(api_client(world.staff_b).get(f"{LIST}{visit.pk}/"), 404)


def test_r22_list_runs_a_fixed_number_of_queries(api_client, completed, quality):
    for _ in range(3):
        completed()
    client = api_client(quality)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(3):
        completed()
    with CaptureQueriesContext(connection) as more:
        assert client.get(LIST).json()["count"] == 6
    assert len(more.captured_queries) == len(few.captured_queries)


def test_r24_record_and_r23_unsatisfied_reopens(api_client, completed, agent, quality):
    work_order = completed()
    visit = pending(work_order)
    response = api_client(agent).post(
        f"{LIST}{visit.pk}/record/", {**ANSWER, "score_overall": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "done" and response.json()["satisfied"] is False
    work_order.refresh_from_db()
    assert work_order.state == State.IN_SERVICE
    assert_problem(
        api_client(quality).post(f"{LIST}{visit.pk}/record/", ANSWER, format="json"),
        409,
        code="transition_not_allowed",
    )


def test_r24_record_validates_scores_and_roles(api_client, completed, quality, finance):
    visit = pending(completed())
    assert_problem(
        api_client(quality).post(f"{LIST}{visit.pk}/record/", {**ANSWER, "score_skill": 6}, format="json"),
        400,
        field="score_skill",
    )
    assert_problem(
        api_client(quality).post(
            f"{LIST}{visit.pk}/record/", {**ANSWER, "complaint": {"category": "attitude"}}, format="json"
        ),
        400,
        field="complaint.description",
    )
    assert_problem(api_client(finance).post(f"{LIST}{visit.pk}/record/", ANSWER, format="json"), 403)


def test_r22_call_failed_schedules_the_next_call(api_client, completed, quality):
    visit = pending(completed())
    response = api_client(quality).post(f"{LIST}{visit.pk}/call-failed/", {"result": "busy"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "pending" and body["attempts"] == 1 and body["calls"][0]["result"] == "busy"
    assert_problem(
        api_client(quality).post(f"{LIST}{visit.pk}/call-failed/", {"result": "reached"}, format="json"),
        400,
        field="result",
    )


def test_r23_callback_is_created_once(api_client, completed, engineer, world):
    work_order = completed()
    client = api_client(engineer.user)
    first = client.post(f"{LIST}callback/", {"work_order": work_order.pk}, format="json")
    assert first.status_code == 201 and first.json()["kind"] == "callback"
    again = client.post(f"{LIST}callback/", {"work_order": work_order.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert_problem(
        api_client(world.engineer_b.user).post(
            f"{LIST}callback/", {"work_order": work_order.pk}, format="json"
        ),
        400,
        field="work_order",
    )


def test_r25_report_endpoint(api_client, completed, quality, finance):
    visit = pending(completed())
    api_client(quality).post(f"{LIST}{visit.pk}/record/", {**ANSWER, "praise": "很好"}, format="json")
    month = ReturnVisit.objects.get(pk=visit.pk).finished_at.strftime("%Y-%m")
    body = api_client(quality).get(f"{LIST}report/", {"month": month}).json()
    assert body["total"]["done"] == 1 and body["total"]["praise"] == 1
    assert body["by_engineer"][0]["averages"]["overall"] == 5.0
    assert_problem(api_client(quality).get(f"{LIST}report/", {"start": "2026-10-01"}), 400)
    assert_problem(api_client(finance).get(f"{LIST}report/"), 403)
