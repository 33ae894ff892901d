"""R15-R17 sign-off: the customer's ratings and signature (drawn or a stamp) kept as an image with
the time and the SHA-256 of the signed content; the signed service form stored as a PDF attachment
(R21); a refusal recorded with its reason, never forced; an unsatisfied customer or a refusal keeps
the work order open until a later step supersedes it (a satisfied later visit, a depot hand-back the
customer confirmed), a satisfied one lets it complete; the internal fault cause and measures stay
editable until the work order closes and never reach the customer's copy (R16)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.field.choices import SignatureKind, SignedFormState, SignOffOutcome, VisitState
from aftersales.field.models import SignedForm, SignOff, Visit
from aftersales.field.services import (
    signed_form_render,
    signed_forms_render_pending,
    signoff_content_hash,
    visit_internal_update,
    visit_part_add,
    visit_photo_add,
    visit_record,
    visit_sign,
    visit_signoff_refuse,
    visit_transition,
)
from aftersales.servicing.choices import ConfirmationMethod, DepotState
from aftersales.servicing.services import (
    depot_repair_hand_back,
    depot_repair_inspect,
    depot_repair_receive,
    depot_repair_recheck,
    depot_repair_start,
)
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_text
from aftersales.workorders.models import Attachment, WorkOrderEvent
from aftersales.workorders.services import workorder_transition

from ..api.helpers import assert_problem
from ..timeutil import at, frozen
from .visit_factories import png_bytes, png_data_url, png_upload, sign, visit_at


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def complete(wo, actor=None):
    return workorder_transition(
        work_order_id=wo.pk, action="complete", actor=actor or wo.engineer.user, resolution="已修复"
    )


@pytest.mark.django_db
def test_r15_signature_is_stored_as_an_image_with_time_and_content_hash(field_wo):
    visit = visit_at(field_wo, "on_site")
    visit_part_add(
        visit_id=visit.pk, actor=field_wo.engineer.user, part_number="rm1-2337", name="定影组件", quantity=1
    )
    visit_record(
        visit_id=visit.pk, actor=field_wo.engineer.user, findings="定影器老化，更换定影组件", checked=[0, 1]
    )
    moment = at(2026, 11, 23, 11, 20)
    with frozen(moment):
        signoff = sign(Visit.objects.get(pk=visit.pk))
    signoff.refresh_from_db()
    assert signoff.outcome == SignOffOutcome.SIGNED and signoff.signature_kind == SignatureKind.DRAWN
    assert signoff.signed_at == moment
    assert (signoff.quality_rating, signoff.attitude_rating, signoff.satisfied) == (5, 4, True)
    with signoff.signature.open("rb") as handle:
        stored = handle.read()
    assert stored == png_bytes()
    assert signoff.signature.name.startswith(f"signatures/{moment:%Y/%m}/")  # R21: by month
    # The hash covers the content shown and signed, the answers and the image itself.
    assert len(signoff.content_hash) == 64 and signoff.content_hash == signoff_content_hash(signoff.content)
    content = signoff.content
    assert content["parts"] == [["RM1-2337", "定影组件", 1]]
    assert content["findings"] == "定影器老化，更换定影组件"
    assert content["signature_sha256"] == hashlib.sha256(png_bytes()).hexdigest()
    assert content["signed_at"].startswith("2026-11-23T11:20")
    assert "fault_cause" not in content and "repair_measures" not in content  # R16: internal
    tampered = {**content, "quality_rating": 1}
    assert signoff_content_hash(tampered) != signoff.content_hash
    event = WorkOrderEvent.objects.get(work_order=field_wo, kind="signoff")
    assert event.action == "signed" and signoff.content_hash[:12] in event_text(event)
    assert visit.number in event_text(event) and event.params["hash"] == signoff.content_hash[:12]


@pytest.mark.django_db
def test_r15_r21_signed_service_form_pdf_is_an_attachment_of_the_work_order(
    field_wo, django_capture_on_commit_callbacks
):
    visit = visit_at(field_wo, "on_site")
    visit_part_add(visit_id=visit.pk, actor=field_wo.engineer.user, part_number="RM1-2337", name="定影组件")
    with django_capture_on_commit_callbacks(execute=True):  # the job, once the sign-off commits
        signoff = sign(Visit.objects.get(pk=visit.pk))
    document = SignedForm.objects.get(signoff=signoff).attachment
    assert document is not None and document.work_order_id == field_wo.pk
    assert document.content_type == "application/pdf"
    assert document.file.name.startswith(f"attachments/{timezone.now():%Y/%m}/")  # catalogued by month
    assert visit.number in document.original_name
    with document.file.open("rb") as handle:
        text = pdf_text(handle.read())
    # In the company's language (Chinese): the labels as translated (维修服务单 once the catalogue has
    # them), Chinese text rendered and extractable, the numbers that find the record.
    with translation.override("zh-hans"):
        labels = [gettext(msg) for msg in ("Repair service form", "Customer signature", "Parts replaced")]
    for label in (*labels, "工程师", "定影组件", field_wo.number, visit.number, signoff.content_hash[:16]):
        assert label in text.replace("\n", "")


@pytest.mark.django_db
def test_r15_stamp_or_scan_can_replace_the_drawn_signature(field_wo):
    visit = visit_at(field_wo, "on_site")
    signoff = visit_sign(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        quality_rating="5",
        attitude_rating="5",
        satisfied=True,
        signer_name="上海星辰科技有限公司（盖章）",
        stamp=png_upload("stamp.png"),
    )
    assert signoff.signature_kind == SignatureKind.STAMP and signoff.allows_completion


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"drawn_signature": ""}, "signature"),
        ({"drawn_signature": "data:image/png;base64,bm90IGFuIGltYWdl"}, "signature"),
        ({"drawn_signature": "data:image/png;base64,###"}, "signature"),
        ({"stamp": SimpleUploadedFile("x.pdf", b"%PDF-1.4 fake")}, "signature"),
        ({"quality_rating": 6}, "quality_rating"),
        ({"attitude_rating": ""}, "attitude_rating"),
        ({"signer_name": "  "}, "signer_name"),
    ],
)
def test_r15_incomplete_sign_off_is_refused_with_the_field_at_fault(field_wo, kwargs, field):
    visit = visit_at(field_wo, "on_site")
    arguments = dict(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        quality_rating=5,
        attitude_rating=5,
        satisfied=True,
        signer_name="李娜",
        drawn_signature=png_data_url(),
    )
    arguments.update(kwargs)
    with pytest.raises(ValidationError) as error:
        visit_sign(**arguments)
    assert field in error.value.message_dict
    assert not SignOff.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_r16_r17_a_rating_of_1_or_2_with_satisfied_needs_the_engineers_confirmation(field_wo):
    """R16, R17: "satisfied" with a rating of 1 or 2 is probably a slip: refused on
    `confirm_low_rating` until the engineer confirms it; unsatisfied or rated 3 needs nothing."""
    visit = visit_at(field_wo, "on_site")
    arguments = dict(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        quality_rating=2,
        attitude_rating=5,
        satisfied=True,
        signer_name="李娜",
        drawn_signature=png_data_url(),
    )
    for ratings in ({"quality_rating": 2}, {"attitude_rating": 1, "quality_rating": 4}):
        with pytest.raises(ValidationError) as error:
            visit_sign(**{**arguments, **ratings})
        assert list(error.value.message_dict) == ["confirm_low_rating"]
        assert error.value.error_dict["confirm_low_rating"][0].code == "low_rating_unconfirmed"
    assert not SignOff.objects.exists() and not Attachment.objects.exists()
    signoff = visit_sign(**arguments, confirm_low_rating=True)
    assert (signoff.quality_rating, signoff.satisfied) == (2, True) and signoff.allows_completion


@pytest.mark.django_db
@pytest.mark.parametrize("quality,satisfied", [(1, False), (3, True)])
def test_r16_unsatisfied_or_a_rating_of_3_needs_no_confirmation(field_wo, quality, satisfied):
    visit = visit_at(field_wo, "on_site")
    signoff = visit_sign(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        quality_rating=quality,
        attitude_rating=quality,
        satisfied=satisfied,
        signer_name="李娜",
        drawn_signature=png_data_url(),
    )
    assert signoff.quality_rating == quality and signoff.satisfied is satisfied


@pytest.mark.django_db
def test_r17_refusal_is_recorded_with_its_reason_and_the_work_order_stays_open(field_wo):
    visit = visit_at(field_wo, "on_site")
    with pytest.raises(ValidationError) as error:
        visit_signoff_refuse(visit_id=visit.pk, actor=field_wo.engineer.user, reason=" ")
    assert "refusal_reason" in error.value.message_dict
    signoff = visit_signoff_refuse(
        visit_id=visit.pk, actor=field_wo.engineer.user, reason="公司规定须主管签字", satisfied=None
    )
    assert signoff.outcome == SignOffOutcome.REFUSED and not signoff.signature
    assert not SignedForm.objects.exists()  # nothing signed, no signed form
    assert signoff.refusal_reason == "公司规定须主管签字" and len(signoff.content_hash) == 64
    event = WorkOrderEvent.objects.get(work_order=field_wo, kind="signoff")
    assert event.action == "refused" and "公司规定须主管签字" in event.note  # the customer's own words
    assert "refused to sign" in event_text(event) and visit.number in event_text(event)
    visit_transition(visit_id=visit.pk, action="leave", actor=field_wo.engineer.user)  # never forced
    with pytest.raises(TransitionNotAllowed) as refused:
        complete(field_wo)
    assert refused.value.code == "customer_not_satisfied"
    field_wo.refresh_from_db()
    assert field_wo.state == State.IN_SERVICE and field_wo.completed_at is None


def depot_handed_back(wo, actor, *, method=ConfirmationMethod.SIGNATURE):
    """The work order's device taken in, repaired, re-checked and handed back to the customer, who
    confirms it (`method`)."""
    repair = depot_repair_receive(work_order=wo, actor=actor)
    depot_repair_inspect(repair_id=repair.pk, actor=actor, appearance="外观完好", configuration="标准配置")
    depot_repair_start(repair_id=repair.pk, actor=actor)
    depot_repair_recheck(repair_id=repair.pk, actor=actor, result="打印正常")
    return depot_repair_hand_back(
        repair_id=repair.pk, actor=actor, handed_back_to="李娜", confirmation_method=method
    )


@pytest.mark.django_db
def test_r17_a_later_satisfied_visit_supersedes_the_unsatisfied_sign_off(field_wo):
    """R17: the check looks at the customer's LATEST confirmation: unsatisfied on the first visit,
    satisfied on a later one, the work order completes."""
    with frozen(at(2026, 11, 23, 10, 0)):
        visit_at(field_wo, "done", satisfied=False)
    assert "NOT satisfied" in event_text(WorkOrderEvent.objects.get(kind="signoff"))
    with pytest.raises(TransitionNotAllowed) as refused:
        complete(field_wo)
    assert refused.value.code == "customer_not_satisfied"
    field_wo.refresh_from_db()
    assert field_wo.state == State.IN_SERVICE
    with frozen(at(2026, 11, 25, 15, 0)):  # the follow-up visit
        visit_at(field_wo, "done", satisfied=True)
    assert complete(field_wo).state == State.COMPLETED


@pytest.mark.django_db
def test_r17_a_depot_hand_back_the_customer_confirmed_supersedes_the_unsatisfied_sign_off(field_wo):
    """R17: unsatisfied on site, then the device repaired at the depot and handed back with the
    customer's confirmation: the work order completes."""
    engineer = field_wo.engineer.user
    with frozen(at(2026, 11, 23, 10, 0)):
        visit = visit_at(field_wo, "done", satisfied=False)
    with frozen(at(2026, 11, 26, 16, 0)):
        repair = depot_handed_back(field_wo, engineer)
    assert repair.state == DepotState.HANDED_BACK
    assert complete(field_wo).state == State.COMPLETED
    assert visit.number  # the unsatisfied sign-off stays on record (append-only)
    assert SignOff.objects.get(visit=visit).satisfied is False


@pytest.mark.django_db
def test_r17_an_unsatisfied_sign_off_after_the_hand_back_still_refuses(field_wo):
    """R17: what counts is the latest confirmation; a hand-back before the unsatisfied sign-off does
    not let the work order complete."""
    engineer = field_wo.engineer.user
    with frozen(at(2026, 11, 20, 9, 0)):
        workorder_transition(work_order_id=field_wo.pk, action="start", actor=engineer)
        depot_handed_back(field_wo, engineer)
    with frozen(at(2026, 11, 23, 10, 0)):
        visit = visit_at(field_wo, "done", satisfied=False)
    with pytest.raises(TransitionNotAllowed) as refused:
        complete(field_wo)
    assert refused.value.code == "customer_not_satisfied" and visit.number in refused.value.message


@pytest.mark.django_db
def test_r17_unsatisfied_alone_is_refused_with_409_through_the_api(field_wo, api_client):
    """R17: with only the unsatisfied sign-off, completing over the API is a 409 problem."""
    with frozen(at(2026, 11, 23, 10, 0)):
        visit_at(field_wo, "done", satisfied=False)
    response = api_client(field_wo.engineer.user).post(
        f"/api/workorders/{field_wo.pk}/complete/", {"resolution": "已修复"}, format="json"
    )
    assert_problem(response, 409, field=None, code="customer_not_satisfied")
    field_wo.refresh_from_db()
    assert field_wo.state == State.IN_SERVICE


@pytest.mark.django_db
def test_r15_satisfied_sign_off_allows_completion_but_not_while_a_visit_is_under_way(field_wo):
    visit = visit_at(field_wo, "signed")
    with pytest.raises(TransitionNotAllowed) as error:
        complete(field_wo)
    assert error.value.code == "visit_active"
    visit_transition(visit_id=visit.pk, action="leave", actor=field_wo.engineer.user)
    assert complete(field_wo).state == State.COMPLETED


@pytest.mark.django_db
def test_r15_the_signed_record_is_frozen_and_signed_only_once(field_wo):
    visit = visit_at(field_wo, "signed")
    actor = field_wo.engineer.user
    for call in (
        lambda: visit_record(visit_id=visit.pk, actor=actor, findings="改写"),
        lambda: visit_part_add(visit_id=visit.pk, actor=actor, part_number="X", name="Y"),
        lambda: sign(visit),
        lambda: visit_signoff_refuse(visit_id=visit.pk, actor=actor, reason="x"),
    ):
        with pytest.raises(TransitionNotAllowed):
            call()
    assert SignOff.objects.count() == 1
    signoff = SignOff.objects.get()
    with pytest.raises(ValueError):
        signoff.save()  # append-only (R41)


@pytest.mark.django_db
def test_r15_sign_off_only_on_site_and_by_the_visit_engineer(field_wo, other_engineer):
    visit = visit_at(field_wo, "en_route")
    with pytest.raises(TransitionNotAllowed):
        sign(visit)
    visit = visit_transition(visit_id=visit.pk, action="arrive", actor=field_wo.engineer.user)
    with pytest.raises(NotPermitted):
        sign(visit, actor=other_engineer.user)


@pytest.mark.django_db
def test_r12_plan_change_needs_the_customers_answer_and_is_on_the_timeline(field_wo):
    visit = visit_at(field_wo, "on_site")
    actor = field_wo.engineer.user
    with pytest.raises(ValidationError) as error:
        visit_record(visit_id=visit.pk, actor=actor, findings="主板故障", plan_change="需更换主板，另行报价")
    assert "plan_change_agreed" in error.value.message_dict
    visit = visit_record(
        visit_id=visit.pk,
        actor=actor,
        findings="主板故障",
        plan_change="需更换主板，另行报价",
        plan_change_agreed=False,
        checked=[5],
    )
    assert visit.plan_change_agreed is False and [i["ok"] for i in visit.checklist] == [False] * 5 + [True]
    event = WorkOrderEvent.objects.get(action="visit_plan_change")
    assert "did not agree" in event_text(event) and "需更换主板" in event.note  # the engineer's words


@pytest.mark.django_db
def test_r12_photos_are_work_order_attachments_named_after_the_visit(field_wo):
    visit = visit_at(field_wo, "on_site")
    attachment = visit_photo_add(
        visit_id=visit.pk, actor=field_wo.engineer.user, upload=png_upload(), description="铭牌"
    )
    assert attachment.work_order_id == field_wo.pk and attachment.content_type == "image/png"
    assert attachment.description == f"{visit.number} · 铭牌"
    with pytest.raises(ValidationError):
        visit_photo_add(
            visit_id=visit.pk, actor=field_wo.engineer.user, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
        )


@pytest.mark.django_db
def test_r16_internal_cause_and_measures_editable_after_leaving_until_the_work_order_closes(field_wo, clerk):
    visit = visit_at(field_wo, "done")
    visit = visit_internal_update(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        fault_cause="用户使用非原装硒鼓",
        repair_measures="更换定影组件",
    )
    assert visit.fault_cause == "用户使用非原装硒鼓"
    assert (
        visit_internal_update(
            visit_id=visit.pk, actor=clerk, fault_cause="A", repair_measures="B"
        ).fault_cause
        == "A"
    )
    assert SignOff.objects.get().content_hash == signoff_content_hash(
        SignOff.objects.get().content
    )  # unaffected
    complete(field_wo)
    workorder_transition(work_order_id=field_wo.pk, action="close", actor=clerk)
    with pytest.raises(TransitionNotAllowed):
        visit_internal_update(visit_id=visit.pk, actor=clerk, fault_cause="C", repair_measures="D")


@pytest.mark.django_db
def test_r41_signoff_check_constraint_refuses_a_refusal_without_reason(field_wo):
    visit = visit_at(field_wo, "on_site")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(
            visit=visit,
            outcome=SignOffOutcome.REFUSED,
            signed_at=timezone.now(),
            content_hash="0" * 64,
            recorded_by=field_wo.engineer.user,
        )
    assert Visit.objects.get(pk=visit.pk).state == VisitState.ON_SITE


@pytest.fixture
def renders(monkeypatch):
    """The calls of the signed form's (slow) PDF rendering, each with whether it ran while a
    sign-off was being written (the visit locked)."""
    from aftersales.field.services import signoff as signoff_services

    render = signoff_services._signed_form_render
    calls: list[int] = []

    def counted(signoff, signature):
        calls.append(len(signoff.content["parts"]))
        return render(signoff, signature)

    monkeypatch.setattr(signoff_services, "_signed_form_render", counted)
    return calls


@pytest.mark.django_db
def test_r15_the_sign_off_does_not_render_the_pdf_inside_its_transaction(
    field_wo, renders, django_capture_on_commit_callbacks
):
    """The PDF takes seconds: the sign-off only writes its signed form "pending" (nothing rendered
    while the visit is locked); the job queued for after the commit renders it from the frozen
    record and keeps it on the work order: "ready"."""
    visit = visit_at(field_wo, "on_site")
    visit_part_add(visit_id=visit.pk, actor=field_wo.engineer.user, part_number="RM1-2337", name="定影组件")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signoff = sign(Visit.objects.get(pk=visit.pk))
    form = SignedForm.objects.get(signoff=signoff)
    assert renders == [] and form.state == SignedFormState.PENDING and form.attachment is None
    assert not Attachment.objects.exists()
    for callback in callbacks:  # the commit: the job runs (eagerly in tests)
        callback()
    form.refresh_from_db()
    assert renders == [1] and form.state == SignedFormState.READY and form.attempts == 1
    assert form.attachment.work_order_id == field_wo.pk and form.attachment.content_type == "application/pdf"
    with form.attachment.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "RM1-2337" in text and signoff.content_hash[:16] in text.replace("\n", "")
    # Idempotent: a second run (a retry, the periodic job) finds it ready and stores nothing again.
    assert signed_form_render(signed_form_id=form.pk).attachment_id == form.attachment_id
    assert renders == [1] and Attachment.objects.filter(work_order=field_wo).count() == 1


@pytest.mark.django_db
def test_r15_a_refusal_has_no_signed_form_to_render(field_wo, renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit_signoff_refuse(
            visit_id=visit_at(field_wo, "on_site").pk, actor=field_wo.engineer.user, reason="x"
        )
    assert renders == [] and not SignedForm.objects.exists()


@pytest.mark.django_db
def test_r15_a_failed_rendering_is_kept_and_tried_again_by_the_periodic_job(
    field_wo, monkeypatch, django_capture_on_commit_callbacks
):
    from aftersales.field.services import signoff as signoff_services

    visit = visit_at(field_wo, "on_site")
    render = signoff_services._signed_form_render

    def broken(signoff, signature):
        raise OSError("font missing")

    monkeypatch.setattr(signoff_services, "_signed_form_render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        signoff = sign(Visit.objects.get(pk=visit.pk))  # the sign-off itself is kept
    form = SignedForm.objects.get(signoff=signoff)
    assert (form.state, form.attempts, form.error) == (SignedFormState.FAILED, 1, "OSError: font missing")
    monkeypatch.setattr(signoff_services, "_signed_form_render", render)
    assert signed_forms_render_pending() == 1
    form.refresh_from_db()
    assert form.state == SignedFormState.READY and form.attempts == 2 and form.error == ""


@pytest.mark.django_db
def test_r15_in_the_embedded_mode_the_periodic_job_renders_the_pending_forms(
    field_wo, settings, renders, django_capture_on_commit_callbacks
):
    """Without a broker a queued job would run inside the engineer's request: nothing is queued,
    the job process's periodic job renders the form (on the beat schedule). With a broker, the
    periodic job leaves a fresh form to its queued job."""
    from aftersales.config.celery import app as celery_app

    entry = celery_app.conf.beat_schedule["field-render-signed-forms"]
    assert entry["task"] == "aftersales.field.tasks.render_pending_signed_forms"
    settings.FIELD_SIGNED_FORM_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True):
        signoff = sign(visit_at(field_wo, "on_site"))
    assert renders == [] and signoff.signed_form.state == SignedFormState.PENDING
    settings.FIELD_SIGNED_FORM_ON_COMMIT = True
    assert signed_forms_render_pending() == 0 and renders == []  # its queued job will do it
    settings.FIELD_SIGNED_FORM_ON_COMMIT = False
    from aftersales.field.tasks import render_pending_signed_forms

    assert render_pending_signed_forms.delay().get() == 1 and renders == [0]
    assert SignedForm.objects.get(signoff=signoff).is_ready
