"""Pages of complaints (R26) and difficult cases (R27): scoped lists with filter, search, sort,
pagination and Excel export; the complaint form with field errors; detail pages with exactly
the allowed buttons and refusals on the fields; the proposals page; the work-order panel."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import ComplaintState, Severity
from aftersales.complaints.models import Complaint, DifficultCase
from aftersales.complaints.services import case_open
from aftersales.core.models import AccessLog
from tests.timeutil import at, frozen

from .. import factories as f

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def numbers(response) -> list[str]:
    return [row.number for row in response.context["page"].object_list]


def test_r26_list_filters_searches_sorts_and_is_scoped(client, register, world, supervisor):
    a = register(world.order_a, severity=Severity.CRITICAL)
    b = register(world.order_b, description="收费不合理")
    hotline = register(None, customer=f.CustomerFactory(name="杭州远大"))

    client.force_login(supervisor)
    assert set(numbers(client.get("/complaints/"))) == {a.number, b.number, hotline.number}
    assert numbers(client.get("/complaints/", {"severity": "critical"})) == [a.number]
    assert numbers(client.get("/complaints/", {"q": "收费"})) == [b.number]
    assert numbers(client.get("/complaints/", {"q": world.order_a.number})) == [a.number]
    assert numbers(client.get("/complaints/", {"ordering": "created_at"}))[0] == a.number

    partial = client.get("/complaints/", {"state": "registered"}, **HTMX)
    assert b'id="list-results"' in partial.content and b"<html" not in partial.content

    client.force_login(world.staff_a)  # dealer staff: only their dealer's work orders (R37)
    assert numbers(client.get("/complaints/")) == [a.number]
    assert client.get(f"/complaints/{b.pk}/").status_code == 404
    assert client.get(f"/complaints/{hotline.pk}/").status_code == 404


def test_r26_list_paginates_and_shows_an_empty_state(client, register, supervisor):
    customer = f.CustomerFactory()
    for _ in range(27):
        register(None, customer=customer)
    client.force_login(supervisor)
    assert len(numbers(client.get("/complaints/"))) == 25
    assert len(numbers(client.get("/complaints/", {"page": 2}))) == 2
    empty = client.get("/complaints/", {"q": "没有这个"})
    assert b'data-testid="empty"' in empty.content


def test_r26_response_filter_matches_the_risk(client, register, work_order, supervisor):
    overdue = register(work_order, severity=Severity.CRITICAL, moment=at(2026, 3, 2, 9, 0))
    client.force_login(supervisor)
    with frozen(at(2026, 3, 2, 15, 0)):
        assert numbers(client.get("/complaints/", {"response": "overdue"})) == [overdue.number]
        assert numbers(client.get("/complaints/", {"response": "ok"})) == []
        page = client.get(f"/complaints/{overdue.pk}/")
    assert b'data-risk="overdue"' in page.content


def test_r26_export_is_filtered_scoped_and_logged(client, register, world, supervisor):
    register(world.order_a, severity=Severity.CRITICAL)
    register(world.order_b)
    client.force_login(supervisor)
    response = client.get("/complaints/export.xlsx", {"severity": "critical"})
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][0] == "Complaint number" and len(rows) == 2
    assert rows[1][9] == world.order_a.number
    assert AccessLog.objects.filter(resource="complaints", action="export").exists()


def test_r26_register_page_with_field_errors_then_created(client, agent, work_order):
    client.force_login(agent)
    page = client.get(f"/complaints/new/?work_order={work_order.pk}")
    assert page.context["form"].initial["work_order_number"] == work_order.number

    refused = client.post(
        "/complaints/new/",
        {
            "work_order_number": "WO000",
            "category": "attitude",
            "severity": "general",
            "source": "hotline",
            "description": "",
        },
    )
    form = refused.context["form"]
    assert "work_order_number" in form.errors and "description" in form.errors
    refused = client.post(
        "/complaints/new/",
        {"category": "attitude", "severity": "general", "source": "hotline", "description": "态度差"},
    )
    # No work order: the customer is needed (the hidden field's error shows on top of the form).
    assert refused.context["form"].non_field_errors() == [
        "Choose the customer, or link the complaint to a work order."
    ]
    assert b'data-testid="form-error"' in refused.content
    assert not Complaint.objects.exists()

    done = client.post(
        "/complaints/new/",
        {
            "work_order_number": work_order.number.lower(),
            "category": "attitude",
            "severity": "general",
            "source": "hotline",
            "description": "态度差",
        },
    )
    complaint = Complaint.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/complaints/{complaint.pk}/"
    assert complaint.work_order == work_order and complaint.created_by == agent


def test_r26_register_page_is_for_front_office_roles(client, finance, make_user):
    client.force_login(finance)
    assert client.get("/complaints/new/").status_code == 403
    client.force_login(make_user(Role.ENGINEER, username="e1"))
    assert client.get("/complaints/new/").status_code == 403


def buttons(response) -> list[str]:
    return [transition.name for transition, _form in response.context["actions"]]


def test_r26_detail_shows_exactly_the_allowed_buttons(
    client, register, advance, work_order, agent, quality, clerk
):
    complaint = register(work_order)
    client.force_login(agent)
    assert buttons(client.get(f"/complaints/{complaint.pk}/")) == []
    client.force_login(quality)
    page = client.get(f"/complaints/{complaint.pk}/")
    assert buttons(page) == ["accept", "reject"]
    assert b'data-testid="history-entry"' in page.content
    advance(complaint, "accept", "analyse", "handle")
    client.force_login(agent)
    assert buttons(client.get(f"/complaints/{complaint.pk}/")) == ["feed_back"]
    client.force_login(clerk)
    assert buttons(client.get(f"/complaints/{complaint.pk}/")) == []


def test_r26_refused_step_shows_on_its_field_and_allowed_step_runs(client, register, work_order, quality):
    complaint = register(work_order)
    client.force_login(quality)
    page = client.post(f"/complaints/{complaint.pk}/do/reject/", {"note": ""})
    assert page.status_code == 200 and page.context["open_action"] == "reject"
    bound = next(form for transition, form in page.context["actions"] if transition.name == "reject")
    assert bound.errors["note"] == ["Give a reason."]
    assert b'class="collapse mt-2 show" id="action-reject"' in page.content
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REGISTERED

    done = client.post(f"/complaints/{complaint.pk}/do/reject/", {"note": "不属实", "is_reasonable": "on"})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CLOSED and complaint.is_reasonable is True
    stale = client.post(f"/complaints/{complaint.pk}/do/accept/", {})
    assert stale.status_code == 200  # no longer allowed: the page again, nothing changed
    assert client.post(f"/complaints/{complaint.pk}/do/nonsense/", {}).status_code == 404


def test_r26_work_order_page_panel(client, register, work_order, agent, supervisor):
    complaint = register(work_order)
    client.force_login(agent)
    page = client.get(f"/workorders/{work_order.pk}/?tab=feedback")
    assert b'data-testid="complaints-panel"' in page.content
    assert complaint.number.encode() in page.content
    assert b'data-testid="panel-open-form"' not in page.content  # agents do not open cases
    client.force_login(supervisor)
    page = client.get(f"/workorders/{work_order.pk}/?tab=feedback")
    assert b'data-testid="panel-open-form"' in page.content


def test_r26_nav_item(client, agent):
    client.force_login(agent)
    assert b'data-testid="nav-complaints"' in client.get("/complaints/").content


# -- difficult cases (R27) -----------------------------------------------------------------------


def test_r27_proposals_page_and_opening_a_case(client, register, work_order, clerk, supervisor, agent):
    register(work_order)
    client.force_login(agent)
    assert client.get("/complaints/cases/proposals/").status_code == 403
    client.force_login(clerk)
    page = client.get("/complaints/cases/proposals/")
    rows = page.context["rows"]
    assert [(wo.number, reasons) for wo, reasons, _form in rows] == [
        (work_order.number, ["Complaint linked"])
    ]

    prefix = f"wo{work_order.pk}"
    refused = client.post(f"/complaints/cases/open/{work_order.pk}/", {f"{prefix}-handler": ""})
    bound = refused.context["rows"][0][2]
    assert "handler" in bound.errors
    done = client.post(f"/complaints/cases/open/{work_order.pk}/", {f"{prefix}-handler": clerk.pk})
    case = DifficultCase.objects.get()
    assert done["Location"] == f"/complaints/cases/{case.pk}/"
    assert client.get("/complaints/cases/proposals/").context["rows"] == []


def test_r27_open_from_the_work_order_page_reports_refusals_there(client, work_order, clerk):
    client.force_login(clerk)
    response = client.post(
        f"/complaints/cases/open/{work_order.pk}/",
        {f"wo{work_order.pk}-handler": clerk.pk, "next": "workorder"},
    )
    assert response["Location"] == f"/workorders/{work_order.pk}/?tab=feedback#complaints-panel"
    assert not DifficultCase.objects.exists()  # no criterion met and no reason given


def test_r27_case_page_has_the_tracking_file_and_the_allowed_steps(
    client, register, work_order, clerk, supervisor, agent
):
    register(work_order)
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor)
    client.force_login(clerk)
    page = client.get(f"/complaints/cases/{case.pk}/")
    assert buttons(page) == ["start", "escalate"]
    assert page.context["reasons"] == ["Complaint linked"]
    assert any(entry.kind == "complaint" for entry in page.context["timeline"])  # the work order's history
    client.post(f"/complaints/cases/{case.pk}/do/start/", {})
    refused = client.post(
        f"/complaints/cases/{case.pk}/do/escalate/", {"handler": clerk.pk, "note": "超出权限"}
    )
    bound = next(form for transition, form in refused.context["actions"] if transition.name == "escalate")
    assert "handler" in bound.errors  # level 2 is for supervisors
    client.post(f"/complaints/cases/{case.pk}/do/escalate/", {"handler": supervisor.pk, "note": "超出权限"})
    case.refresh_from_db()
    assert case.level == 2 and case.handler == supervisor
    client.force_login(agent)
    assert buttons(client.get(f"/complaints/cases/{case.pk}/")) == []


def test_r27_case_list_and_export(client, register, world, clerk, supervisor):
    register(world.order_a)
    register(world.order_b)
    case_a = case_open(work_order=world.order_a, handler=clerk, actor=supervisor)
    case_b = case_open(work_order=world.order_b, handler=clerk, actor=supervisor)
    client.force_login(supervisor)
    assert set(numbers(client.get("/complaints/cases/"))) == {case_a.number, case_b.number}
    assert numbers(client.get("/complaints/cases/", {"q": world.order_b.number})) == [case_b.number]
    client.force_login(world.staff_a)
    assert numbers(client.get("/complaints/cases/")) == [case_a.number]
    assert client.get(f"/complaints/cases/{case_b.pk}/").status_code == 404
    client.force_login(supervisor)
    sheet = load_workbook(BytesIO(client.get("/complaints/cases/export.xlsx").getvalue())).active
    assert sheet.max_row == 3


def test_r27_settings_page(client, clerk, supervisor):
    client.force_login(clerk)
    assert client.get("/complaints/cases/settings/").status_code == 403
    client.force_login(supervisor)
    assert client.get("/complaints/cases/settings/").status_code == 200
    refused = client.post(
        "/complaints/cases/settings/", {"repeat_days": 0, "repeat_min_orders": 1, "value_threshold": "5000"}
    )
    assert {"repeat_days", "repeat_min_orders"} <= set(refused.context["form"].errors)
    done = client.post(
        "/complaints/cases/settings/",
        {
            "repeat_enabled": "on",
            "repeat_days": 14,
            "repeat_min_orders": 2,
            "complaint_enabled": "on",
            "value_threshold": "8000",
        },
    )
    assert done.status_code == 302
    from aftersales.complaints.selectors import criteria_get

    criteria = criteria_get()
    assert (criteria.repeat_days, criteria.sla_breach_enabled, criteria.value_threshold) == (14, False, 8000)


def test_r26_home_panel_counts(client, register, work_order, quality):
    register(work_order, severity=Severity.CRITICAL, moment=at(2026, 3, 2, 9, 0))
    client.force_login(quality)
    page = client.get("/")
    assert b'data-testid="complaints-home"' in page.content


def test_r26_r27_lists_take_a_fixed_number_of_queries(client, register, supervisor, clerk):
    """The list pages do not query per row (complaints and difficult cases)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(supervisor)
    register(f.WorkOrderFactory())
    case_open(work_order=f.WorkOrderFactory(), handler=clerk, actor=supervisor, note="立案")
    few = count("/complaints/"), count("/complaints/cases/")
    for _ in range(6):
        register(f.WorkOrderFactory())
        case_open(work_order=f.WorkOrderFactory(), handler=clerk, actor=supervisor, note="立案")
    assert (count("/complaints/"), count("/complaints/cases/")) == few


def test_r26_a_step_no_longer_possible_is_said_on_the_page(client, register, advance, work_order, quality):
    complaint = advance(register(work_order), "accept")
    client.force_login(quality)
    page = client.post(f"/complaints/{complaint.pk}/do/accept/", {"note": "再次受理"})
    assert (
        page.status_code == 200
        and "is not possible while the complaint is “Accepted”" in page.content.decode()
    )
