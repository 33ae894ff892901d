"""Return-visit pages: the queue with its filters and export (R22), the return-visit form and its
outcomes (R23, R24), the call-back button and the panel on the work-order page (R23)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.feedback.choices import ReturnVisitKind, ReturnVisitState
from aftersales.feedback.models import ReturnVisit
from aftersales.workorders.choices import State
from tests.timeutil import at, frozen

from .. import factories as f

pytestmark = pytest.mark.django_db

ANSWER = {
    "score_timeliness": "5",
    "score_skill": "4",
    "score_attitude": "5",
    "score_effectiveness": "4",
    "score_overall": "5",
    "praise": "赵工很专业",
    "complaint_category": "other",
    "complaint_severity": "general",
}


def pending(work_order, kind=ReturnVisitKind.ROUTINE) -> ReturnVisit:
    return ReturnVisit.objects.get(work_order=work_order, kind=kind, state=ReturnVisitState.PENDING)


def test_r22_queue_shows_my_pending_visits_overdue_first_by_default(client, completed, quality, make_user):
    other = make_user(Role.QUALITY, username="quality2")
    late = pending(completed(at(2026, 11, 2, 10, 0)))  # due 5 November: overdue on the 20th
    soon = pending(completed(at(2026, 11, 18, 10, 0)))  # the other quality user's (least loaded)
    mine_later = pending(completed(at(2026, 11, 19, 10, 0)))
    assert late.assignee == quality and soon.assignee == other and mine_later.assignee == quality
    client.force_login(quality)
    with frozen(at(2026, 11, 20, 9, 0)):
        response = client.get(reverse("feedback:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(late.number) < html.index(mine_later.number)
    assert soon.number not in html  # not mine
    assert 'data-testid="nav-return-visits"' in html


def test_r22_queue_filters_search_and_htmx_partial(client, completed, quality, point):
    first = pending(completed(customer=f.CustomerFactory(name="杭州云栖贸易有限公司")))
    second = pending(completed())
    client.force_login(quality)
    response = client.get(reverse("feedback:list"), {"q": "云栖", "state": "pending"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<nav" not in html  # only the table
    assert first.number in html and second.number not in html
    response = client.get(reverse("feedback:list"), {"service_point": point.pk, "due": "overdue"})
    assert second.number in response.content.decode()  # due 10 October
    response = client.get(reverse("feedback:list"), {"due": "later"})
    assert second.number not in response.content.decode()
    response = client.get(reverse("feedback:list"), {"state": "done"})
    assert 'data-testid="empty"' in response.content.decode()


def test_r22_queue_export_is_filtered_and_logged(client, completed, quality):
    visit = pending(completed(contact_phone="+8613812341234"))
    client.force_login(quality)
    response = client.get(reverse("feedback:export"), {"state": "pending"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Visit number" and rows[1][0] == visit.number
    # an export is masked (the caller reads the number on the visit's page); it is logged (R41)
    assert "138****1234" in rows[1] and "13812341234" not in rows[1]
    assert AccessLog.objects.filter(
        actor=quality, action=AccessLog.Action.EXPORT, resource="return_visits"
    ).exists()


def test_r22_queue_and_report_are_for_return_visit_roles(client, finance, completed):
    completed()
    client.force_login(finance)
    assert client.get(reverse("feedback:list")).status_code == 403
    assert client.get(reverse("feedback:report")).status_code == 403
    assert 'data-testid="nav-return-visits"' not in client.get(reverse("home")).content.decode()


def test_r24_form_records_the_answer_and_goes_back_to_the_work_order(client, completed, agent):
    work_order = completed(contact_phone="+8613812341234")
    visit = pending(work_order)
    client.force_login(agent)
    page = client.get(reverse("feedback:visit", args=[visit.pk])).content.decode()
    assert 'data-testid="rv-answer-form"' in page and "13812341234" in page  # agents call customers
    response = client.post(reverse("feedback:record", args=[visit.pk]), ANSWER)
    assert (
        response.status_code == 302
        and response.url == reverse("workorders:detail", args=[work_order.pk]) + "?tab=feedback#return-visits"
    )
    visit.refresh_from_db()
    assert visit.state == ReturnVisitState.DONE and visit.satisfied and visit.praise == "赵工很专业"
    detail = client.get(response.url).content.decode()
    assert 'data-testid="return-visits-panel"' in detail and visit.number in detail and "赵工很专业" in detail


def test_r24_form_shows_field_errors_and_saves_nothing(client, completed, quality):
    visit = pending(completed())
    client.force_login(quality)
    data = {**ANSWER, "score_skill": "", "complaint": "on", "complaint_detail": ""}
    response = client.post(reverse("feedback:record", args=[visit.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html or "Give a score" in html
    visit.refresh_from_db()
    assert visit.state == ReturnVisitState.PENDING
    data = {**ANSWER, "complaint": "on", "complaint_detail": ""}
    response = client.post(reverse("feedback:record", args=[visit.pk]), data)
    assert response.status_code == 400 and "Describe the complaint." in response.content.decode()


def test_r23_unsatisfied_answer_on_the_form_reopens_the_work_order(client, completed, agent):
    work_order = completed()
    visit = pending(work_order)
    client.force_login(agent)
    response = client.post(reverse("feedback:record", args=[visit.pk]), {**ANSWER, "score_overall": "2"})
    assert response.status_code == 302
    work_order.refresh_from_db()
    assert work_order.state == State.IN_SERVICE
    page = client.get(response.url).content.decode()
    assert 'data-state="in_service"' in page and "unsatisfied" in page


def test_r22_missed_call_on_the_form_is_logged_and_back_to_the_queue(client, completed, quality):
    visit = pending(completed())
    client.force_login(quality)
    response = client.post(
        reverse("feedback:call_failed", args=[visit.pk]), {"result": "no_answer", "note": "无人接听"}
    )
    assert response.status_code == 302 and response.url == reverse("feedback:list")
    visit.refresh_from_db()
    assert visit.attempts == 1 and visit.calls.get().note == "无人接听"
    page = client.get(reverse("feedback:visit", args=[visit.pk])).content.decode()
    assert "无人接听" in page and 'data-testid="rv-call"' in page


def test_r24_form_is_read_only_for_other_roles_and_scoped(client, completed, finance, world):
    visit = pending(completed())
    client.force_login(finance)
    page = client.get(reverse("feedback:visit", args=[visit.pk])).content.decode()
    assert 'data-testid="rv-answer-form"' not in page
    assert client.post(reverse("feedback:record", args=[visit.pk]), ANSWER).status_code == 403
    client.force_login(world.staff_b)  # another dealer's staff: not in scope
    assert client.get(reverse("feedback:visit", args=[visit.pk])).status_code == 404


def test_r23_call_back_button_on_the_completed_work_order(client, completed, engineer):
    work_order = completed()
    client.force_login(engineer.user)
    detail = client.get(reverse("workorders:detail", args=[work_order.pk]) + "?tab=feedback").content.decode()
    assert 'data-testid="callback-request"' in detail and "call back in 3 h" in detail
    response = client.post(reverse("feedback:callback", args=[work_order.pk]), follow=True)
    html = response.content.decode()
    callback = pending(work_order, ReturnVisitKind.CALLBACK)
    assert f"Call-back {callback.number} scheduled" in html
    assert 'data-testid="callback-request"' not in html  # asked once; the panel lists it
    response = client.post(reverse("feedback:callback", args=[work_order.pk]), follow=True)
    assert "already scheduled" in response.content.decode()
    assert ReturnVisit.objects.filter(kind=ReturnVisitKind.CALLBACK).count() == 1


def test_r23_no_call_back_button_for_others_or_before_completion(client, completed, world, run, agent):
    work_order = completed()
    client.force_login(world.engineer_b.user)
    assert client.post(reverse("feedback:callback", args=[work_order.pk])).status_code == 404  # not in scope
    run(work_order, "close")
    client.force_login(agent)
    detail = client.get(reverse("workorders:detail", args=[work_order.pk]) + "?tab=feedback").content.decode()
    assert 'data-testid="callback-request"' not in detail


def test_r22_home_panel_counts_my_visits(client, completed, quality):
    visit = pending(completed(at(2026, 11, 2, 10, 0)))
    client.force_login(quality)
    with frozen(at(2026, 11, 20, 9, 0)):
        html = client.get(reverse("home")).content.decode()
    assert 'data-testid="rv-home"' in html and visit.number in html and "1 overdue" in html


def test_r22_timeline_and_notice_of_a_new_visit_read_in_the_readers_language(client, completed, quality):
    """Given a return visit scheduled on completion, its timeline event and the assignee's notice
    read English to an English reader and Chinese to a Chinese one: both keep parameters, not text
    written in one language."""
    work_order = completed()
    visit = pending(work_order)
    client.force_login(quality)
    pages = (
        reverse("workorders:detail", args=[work_order.pk]) + "?tab=timeline",
        reverse("notifications:list"),
    )

    english = "".join(client.get(page).content.decode() for page in pages)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = "".join(client.get(page).content.decode() for page in pages)

    assert f"Return visit {visit.number} due 2026-10-10 15:00, assigned to 郭明辉" in english
    assert f"Return visit {visit.number} for work order {work_order.number}, due 2026-10-10 15:00" in english
    assert f"回访 {visit.number}，期限 2026-10-10 15:00，回访人：郭明辉" in chinese
    assert f"工单 {work_order.number} 的回访 {visit.number}，请于 2026-10-10 15:00 前完成" in chinese


def test_r22_queue_query_count_does_not_grow_with_the_visits(client, completed, quality):
    """The queue's cells (links, state, round, masked phone, engineer, assignee) come from the
    rows' one query, whatever their number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("feedback:list"), {"state": "pending"}).status_code == 200
        return len(queries)

    completed()
    client.force_login(quality)
    few = count()
    for _ in range(5):
        completed()
    assert ReturnVisit.objects.count() == 6 and count() == few


def test_r22_assigned_to_me_box_is_ticked_by_default_and_sends_true(client, completed, quality, make_user):
    """The box the browser submits as `mine=true` (a plain box would send "on", read as unknown)."""
    make_user(Role.QUALITY, username="quality2")
    mine = pending(completed(at(2026, 11, 2, 10, 0)))
    theirs = pending(completed(at(2026, 11, 18, 10, 0)))
    assert mine.assignee == quality and theirs.assignee != quality
    client.force_login(quality)
    page = client.get(reverse("feedback:list")).content.decode()
    box = page.split('name="mine"')[1].split(">")[0]
    assert 'value="true"' in box and "checked" in box
    html = client.get(reverse("feedback:list"), {"q": "", "mine": "true"}).content.decode()
    assert mine.number in html and theirs.number not in html
    html = client.get(reverse("feedback:list"), {"q": ""}).content.decode()  # box unticked: everyone's
    assert mine.number in html and theirs.number in html
