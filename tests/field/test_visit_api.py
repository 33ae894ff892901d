"""R12, R15-R17, R19 over the API: scoped lists (R37), one POST per visit and card step, sign-off
with a drawn signature, refusal, and refusals as JSON problems (409/403/404)."""

from __future__ import annotations

import pytest

from aftersales.field.models import SignOff, SupervisionCard

from .. import factories as f
from ..api.helpers import assert_problem
from .visit_factories import png_data_url, visit_at


@pytest.mark.django_db
def test_r12_visit_steps_and_sign_off_through_the_api(api_client, field_wo, clerk):
    visit = visit_at(field_wo, "booked")
    api = api_client(field_wo.engineer.user)
    listed = api.get("/api/visits/").json()
    assert [row["number"] for row in listed["results"]] == [visit.number]
    assert "fault_cause" not in listed["results"][0]  # internal (R16)
    body = api.post(f"/api/visits/{visit.pk}/depart/", {"version": 1}, format="json").json()
    assert body["state"] == "en_route"
    body = api.post(
        f"/api/visits/{visit.pk}/arrive/", {"latitude": "31.2304", "longitude": "121.4737"}, format="json"
    ).json()
    assert body["state"] == "on_site" and body["checkin_latitude"] == "31.230400"
    refused = api.post(f"/api/visits/{visit.pk}/leave/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "signoff_missing"
    signed = api.post(
        f"/api/visits/{visit.pk}/sign/",
        {
            "quality_rating": 5,
            "attitude_rating": 5,
            "satisfied": True,
            "signer_name": "李娜",
            "signature": png_data_url(),
        },
        format="json",
    ).json()
    assert signed["signoff"]["outcome"] == "signed" and len(signed["signoff"]["content_hash"]) == 64
    assert api.post(f"/api/visits/{visit.pk}/leave/", {}, format="json").json()["state"] == "done"
    again = api.post(f"/api/visits/{visit.pk}/depart/", {}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "transition_not_allowed"

    card = SupervisionCard.objects.get(visit=visit)
    submitted = api.post(f"/api/supervision-cards/{card.pk}/submit/", {"summary": "按时完成"}, format="json")
    assert submitted.json()["state"] == "submitted" and submitted.json()["late"] is False
    assert api.post(f"/api/supervision-cards/{card.pk}/verify/", {}, format="json").status_code == 403
    centre = api_client(clerk)
    sent_back = centre.post(f"/api/supervision-cards/{card.pk}/send-back/", {"note": "补充"}, format="json")
    assert sent_back.json()["state"] == "pending"
    assert centre.get("/api/supervision-cards/", {"late": "false"}).json()["count"] == 1


@pytest.mark.django_db
def test_r17_refusal_through_the_api_and_scope(api_client, field_wo):
    visit = visit_at(field_wo, "on_site")
    api = api_client(field_wo.engineer.user)
    missing = api.post(f"/api/visits/{visit.pk}/refuse/", {}, format="json")
    assert missing.status_code == 400
    body = api.post(f"/api/visits/{visit.pk}/refuse/", {"reason": "需请示领导"}, format="json").json()
    assert body["signoff"]["outcome"] == "refused" and body["signoff"]["refusal_reason"] == "需请示领导"
    stranger = api_client(f.EngineerFactory(user__username="stranger").user)
    assert stranger.get(f"/api/visits/{visit.pk}/").status_code == 404
    assert stranger.get("/api/visits/").json()["count"] == 0


@pytest.mark.django_db
def test_r16_r17_a_low_rating_with_satisfied_is_a_400_problem_until_confirmed(api_client, field_wo):
    """R16, R17: a rating of 1 or 2 with satisfied=true is refused naming `confirm_low_rating`
    (code `low_rating_unconfirmed`); sent again with the flag, it is signed."""
    visit = visit_at(field_wo, "on_site")
    api = api_client(field_wo.engineer.user)
    answers = {
        "quality_rating": 1,
        "attitude_rating": 4,
        "satisfied": True,
        "signer_name": "李娜",
        "signature": png_data_url(),
    }
    refused = api.post(f"/api/visits/{visit.pk}/sign/", answers, format="json")
    assert_problem(refused, 400, field="confirm_low_rating", code="low_rating_unconfirmed")
    assert not SignOff.objects.exists()
    signed = api.post(f"/api/visits/{visit.pk}/sign/", {**answers, "confirm_low_rating": True}, format="json")
    assert signed.status_code == 200, signed.content
    assert signed.json()["signoff"]["quality_rating"] == 1 and signed.json()["signoff"]["satisfied"] is True


@pytest.mark.django_db
def test_r16_the_sign_input_documents_the_rating_scale_and_the_confirmation(api_client, field_wo):
    schema = api_client(field_wo.engineer.user).get("/api/schema/?format=json").json()
    sign = schema["components"]["schemas"]["SignInputRequest"]["properties"]
    assert "very unsatisfied" in sign["quality_rating"]["description"]
    assert sign["confirm_low_rating"]["type"] == "boolean"
    assert "low_rating_unconfirmed" in sign["confirm_low_rating"]["description"]


@pytest.mark.django_db
def test_r15_the_signed_form_is_pending_in_the_api_until_the_job_made_it(
    api_client, field_wo, django_capture_on_commit_callbacks
):
    """R15, R21: the sign-off answers at once; its signed form is "pending" (no document yet)
    until the job queued for after the commit renders it."""
    visit = visit_at(field_wo, "on_site")
    api = api_client(field_wo.engineer.user)
    answers = {
        "quality_rating": 5,
        "attitude_rating": 5,
        "satisfied": True,
        "signer_name": "李娜",
        "signature": png_data_url(),
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed = api.post(f"/api/visits/{visit.pk}/sign/", answers, format="json").json()
    assert signed["signoff"]["document_state"] == "pending" and signed["signoff"]["document"] is None
    for callback in callbacks:
        callback()
    signoff = api.get(f"/api/visits/{visit.pk}/").json()["signoff"]
    assert signoff["document_state"] == "ready"
    assert signoff["document"] == SignOff.objects.get().signed_form.attachment_id
    refused = visit_at(field_wo, "on_site")
    body = api.post(f"/api/visits/{refused.pk}/refuse/", {"reason": "需请示领导"}, format="json").json()
    assert body["signoff"]["document_state"] is None and body["signoff"]["document"] is None
