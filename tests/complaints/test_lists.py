"""The complaint and difficult-case lists as the quality office and the case team use them: the
complaints fed back and the cases resolved are closed in bulk by the roles that may (each through
its lifecycle, a refused one named), others are not offered it (R26, R27); the export of the
ticked rows and the phones it shows (R41)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.complaints.choices import CaseState, ComplaintState
from aftersales.complaints.models import Complaint, DifficultCase
from aftersales.complaints.services import case_open, case_transition
from aftersales.core.models import AccessLog

from .. import factories as f

pytestmark = pytest.mark.django_db

COMPLAINTS = "/complaints/"
CASES = "/complaints/cases/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def offered(client, url: str) -> list[str]:
    return [action.name for action, _form in client.get(url).context["bulk_actions"]]


@pytest.fixture
def fed_back(register, advance):
    def make():
        return advance(register(f.WorkOrderFactory()), "accept", "analyse", "handle", "feed_back")

    return make


def test_r26_complaints_fed_back_are_closed_in_bulk_and_a_registered_one_is_reported(
    client, register, fed_back, clerk
):
    """Given two complaints fed back to their customers and one just registered, when the clerk
    ticks all three and closes them, then the two are closed and archived and the registered one
    is named as refused, left as it was."""
    first, second = fed_back(), fed_back()
    fresh = register(f.WorkOrderFactory())
    client.force_login(clerk)
    assert offered(client, COMPLAINTS) == ["close"]

    response = client.post(
        COMPLAINTS, {"bulk_action": "close", "ids": [first.pk, second.pk, fresh.pk]}, follow=True
    )

    states = dict(Complaint.objects.values_list("pk", "state"))
    assert states == {
        first.pk: ComplaintState.CLOSED,
        second.pk: ComplaintState.CLOSED,
        fresh.pk: ComplaintState.REGISTERED,
    }
    assert Complaint.objects.get(pk=first.pk).closed_at is not None
    texts = messages_of(response)
    assert any("2 done" in text for text in texts)
    assert any(text.startswith(fresh.number) for text in texts)


def test_r26_roles_that_do_not_archive_are_not_offered_bulk_close_and_are_refused(client, fed_back, agent):
    complaint = fed_back()
    client.force_login(agent)
    page = client.get(COMPLAINTS)
    assert page.context["bulk_actions"] == [] and 'data-testid="bulk-close"' not in page.content.decode()

    response = client.post(COMPLAINTS, {"bulk_action": "close", "ids": [complaint.pk]}, follow=True)

    assert "Choose an action you may take." in messages_of(response)
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.FED_BACK


def test_r41_export_of_the_ticked_complaints_only_logged_and_phones_masked_for_every_role(
    client, register, clerk, finance
):
    ticked = register(f.WorkOrderFactory(), contact_phone="+8613812341234")
    register(f.WorkOrderFactory())
    client.force_login(clerk)
    response = client.post(COMPLAINTS, {"bulk_action": "export", "ids": [ticked.pk]})
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [ticked.number] and "138****1234" in rows[1]
    assert AccessLog.objects.filter(action="export", resource="complaints", actor=clerk).exists()

    client.force_login(finance)
    rows = list(
        load_workbook(
            BytesIO(client.get(COMPLAINTS, {"export": "xlsx", "q": ticked.number}).getvalue())
        ).active.iter_rows(values_only=True)
    )
    assert rows[1][0] == ticked.number and "138****1234" in rows[1] and "13812341234" not in rows[1]


@pytest.fixture
def resolved(clerk, supervisor):
    def make():
        case = case_open(work_order=f.WorkOrderFactory(), handler=clerk, actor=supervisor, note="立案")
        case_transition(case_id=case.pk, action="start", actor=clerk)
        return case_transition(case_id=case.pk, action="resolve", actor=clerk, result="更换主板")

    return make


def test_r27_resolved_cases_are_closed_in_bulk_and_an_open_one_is_reported(
    client, resolved, clerk, supervisor
):
    first, second = resolved(), resolved()
    still_open = case_open(work_order=f.WorkOrderFactory(), handler=clerk, actor=supervisor, note="立案")
    client.force_login(supervisor)
    assert offered(client, CASES) == ["close"]

    response = client.post(
        CASES, {"bulk_action": "close", "ids": [first.pk, second.pk, still_open.pk]}, follow=True
    )

    states = dict(DifficultCase.objects.values_list("pk", "state"))
    assert states == {first.pk: CaseState.CLOSED, second.pk: CaseState.CLOSED, still_open.pk: CaseState.OPEN}
    texts = messages_of(response)
    assert any("2 done" in text for text in texts)
    assert any(text.startswith(still_open.number) for text in texts)


def test_r27_a_handler_outside_the_case_team_is_not_offered_bulk_close_and_is_refused(
    client, clerk, supervisor, engineer
):
    """An engineer handling a case works it, but closing stays with the case team."""
    case = case_open(work_order=f.WorkOrderFactory(), handler=engineer.user, actor=supervisor, note="立案")
    case_transition(case_id=case.pk, action="start", actor=engineer.user)
    case_transition(case_id=case.pk, action="resolve", actor=engineer.user, result="更换主板")
    client.force_login(engineer.user)
    assert offered(client, CASES) == []

    response = client.post(CASES, {"bulk_action": "close", "ids": [case.pk]}, follow=True)

    assert "Choose an action you may take." in messages_of(response)
    assert DifficultCase.objects.get(pk=case.pk).state == CaseState.RESOLVED


# --- the lists' bulk close through the API (issue 13) -----------------------------------------------


def test_r26_complaints_fed_back_are_closed_in_bulk_through_the_api_each_reported(
    api_client, register, fed_back, clerk
):
    first = fed_back()
    fresh = register(f.WorkOrderFactory())

    response = api_client(clerk).post(
        "/api/complaints/bulk/", {"action": "close", "ids": [first.pk, fresh.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["done"], body["refused"], body["not_found"]) == (1, 1, 0)
    assert [(r["number"], r["outcome"]) for r in body["results"]] == [
        (first.number, "done"),
        (fresh.number, "refused"),
    ]
    states = dict(Complaint.objects.values_list("pk", "state"))
    assert states == {first.pk: ComplaintState.CLOSED, fresh.pk: ComplaintState.REGISTERED}


def test_r26_bulk_close_through_the_api_refuses_the_roles_that_do_not_archive_403(
    api_client, fed_back, agent
):
    """Only company-wide roles close complaints (and cases), so no scoped user reaches the rows."""
    from tests.api.helpers import assert_problem

    complaint = fed_back()
    body = {"action": "close", "ids": [complaint.pk]}

    assert_problem(api_client(agent).post("/api/complaints/bulk/", body, format="json"), 403)
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.FED_BACK


def test_r27_resolved_cases_are_closed_in_bulk_through_the_api_and_an_open_one_refused(
    api_client, resolved, clerk, supervisor, engineer
):
    from tests.api.helpers import assert_problem

    done = resolved()
    still_open = case_open(work_order=f.WorkOrderFactory(), handler=clerk, actor=supervisor, note="立案")
    url = "/api/difficult-cases/bulk/"

    response = api_client(supervisor).post(
        url, {"action": "close", "ids": [done.pk, still_open.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [(r["number"], r["outcome"]) for r in response.json()["results"]] == [
        (done.number, "done"),
        (still_open.number, "refused"),
    ]
    states = dict(DifficultCase.objects.values_list("pk", "state"))
    assert states == {done.pk: CaseState.CLOSED, still_open.pk: CaseState.OPEN}
    assert_problem(
        api_client(engineer.user).post(url, {"action": "close", "ids": [done.pk]}, format="json"), 403
    )
    assert_problem(api_client(supervisor).post(url, {"ids": [done.pk]}, format="json"), 400, field="action")
