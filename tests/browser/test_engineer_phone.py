"""R12, R15, R21 on a phone: the engineer opens today's job, starts the trip, checks in with the
phone's location, records the findings, a replaced part and a photo, the customer rates and signs
with a finger on the screen (mouse moves on the canvas), the engineer checks out; the signed
service form is a PDF attachment of the work order."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from aftersales.field.choices import VisitState
from aftersales.field.models import SignOff, SupervisionCard, Visit
from aftersales.field.services import visit_create
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f
from tests.field.visit_factories import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_test_id("field-username").fill(username)
    page.get_by_test_id("field-password").fill(f.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("logout")).to_be_attached()


def submit(page: Page, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_r12_r15_engineer_visit_on_a_phone_with_drawn_signature(open_page, live_server):
    engineer = f.EngineerFactory(user__username="engineer", user__last_name="赵", user__first_name="工")
    customer = f.CustomerFactory(
        name="上海星辰科技有限公司",
        province="上海市",
        city="上海市",
        district="徐汇区",
        address="漕溪北路 88 号",
    )
    work_order = f.WorkOrderFactory(
        customer=customer, engineer=engineer, service_point=engineer.service_point, state=State.ASSIGNED
    )
    visit = visit_create(work_order=work_order, actor=engineer.user)
    base = live_server.url

    page = open_page(width=390, height=844, phone=True)
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"latitude": 31.2304, "longitude": 121.4737, "accuracy": 20})
    login(page, base, "engineer")

    page.goto(f"{base}/field/today/")
    job = page.get_by_test_id("today-visit")
    expect(job).to_contain_text("上海星辰科技有限公司")
    address = quote("上海市 上海市 徐汇区 漕溪北路 88 号")
    expect(job.get_by_test_id("job-map")).to_have_attribute(
        "href", f"https://uri.amap.com/search?keyword={address}"
    )
    expect(job.get_by_test_id("job-call")).to_have_attribute("href", f"tel:{work_order.contact_phone[3:]}")
    submit(page, "today-open")
    expect(page.get_by_test_id("visit-number")).to_have_text(visit.number)

    submit(page, "visit-action-depart")
    expect(page.get_by_test_id("visit-state")).to_have_attribute("data-state", VisitState.EN_ROUTE)
    submit(page, "visit-action-arrive")  # the page asks the browser for the position first
    expect(page.get_by_test_id("visit-checkin-location")).to_contain_text("31.2304")

    page.get_by_test_id("visit-findings").fill("定影组件老化导致卡纸，已更换，试打印正常")
    for index in range(6):
        page.get_by_test_id(f"visit-check-{index}").check()
    submit(page, "visit-record-save")

    page.get_by_test_id("part-number").fill("RM1-2337")
    page.get_by_test_id("part-name").fill("定影组件")
    submit(page, "part-add")
    expect(page.get_by_test_id("visit-part")).to_contain_text("RM1-2337")

    page.get_by_test_id("photo-file").set_input_files(
        {"name": "nameplate.png", "mimeType": "image/png", "buffer": png_bytes(16, 16)}
    )
    page.get_by_test_id("photo-description").fill("设备铭牌")
    submit(page, "photo-add")
    expect(page.get_by_test_id("visit-photo")).to_have_count(1)

    page.get_by_test_id("quality_rating-5").click()
    page.get_by_test_id("attitude_rating-4").click()
    page.get_by_test_id("satisfied-yes").click()
    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + 30 + step * 10, y + (18 if step % 2 else -18), steps=3)
    page.mouse.up()
    submit(page, "signoff-submit")
    expect(page.get_by_test_id("signoff-image")).to_be_visible()

    submit(page, "visit-action-leave")
    expect(page.get_by_test_id("visit-state")).to_have_attribute("data-state", VisitState.DONE)
    expect(page.get_by_test_id("visit-card")).to_be_visible()

    visit = Visit.objects.get(pk=visit.pk)
    assert visit.checkin_latitude is not None and visit.checkout_latitude is not None
    signoff = SignOff.objects.get(visit=visit)
    assert signoff.quality_rating == 5 and signoff.attitude_rating == 4 and signoff.satisfied
    with signoff.signature.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert signoff.content["parts"] == [["RM1-2337", "定影组件", 1]]
    assert SupervisionCard.objects.filter(visit=visit).exists()
    work_order = WorkOrder.objects.get(pk=work_order.pk)
    assert work_order.state == State.IN_SERVICE  # the first trip started it
    document = signoff.signed_form.attachment  # rendered by the job after the commit
    assert document.work_order_id == work_order.pk and document.content_type == "application/pdf"
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # The signed form is on the work order's page, with the photo.
    page.goto(f"{base}/workorders/{work_order.pk}/")
    page.get_by_test_id("tab-documents").click()
    attachments = page.get_by_test_id("attachments")
    expect(attachments).to_contain_text(visit.number)
    expect(attachments.get_by_test_id("attachment")).to_have_count(2)


def test_r16_r17_a_low_rating_with_satisfied_is_confirmed_on_the_phone(open_page, live_server):
    """R16, R17: the scale is shown; choosing 2 and "satisfied" shows the confirmation; sent without
    it, the form comes back with the error, the answers and the drawn signature kept; ticked, the
    customer's sign-off is recorded."""
    from tests.field.visit_factories import visit_at

    engineer = f.EngineerFactory(user__username="engineer2")
    work_order = f.WorkOrderFactory(
        engineer=engineer, service_point=engineer.service_point, state=State.ASSIGNED
    )
    visit = visit_at(work_order, "on_site")
    base = live_server.url
    page = open_page(width=390, height=844, phone=True)
    login(page, base, "engineer2")
    page.goto(f"{base}/field/visits/{visit.pk}/")
    expect(page.get_by_test_id("signoff-scale")).to_be_visible()
    box = page.get_by_test_id("confirm-low-rating-box")
    expect(box).to_be_hidden()
    page.get_by_test_id("quality_rating-2").click()
    page.get_by_test_id("attitude_rating-4").click()
    page.get_by_test_id("satisfied-yes").click()
    expect(box).to_be_visible()
    page.get_by_test_id("satisfied-no").click()
    expect(box).to_be_hidden()
    page.get_by_test_id("satisfied-yes").click()
    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    area = canvas.bounding_box()
    assert area is not None
    x, y = area["x"], area["y"] + area["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(x + 30 + step * 10, y + (15 if step % 2 else -15), steps=3)
    page.mouse.up()
    submit(page, "signoff-submit")  # unconfirmed: back on the form
    expect(page.get_by_test_id("confirm-low-rating-error")).to_be_visible()
    expect(page.locator("#quality_rating-2")).to_be_checked()
    expect(page.locator("#satisfied-yes")).to_be_checked()
    assert not SignOff.objects.filter(visit=visit).exists()
    page.get_by_test_id("confirm-low-rating").check()
    submit(page, "signoff-submit")
    expect(page.get_by_test_id("signoff-image")).to_be_visible()
    signoff = SignOff.objects.get(visit=visit)
    assert (signoff.quality_rating, signoff.satisfied) == (2, True) and signoff.signature
