"""Dealers' fee standards (R30): a dealer submits its local standard, HQ approves or rejects it;
pricing uses a dealer's standard for its service points only once approved (never a rejected or
awaiting one, not even when named); a fee charged on a standard HQ had not approved is flagged on
HQ's list and on the dealer's statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.billing.choices import LineKind
from aftersales.billing.selectors import unapproved_fee_lines
from aftersales.billing.services import quote_create, quote_line_add, quote_send
from aftersales.catalog.choices import FeeApproval
from aftersales.catalog.models import FeeSchedule
from aftersales.catalog.pricing import fee_for, fee_table
from aftersales.catalog.services import fee_schedule_approve, fee_schedule_reject, fee_schedule_submit
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.parts.selectors_dealers import statement_for

from .. import factories as f
from ..api.helpers import assert_problem
from ..servicing import conftest as servicing_world
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

# The servicing world's work order in service at a dealer's point, with its engineer.
line, model, engineer, device = (
    servicing_world.line,
    servicing_world.model,
    servicing_world.engineer,
    servicing_world.device,
)
make_order, order, eng = servicing_world.make_order, servicing_world.order, servicing_world.eng

LONG_AGO = date(2020, 1, 1)
DIAGNOSIS = [{"kind": "diagnosis", "amount": "80.00"}]


@pytest.fixture
def hq_edition(db):
    """HQ's own edition: a diagnosis costs ¥50.00 everywhere."""
    schedule = f.FeeScheduleFactory(code="HQ2025", effective_from=LONG_AGO)
    f.FeeStandardFactory(schedule=schedule, kind="diagnosis", amount="50.00")
    return schedule


@pytest.fixture
def hq_admin(make_user):
    return make_user(Role.HQ_ADMIN, username="hq_admin")


def _submit(dealer, **fields):
    staff = fields.pop("staff", None) or f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer)
    return fee_schedule_submit(
        dealer_id=dealer.pk,
        code=fields.pop("code", f"D-{dealer.code}"),
        name=fields.pop("name", "本地收费标准"),
        effective_from=fields.pop("effective_from", LONG_AGO),
        standards=fields.pop("standards", DIAGNOSIS),
        actor=staff,
    )


def _diagnosis(dealer_id=None, schedule_id=None):
    found = fee_for(
        "diagnosis", day=date(2026, 11, 1), product_line_id=None, dealer_id=dealer_id, schedule_id=schedule_id
    )
    return found.amount if found else None


def test_r30_pricing_uses_a_dealers_standard_only_once_hq_approved_it(hq_edition, hq_admin):
    dealer, other = f.DealerFactory(), f.DealerFactory()
    submitted = _submit(dealer)
    assert submitted.approval_state == FeeApproval.SUBMITTED and not submitted.is_approved
    # awaiting approval: the dealer's service points are priced on HQ's standard
    assert _diagnosis(dealer.pk) == Decimal("50.00")
    assert _diagnosis(schedule_id=submitted.pk) is None  # not even when named
    assert fee_table(day=date(2026, 11, 1), schedule_id=submitted.pk).schedule is None
    # approved: the dealer's own, for that dealer only
    fee_schedule_approve(schedule_id=submitted.pk, actor=hq_admin)
    assert _diagnosis(dealer.pk) == Decimal("80.00")
    assert _diagnosis(other.pk) == Decimal("50.00") and _diagnosis() == Decimal("50.00")


def test_r30_a_rejected_standard_is_never_used_and_says_why(hq_edition, hq_admin):
    dealer = f.DealerFactory()
    schedule = _submit(dealer)
    with pytest.raises(DomainError) as refused:
        fee_schedule_reject(schedule_id=schedule.pk, actor=hq_admin, reason=" ")
    assert refused.value.field == "reason"
    schedule = fee_schedule_reject(schedule_id=schedule.pk, actor=hq_admin, reason="诊断费高于总部标准")
    assert schedule.approval_state == FeeApproval.REJECTED and schedule.approval_note == "诊断费高于总部标准"
    assert schedule.decided_by == hq_admin and schedule.decided_at is not None
    assert _diagnosis(dealer.pk) == Decimal("50.00") and _diagnosis(schedule_id=schedule.pk) is None


def test_r30_only_a_dealers_own_staff_submit_and_only_hq_decides(hq_edition, make_user):
    dealer = f.DealerFactory()
    with pytest.raises(NotPermitted):  # another dealer's staff
        _submit(dealer, staff=f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory()))
    with pytest.raises(NotPermitted):  # HQ does not submit a dealer's fees
        _submit(dealer, staff=make_user(Role.HQ_ADMIN, username="hq_x"))
    with pytest.raises(Exception) as empty:
        _submit(dealer, standards=[])
    assert "standards" in str(empty.value)
    schedule = _submit(dealer)
    local_supervisor = make_user(Role.SUPERVISOR, username="sup_d", dealer=dealer)
    with pytest.raises(NotPermitted):  # a dealer does not approve its own fees
        fee_schedule_approve(schedule_id=schedule.pk, actor=local_supervisor)
    with pytest.raises(NotPermitted):
        fee_schedule_approve(schedule_id=schedule.pk, actor=make_user(Role.FINANCE, username="fin_x"))
    schedule.refresh_from_db()
    assert schedule.approval_state == FeeApproval.SUBMITTED


def test_r30_a_dealers_approved_fees_are_frozen(hq_edition, hq_admin):
    schedule = _submit(f.DealerFactory(), effective_from=date(2099, 1, 1))
    assert schedule.standards_editable(date(2026, 11, 1))
    fee_schedule_approve(schedule_id=schedule.pk, actor=hq_admin)
    schedule.refresh_from_db()
    assert not schedule.standards_editable(date(2026, 11, 1))


def test_r30_a_dealer_submits_on_the_page_and_hq_approves_it_there(hq_edition, hq_admin, client):
    dealer = f.DealerFactory()
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer)
    client.force_login(staff)
    assert 'data-testid="fee-submit"' in client.get(reverse("catalog:fee_schedule_list")).content.decode()
    form = {
        "code": "SH-2026",
        "name": "上海本地收费标准",
        "effective_from": "2026-01-01",
        "standards-TOTAL_FORMS": "6",
        "standards-INITIAL_FORMS": "0",
        "standards-0-kind": "diagnosis",
        "standards-0-unit": "per_time",
        "standards-0-amount": "80.00",
        "standards-1-kind": "labour",
        "standards-1-unit": "per_hour",
        "standards-1-amount": "90.00",
        **{f"standards-{i}-unit": "per_time" for i in range(2, 6)},
    }
    done = client.post(reverse("catalog:fee_schedule_submit"), form)
    schedule = FeeSchedule.objects.get(code="SH-2026")
    assert done.status_code == 302 and schedule.dealer == dealer and schedule.standards.count() == 2
    assert schedule.approval_state == FeeApproval.SUBMITTED and schedule.submitted_by == staff
    page = client.get(schedule.get_absolute_url()).content.decode()
    assert 'data-testid="fee-not-used"' in page and "action-approve" not in page  # the dealer cannot decide

    # another dealer's staff do not see it; HQ sees it awaiting approval and approves it
    client.force_login(f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory()))
    assert client.get(schedule.get_absolute_url()).status_code == 404
    assert "SH-2026" not in client.get(reverse("catalog:fee_schedule_list")).content.decode()
    client.force_login(hq_admin)
    listed = client.get(
        reverse("catalog:fee_schedule_list"), {"approval_state": "submitted"}
    ).content.decode()
    assert "SH-2026" in listed and "HQ2025" not in listed
    assert 'data-testid="action-approve"' in client.get(schedule.get_absolute_url()).content.decode()
    client.post(reverse("catalog:fee_schedule_transition", args=[schedule.pk, "approve"]))
    schedule.refresh_from_db()
    assert schedule.approval_state == FeeApproval.APPROVED and schedule.decided_by == hq_admin
    history = client.get(schedule.get_absolute_url()).content.decode()
    assert 'data-testid="fee-history"' in history


def test_r30_the_api_submits_approves_and_rejects(hq_edition, hq_admin, api_client, make_user):
    dealer = f.DealerFactory()
    staff = api_client(f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer))
    submitted = staff.post(
        "/api/fee-schedules/",
        {
            "code": "SH-API",
            "name": "本地标准",
            "effective_from": "2026-01-01",
            "standards": [
                {"kind": "visit", "amount": "60.00", "distance_from_km": "0", "distance_to_km": "20"}
            ],
        },
        format="json",
    )
    assert submitted.status_code == 201, submitted.content
    body = submitted.json()
    assert (
        body["approval_state"] == "submitted" and body["dealer"] == dealer.pk and len(body["standards"]) == 1
    )
    assert_problem(
        staff.post(
            "/api/fee-schedules/",
            {"code": "X", "name": "x", "effective_from": "2026-01-01", "standards": []},
            format="json",
        ),
        400,
        field="standards",
    )
    assert_problem(staff.post(f"/api/fee-schedules/{body['id']}/approve/", {}, format="json"), 403)
    hq = api_client(hq_admin)
    assert hq.get(f"/api/fee-schedules/{body['id']}/").json()["available_actions"] == ["approve", "reject"]
    assert_problem(
        hq.post(f"/api/fee-schedules/{body['id']}/reject/", {}, format="json"),
        400,
        field="reason",
        code="required",
    )
    rejected = hq.post(
        f"/api/fee-schedules/{body['id']}/reject/", {"reason": "上门费过高"}, format="json"
    ).json()
    assert rejected["approval_state"] == "rejected" and rejected["approval_note"] == "上门费过高"
    assert_problem(
        hq.post(f"/api/fee-schedules/{body['id']}/approve/", {}, format="json"),
        409,
        code="transition_not_allowed",
    )
    assert_problem(hq.post(f"/api/fee-schedules/{hq_edition.pk}/approve/", {}, format="json"), 409)
    other = api_client(f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory()))
    assert_problem(other.get(f"/api/fee-schedules/{body['id']}/"), 404)


def test_r30_a_fee_charged_on_an_unapproved_standard_is_flagged_on_the_list_and_the_statement(
    hq_edition, hq_admin, order, eng, client, finance, api_client
):
    dealer = order.service_point.dealer
    schedule = _submit(dealer)  # ¥80.00 diagnosis, awaiting HQ's approval
    with frozen(at(2026, 11, 12, 10)):
        quote = quote_create(work_order_id=order.pk, actor=eng)
        # left to pricing: HQ's ¥50.00 (the dealer's is not approved), not flagged
        priced = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DIAGNOSIS)
        # typed by hand at the dealer's own unapproved rate: charged on that standard
        typed = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DIAGNOSIS, unit_price="80.00")
        other = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80.00")
    assert priced.unit_price == Decimal("50.00") and priced.fee_schedule == hq_edition
    assert typed.fee_schedule == schedule and other.fee_schedule is None
    assert not unapproved_fee_lines().exists()  # a draft charges nothing yet
    with frozen(at(2026, 11, 12, 11)):
        quote_send(quote_id=quote.pk, actor=eng)
    assert list(unapproved_fee_lines()) == [typed]

    # HQ's list shows it
    client.force_login(finance)
    page = client.get(reverse("billing:finance_unapproved_fees")).content.decode()
    assert order.number in page and schedule.name in page
    # the dealer's statement of November shows it
    november = statement_for(dealer, date(2026, 11, 1))
    assert [(flag.document, flag.amount) for flag in november.flagged] == [(order.number, Decimal("80.00"))]
    assert statement_for(dealer, date(2026, 10, 1)).flagged == []
    client.force_login(f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer))
    shown = client.get(
        reverse("parts:account_statement", args=[dealer.pk]), {"month": "2026-11"}
    ).content.decode()
    assert 'data-testid="statement-flag"' in shown and order.number in shown

    # the API lists it, filtered by dealer; another dealer's staff does not see it (R37)
    listed = api_client(finance).get("/api/unapproved-fees/", {"dealer": dealer.pk}).json()["results"]
    assert [
        (row["id"], row["amount"], row["approval_state"], row["work_order_number"]) for row in listed
    ] == [(typed.pk, "80.00", "submitted", order.number)]
    assert (
        api_client(finance).get("/api/unapproved-fees/", {"dealer": dealer.pk + 1000}).json()["results"] == []
    )
    other_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())
    assert api_client(other_staff).get("/api/unapproved-fees/").json()["results"] == []

    # approved afterwards: the charge made before stays flagged
    with frozen(at(2026, 11, 20, 9)):
        fee_schedule_approve(schedule_id=schedule.pk, actor=hq_admin)
    assert list(unapproved_fee_lines()) == [typed]
    assert (
        api_client(finance).get("/api/unapproved-fees/").json()["results"][0]["approval_state"] == "approved"
    )


def test_r30_a_fee_priced_on_an_approved_dealer_standard_is_not_flagged(hq_edition, hq_admin, order, eng):
    dealer = order.service_point.dealer
    schedule = _submit(dealer)
    fee_schedule_approve(schedule_id=schedule.pk, actor=hq_admin)
    quote = quote_create(work_order_id=order.pk, actor=eng)
    line = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DIAGNOSIS)
    assert line.unit_price == Decimal("80.00") and line.fee_schedule == schedule
    quote_send(quote_id=quote.pk, actor=eng)
    assert not unapproved_fee_lines().exists()
