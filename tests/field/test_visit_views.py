"""R12, R15-R17 the engineer's phone pages: today's jobs (address, map link, call button), the
visit page with its steps and on-site record, sign-off and refusal, completing the work order; the
printed forms (维修服务单, 保修记录单 with the customer's copy free of internal fields, 服务任务监督卡)
as print view and PDF; scoping (R37)."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from aftersales.field.choices import SignOffOutcome, VisitState
from aftersales.field.models import SignOff, SupervisionCard, Visit
from aftersales.field.services import appointment_book, visit_internal_update
from aftersales.workorders.choices import State

from .. import factories as f
from ..timeutil import at, travelling
from .visit_factories import png_data_url, png_upload, visit_at


def go(client, name, *args, data=None, **kwargs):
    response = client.post(reverse(f"field:{name}", args=args), data or {}, **kwargs)
    assert response.status_code == 302, response.content[:500]
    return client.get(response["Location"])


@pytest.fixture
def engineer_client(client, field_wo):
    client.force_login(field_wo.engineer.user)
    return client


@pytest.mark.django_db
def test_r12_todays_jobs_lists_visits_and_appointments_with_map_and_call(engineer_client, field_wo):
    with travelling(at(2026, 11, 23, 10, 0)):  # a working morning: the next hour is still today
        _todays_jobs_check(engineer_client, field_wo)


def _todays_jobs_check(engineer_client, field_wo):
    visit = visit_at(field_wo, "booked")
    other = f.WorkOrderFactory(
        engineer=field_wo.engineer, service_point=field_wo.service_point, state=State.ASSIGNED
    )
    later = (timezone.localtime() + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    appointment_book(
        work_order=other,
        engineer=field_wo.engineer,
        day=timezone.localdate(),
        window_start=later,
        window_end=time(23, 59),
        actor=None,
    )
    page = engineer_client.get(reverse("field:today")).content.decode()
    assert page.count('data-testid="today-visit"') == 1 and page.count('data-testid="today-appointment"') == 1
    assert reverse("field:visit_detail", args=[visit.pk]) in page
    assert "https://uri.amap.com/search?keyword=%E4%B8%8A%E6%B5%B7%E5%B8%82" in page  # 上海市…
    assert "漕溪北路 88 号" in page and 'href="tel:' in page
    assert 'data-testid="nav-today"' in page
    response = engineer_client.post(
        reverse("field:visit_from_appointment", args=[other.appointments.get().pk])
    )
    opened = Visit.objects.get(work_order=other)
    assert response["Location"] == reverse("field:visit_detail", args=[opened.pk])
    assert opened.window_start == later


@pytest.mark.django_db
def test_r12_todays_jobs_empty_state(client, make_user):
    client.force_login(make_user("engineer", username="no_engineer_profile"))
    assert 'data-testid="today-empty"' in client.get(reverse("field:today")).content.decode()


@pytest.mark.django_db
def test_r12_the_whole_visit_through_the_pages(engineer_client, field_wo):
    page = engineer_client.get(
        reverse("workorders:detail", args=[field_wo.pk]) + "?tab=service"
    ).content.decode()
    assert 'data-testid="visits-panel"' in page and 'data-testid="visit-plan-form"' in page
    page = go(engineer_client, "visit_plan", field_wo.pk).content.decode()
    visit = Visit.objects.get()
    assert 'data-testid="visit-action-depart"' in page and 'data-testid="visit-action-arrive"' in page
    go(engineer_client, "visit_transition", visit.pk, "depart", data={"version": 1})
    page = go(
        engineer_client,
        "visit_transition",
        visit.pk,
        "arrive",
        data={"version": 2, "latitude": "31.23", "longitude": "121.47", "accuracy": "12"},
    ).content.decode()
    assert 'data-testid="visit-checkin-location"' in page and "31.230000" in page
    assert 'id="signature-canvas"' in page and "vendor/signature_pad/signature_pad.umd.min.js" in page
    go(engineer_client, "visit_record", visit.pk, data={"findings": "定影器老化", "checked": ["0", "1"]})
    go(
        engineer_client,
        "visit_part_add",
        visit.pk,
        data={"part_number": "RM1-2337", "name": "定影组件", "quantity": 1, "shown_to_customer": "on"},
    )
    page = go(
        engineer_client, "visit_photo", visit.pk, data={"file": png_upload(), "description": "铭牌"}
    ).content.decode()
    assert page.count('data-testid="visit-photo"') == 1 and page.count('data-testid="visit-part"') == 1
    page = go(
        engineer_client,
        "visit_sign",
        visit.pk,
        data={
            "quality_rating": "5",
            "attitude_rating": "5",
            "satisfied": "yes",
            "signer_name": "李娜",
            "signature": png_data_url(),
        },
    ).content.decode()
    signoff = SignOff.objects.get()
    assert 'data-testid="signoff-image"' in page and signoff.content_hash in page
    assert 'data-testid="visit-record-save"' not in page  # frozen once signed
    page = go(engineer_client, "visit_transition", visit.pk, "leave", data={}).content.decode()
    assert 'data-testid="visit-card"' in page and 'data-testid="complete-form"' in page
    go(engineer_client, "visit_complete", visit.pk, data={"resolution": "更换定影组件，打印正常"})
    field_wo.refresh_from_db()
    assert field_wo.state == State.COMPLETED and field_wo.resolution == "更换定影组件，打印正常"
    page = go(
        engineer_client,
        "supervision_transition",
        SupervisionCard.objects.get().pk,
        "submit",
        data={"summary": "按时完成"},
    ).content.decode()
    assert SupervisionCard.objects.get().state == "submitted"


@pytest.mark.django_db
def test_r16_r17_the_sign_off_page_shows_the_scale_and_asks_to_confirm_a_low_rating_with_satisfied(
    engineer_client, field_wo
):
    """R16, R17: the rating scale (1 = very unsatisfied … 5 = very satisfied) as on the return-visit
    form; "satisfied" with a rating of 2 comes back on the filled-in form (400) with an error on the
    confirmation, the answers and the drawn signature kept; confirmed, it is signed."""
    visit = visit_at(field_wo, "on_site")
    url = reverse("field:visit_detail", args=[visit.pk])
    page = engineer_client.get(url).content.decode()
    assert 'data-testid="signoff-scale"' in page and "1 = very unsatisfied … 5 = very satisfied" in page
    assert 'data-testid="quality_rating-1"' in page and 'data-testid="attitude_rating-5"' in page
    assert 'data-testid="confirm-low-rating-error"' not in page
    answers = {
        "version": visit.version,
        "quality_rating": "2",
        "attitude_rating": "4",
        "satisfied": "yes",
        "signer_name": "王芳",
        "comment": "还行",
        "signature": png_data_url(),
    }
    response = engineer_client.post(reverse("field:visit_sign", args=[visit.pk]), answers)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="confirm-low-rating-error"' in page and "rating of 1 or 2" in page
    form = response.context["signoff_form"]
    assert "confirm_low_rating" in form.errors
    assert 'id="quality_rating-2" value="2" required autocomplete="off" data-rating checked' in page
    assert 'id="satisfied-yes" value="yes" required autocomplete="off" checked' in page
    assert 'value="王芳"' in page and "还行</textarea>" in page and png_data_url() in page
    assert not SignOff.objects.exists()
    page = go(
        engineer_client, "visit_sign", visit.pk, data={**answers, "confirm_low_rating": "on"}
    ).content.decode()
    signoff = SignOff.objects.get()
    assert (signoff.quality_rating, signoff.satisfied, signoff.signer_name) == (2, True, "王芳")
    assert 'data-testid="signoff-signed"' in page


@pytest.mark.django_db
def test_r15_the_page_answers_at_once_and_shows_the_signed_form_pending_until_it_is_ready(
    engineer_client, field_wo, django_capture_on_commit_callbacks
):
    """R15, R21: signing does not wait for the PDF: the page shows the signed form being prepared
    (and asks for itself again every few seconds) until the job made it, then links to it."""
    visit = visit_at(field_wo, "on_site")
    answers = {
        "quality_rating": "5",
        "attitude_rating": "5",
        "satisfied": "yes",
        "signer_name": "李娜",
        "signature": png_data_url(),
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = go(engineer_client, "visit_sign", visit.pk, data=answers).content.decode()
    assert 'data-testid="signoff-signed"' in page and 'data-testid="signed-form-pending"' in page
    assert 'hx-trigger="every 3s"' in page and 'hx-select="#signed-form"' in page
    for callback in callbacks:
        callback()
    page = engineer_client.get(reverse("field:visit_detail", args=[visit.pk])).content.decode()
    attachment = SignOff.objects.get().signed_form.attachment
    assert 'data-testid="signed-form-link"' in page and 'data-testid="signed-form-pending"' not in page
    assert reverse("workorders:attachment_download", args=[attachment.uuid]) in page
    assert "every 3s" not in page


@pytest.mark.django_db
def test_r17_refusal_through_the_page_keeps_the_work_order_open(engineer_client, field_wo):
    visit = visit_at(field_wo, "on_site")
    page = go(
        engineer_client, "visit_refuse", visit.pk, data={"refusal_reason": "需请示领导"}
    ).content.decode()
    assert 'data-testid="signoff-refused"' in page and "需请示领导" in page
    assert SignOff.objects.get().outcome == SignOffOutcome.REFUSED
    go(engineer_client, "visit_transition", visit.pk, "leave")
    page = go(engineer_client, "visit_complete", visit.pk, data={"resolution": "x"}).content.decode()
    assert 'data-testid="message-error"' in page
    field_wo.refresh_from_db()
    assert field_wo.state == State.IN_SERVICE


@pytest.mark.django_db
def test_r12_refused_steps_are_messages_never_errors(engineer_client, field_wo):
    visit = visit_at(field_wo, "booked")
    page = go(engineer_client, "visit_transition", visit.pk, "leave").content.decode()
    assert 'data-testid="message-error"' in page
    page = go(
        engineer_client,
        "visit_sign",
        visit.pk,
        data={"quality_rating": "5", "attitude_rating": "5", "satisfied": "yes", "signer_name": "李娜"},
    ).content.decode()
    assert 'data-testid="message-error"' in page
    stale = go(engineer_client, "visit_transition", visit.pk, "depart", data={"version": 99}).content.decode()
    assert "changed by someone else" in stale and Visit.objects.get().state == VisitState.BOOKED
    assert engineer_client.post(reverse("field:visit_transition", args=[visit.pk, "fly"])).status_code == 404


@pytest.mark.django_db
def test_r37_visits_of_another_service_point_are_not_found(client, field_wo):
    visit = visit_at(field_wo, "on_site")
    stranger = f.EngineerFactory(user__username="stranger")  # another service point
    client.force_login(stranger.user)
    assert client.get(reverse("field:visit_detail", args=[visit.pk])).status_code == 404
    assert client.post(reverse("field:visit_transition", args=[visit.pk, "leave"])).status_code == 404
    assert client.get(reverse("field:visit_service_form", args=[visit.pk])).status_code == 404


@pytest.fixture
def signed_visit(field_wo):
    visit = visit_at(field_wo, "done")
    return visit_internal_update(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        fault_cause="INTERNAL-CAUSE 非原装硒鼓",
        repair_measures="INTERNAL-MEASURE 更换定影组件",
    )


@pytest.mark.django_db
def test_r16_customer_copy_of_the_warranty_record_has_no_internal_fields(engineer_client, signed_visit):
    url = reverse("field:visit_warranty_record", args=[signed_visit.pk])
    customer = engineer_client.get(url).content.decode()
    assert "INTERNAL-CAUSE" not in customer and "INTERNAL-MEASURE" not in customer
    assert 'data-testid="form-internal"' not in customer and "Customer&#x27;s copy" in customer
    assert 'data-testid="form-signature-image"' in customer and "李娜" in customer
    internal = engineer_client.get(url, {"copy": "internal"}).content.decode()
    assert "INTERNAL-CAUSE" in internal and "INTERNAL-MEASURE" in internal and "Internal copy" in internal
    pdf = engineer_client.get(url, {"format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "INTERNAL" not in text and signed_visit.work_order.number in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,title",
    [("visit_service_form", "Repair service form"), ("visit_warranty_record", "Warranty record")],
)
def test_r15_forms_as_pdf_in_chinese_with_the_numbers(client, signed_visit, name, title):
    client.force_login(signed_visit.engineer.user)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse(f"field:{name}", args=[signed_visit.pk]), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(
        "\n", ""
    )
    with translation.override("zh-hans"):
        label = gettext(title)
    for expected in (label, "工程师", signed_visit.work_order.number, signed_visit.number, "定影器老化"):
        assert expected in text


@pytest.mark.django_db
def test_r19_supervision_card_print_view_and_pdf(client, signed_visit, clerk):
    card = SupervisionCard.objects.get(visit=signed_visit)
    client.force_login(clerk)
    page = client.get(reverse("field:supervision_print", args=[card.pk])).content.decode()
    assert "Service task supervision card" in page and signed_visit.number in page
    pdf = client.get(reverse("field:supervision_print", args=[card.pk]), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_r19_home_panel_shows_todays_jobs_and_late_cards(client, engineer_client, field_wo, clerk):
    visit_at(field_wo, "booked")
    page = engineer_client.get(reverse("home")).content.decode()
    assert 'data-testid="home-today"' in page and 'data-testid="home-today-count">1<' in page
    client.force_login(clerk)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-to-verify"' in page and 'data-testid="home-today"' not in page
