"""R31 through the API: HQ builds a month's claims by hand, reads them (a dealer only its own),
decides each line, approves and credits once; refused steps are 409 / 403 problems."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.parts.choices import EntryKind
from aftersales.parts.models import AccountEntry, ReimbursementClaim

from ..timeutil import at, frozen
from .old_parts_world import old_parts_world
from .test_old_parts_api import _problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = old_parts_world()
    world.mine = [world.reported(quantity=2), world.reported()]
    world.theirs = world.reported(work_order=world.other_work_order)
    return world


def _built(api_client, w) -> list[dict]:
    with frozen(at(2026, 12, 3, 9, 0)):
        response = api_client(w.parts_clerk).post("/api/claims/build/", {"month": "2026-11"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_r31_hq_builds_a_month_by_hand_and_only_once(api_client, w):
    built = _built(api_client, w)
    assert len(built) == 2 and {claim["month"] for claim in built} == {"2026-11-01"}
    assert _built(api_client, w) == []  # nothing new: nothing changes
    assert ReimbursementClaim.objects.count() == 2
    with frozen(at(2026, 12, 3, 9, 0)):
        _problem(
            api_client(w.staff).post("/api/claims/build/", {"month": "2026-11"}, format="json"),
            403,
            "permission_denied",
        )
        _problem(
            api_client(w.parts_clerk).post("/api/claims/build/", {"month": "2026-12"}, format="json"),
            400,
            "claim_month_open",
            "month",
        )
        _problem(
            api_client(w.parts_clerk).post("/api/claims/build/", {"month": "november"}, format="json"),
            400,
            "invalid",
            "month",
        )


def test_r31_r37_a_dealer_reads_only_its_own_claims(api_client, w):
    _built(api_client, w)
    mine = ReimbursementClaim.objects.get(dealer=w.dealer)
    theirs = ReimbursementClaim.objects.get(dealer=w.other_dealer)
    api = api_client(w.staff)
    assert [claim["number"] for claim in api.get("/api/claims/").json()["results"]] == [mine.number]
    detail = api.get(f"/api/claims/{mine.pk}/").json()
    assert detail["claimed_total"] == "300.00" and len(detail["lines"]) == 2
    assert detail["available_actions"] == [] and detail["credit_entry"] is None
    assert api.get(f"/api/claims/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/claim-lines/{theirs.lines.get().pk}/").status_code == 404
    _problem(
        api.post(f"/api/claim-lines/{mine.lines.first().pk}/decide/", {"decision": "approved"}),
        403,
        "permission_denied",
    )
    assert api_client(w.engineer.user).get("/api/claims/").json()["results"] == []


def test_r31_hq_decides_each_line_approves_and_credits_once(api_client, w):
    _built(api_client, w)
    claim = ReimbursementClaim.objects.get(dealer=w.dealer)
    api = api_client(w.finance)
    first, second = claim.lines.order_by("pk")
    _problem(api.post(f"/api/claims/{claim.pk}/approve/"), 409, "claim_lines_pending")
    assert (
        api.post(f"/api/claim-lines/{first.pk}/decide/", {"decision": "approved"}).json()["decision"]
        == "approved"
    )
    _problem(
        api.post(f"/api/claim-lines/{second.pk}/decide/", {"decision": "rejected"}), 400, "required", "reason"
    )
    rejected = api.post(
        f"/api/claim-lines/{second.pk}/decide/", {"decision": "rejected", "reason": "重复申报"}
    )
    assert rejected.json()["reason"] == "重复申报"
    approved = api.post(f"/api/claims/{claim.pk}/approve/").json()
    assert approved["state"] == "approved" and approved["approved_total"] == "200.00"
    _problem(
        api.post(f"/api/claim-lines/{first.pk}/decide/", {"decision": "rejected", "reason": "x"}),
        409,
        "claim_not_in_review",
    )
    credited = api.post(f"/api/claims/{claim.pk}/credit/").json()
    assert credited["state"] == "credited" and credited["credit_entry"]["amount"] == "-200.00"
    _problem(api.post(f"/api/claims/{claim.pk}/credit/"), 409, "transition_not_allowed")
    assert AccountEntry.objects.filter(kind=EntryKind.REIMBURSEMENT).count() == 1
    assert [step["action"] for step in credited["history"]][-2:] == ["approve", "credit"]
    assert claim.month == date(2026, 11, 1)
