"""R19 in the browser: the service centre works the supervision cards from their list: verifies one
from its row with a note, then ticks others and verifies them in one go; a card the engineer has
not submitted yet is named as refused (the rows' own forms sit beside the bulk form, never inside
it, where the browser would drop them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.field.choices import SupervisionState
from aftersales.field.models import SupervisionCard
from aftersales.field.services import supervision_transition
from aftersales.workorders.choices import State
from tests import factories as f
from tests.field.visit_factories import visit_at

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r19_verify_from_a_row_then_ticked_cards_in_bulk(open_page, live_server):
    engineer = f.EngineerFactory(user__username="eng_zhao", user__last_name="赵", user__first_name="工")
    f.UserFactory(username="clerk", role=Role.CLERK)
    work_order = f.WorkOrderFactory(
        engineer=engineer, service_point=engineer.service_point, state=State.ASSIGNED
    )
    cards = [SupervisionCard.objects.get(visit=visit_at(work_order, "done")) for _ in range(3)]
    first, second, missing = cards
    for card in (first, second):
        supervision_transition(
            card_id=card.pk, action="submit", actor=engineer.user, summary="已更换定影组件"
        )

    page = open_page()
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/field/supervision/?ordering=visit")  # first, second, missing
    rows = page.get_by_test_id("list-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-pk", str(first.pk))

    row = page.locator(f'[data-testid="list-row"][data-pk="{first.pk}"]')
    row.locator('input[name="note"]').first.fill("已电话确认")  # the verify form's note
    with page.expect_navigation():
        row.get_by_test_id("supervision-verify").click()
    expect(page.get_by_test_id("message-success")).to_be_visible()
    first.refresh_from_db()
    assert first.state == SupervisionState.VERIFIED and first.verification_note == "已电话确认"

    for card in (second, missing):
        page.locator(f'[data-testid="list-row"][data-pk="{card.pk}"] input[name="ids"]').check()
    with page.expect_navigation():
        page.get_by_test_id("bulk-verify").click()
    expect(page.get_by_test_id("message-success")).to_contain_text("1")
    expect(page.get_by_test_id("message-error")).to_contain_text(missing.visit.number)
    second.refresh_from_db()
    missing.refresh_from_db()
    assert second.state == SupervisionState.VERIFIED and missing.state == SupervisionState.PENDING
