"""R19 the service task supervision card of a visit: opened at check-out, submitted by the engineer
the same day (late when submitted after the visit's day ends, or still missing then), verified or
sent back by the service centre; the list for the service centre highlights late cards, filters and
exports to Excel, scoped to what the user may see (R37)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.models import AccessLog
from aftersales.field.choices import SupervisionState
from aftersales.field.models import SupervisionCard
from aftersales.field.selectors import supervision_list
from aftersales.field.services import supervision_transition
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrderEvent

from .. import factories as f
from ..timeutil import at as instant
from ..timeutil import frozen
from .visit_factories import visit_at

LIST = reverse("field:supervision_list")


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """An instant of the visit's day, Monday 2026-11-23 in Shanghai, or `days` later."""
    return instant(2026, 11, 23, hour, minute) + timedelta(days=days)


def card_of_visit_on(wo, moment: datetime) -> SupervisionCard:
    with frozen(moment):
        visit = visit_at(wo, "done")
    return SupervisionCard.objects.get(visit=visit)


def submit(card, actor, moment, summary="已更换定影组件，客户满意"):
    with frozen(moment):
        return supervision_transition(card_id=card.pk, action="submit", actor=actor, summary=summary)


def late_flag(user, card, now) -> bool:
    return supervision_list(user, now=now).get(pk=card.pk).late


@pytest.mark.django_db
def test_r19_card_submitted_the_same_day_is_on_time(field_wo, supervisor):
    card = card_of_visit_on(field_wo, at(10))
    assert card.due_at == at(0, days=1)
    card = submit(card, field_wo.engineer.user, at(23, 59))
    assert card.state == SupervisionState.SUBMITTED and card.submitted_at == at(23, 59)
    assert not card.is_late() and not late_flag(supervisor, card, at(9, days=3))
    assert "late" not in event_text(WorkOrderEvent.objects.get(action="card_submit"))


@pytest.mark.django_db
def test_r19_card_submitted_after_the_visits_day_is_late(field_wo, supervisor):
    card = card_of_visit_on(field_wo, at(15))
    card = submit(card, field_wo.engineer.user, at(8, days=1))
    assert card.is_late() and late_flag(supervisor, card, at(9, days=1))
    assert "late" in event_text(WorkOrderEvent.objects.get(action="card_submit"))


@pytest.mark.django_db
def test_r19_missing_card_is_late_only_once_the_day_is_over(field_wo, supervisor):
    card = card_of_visit_on(field_wo, at(15))
    assert not card.is_late(at(23)) and not late_flag(supervisor, card, at(23))
    assert card.is_late(at(0, 1, days=1)) and late_flag(supervisor, card, at(0, 1, days=1))


@pytest.mark.django_db
def test_r19_card_lifecycle_roles_and_reasons(field_wo, other_engineer, clerk, agent):
    card = card_of_visit_on(field_wo, at(10))
    with pytest.raises(NotPermitted):
        submit(card, other_engineer.user, at(12))
    with pytest.raises(NotPermitted):
        submit(card, clerk, at(12))
    with pytest.raises(ValidationError):
        submit(card, field_wo.engineer.user, at(12), summary=" ")
    with pytest.raises(TransitionNotAllowed):
        supervision_transition(card_id=card.pk, action="verify", actor=clerk)
    card = submit(card, field_wo.engineer.user, at(12))
    with pytest.raises(NotPermitted):
        supervision_transition(card_id=card.pk, action="verify", actor=field_wo.engineer.user)
    with pytest.raises(NotPermitted):
        supervision_transition(card_id=card.pk, action="verify", actor=agent)
    with pytest.raises(ValidationError):
        supervision_transition(card_id=card.pk, action="send_back", actor=clerk, note="")
    card = supervision_transition(card_id=card.pk, action="send_back", actor=clerk, note="请补充到场时间")
    assert card.state == SupervisionState.PENDING and card.verification_note == "请补充到场时间"
    card = submit(card, field_wo.engineer.user, at(10, days=2))  # resubmitted later
    assert card.submitted_at == at(12) and not card.is_late()  # the first submission counts
    card = supervision_transition(card_id=card.pk, action="verify", actor=clerk, note="已核实")
    assert card.state == SupervisionState.VERIFIED and card.verified_by == clerk and card.verified_at
    with pytest.raises(TransitionNotAllowed):
        supervision_transition(card_id=card.pk, action="send_back", actor=clerk, note="x")
    actions = list(
        WorkOrderEvent.objects.filter(action__startswith="card_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["card_submit", "card_send_back", "card_submit", "card_verify"]


# The tests of the list run on a frozen Thursday morning: lateness counts working time, so a real
# clock past midnight on a Monday once made the on-time card of "three days ago" late.
LIST_NOW = instant(2026, 12, 3, 11)


@pytest.fixture
def cards(field_wo):
    """An on-time card and a missing (late) one of visits three days ago (the clock stays frozen
    for the test)."""
    with frozen(LIST_NOW):
        three_days_ago = LIST_NOW - timedelta(days=3)
        on_time = card_of_visit_on(field_wo, three_days_ago)
        submit(on_time, field_wo.engineer.user, three_days_ago + timedelta(minutes=5))
        missing = card_of_visit_on(field_wo, three_days_ago)
        yield on_time, missing


@pytest.mark.django_db
def test_r19_list_highlights_late_cards_and_filters_them(client, clerk, cards):
    on_time, missing = cards
    client.force_login(clerk)
    page = client.get(reverse("field:supervision_list")).content.decode()
    assert page.count('data-testid="list-row"') == 2
    assert 'data-late="1"' in page and "table-danger" in page
    assert page.count('data-testid="supervision-verify"') == 1  # only the submitted card
    late = client.get(reverse("field:supervision_list"), {"late": "true"}).content.decode()
    assert missing.visit.number in late and on_time.visit.number not in late
    partial = client.get(reverse("field:supervision_list"), {"late": "false"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<nav" not in body and on_time.visit.number in body and missing.visit.number not in body


@pytest.mark.django_db
def test_r19_verify_from_the_list(client, clerk, cards):
    on_time, _missing = cards
    on_time.refresh_from_db()
    client.force_login(clerk)
    response = client.post(
        reverse("field:supervision_transition", args=[on_time.pk, "verify"]),
        {"version": on_time.version, "next": reverse("field:supervision_list")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("field:supervision_list")
    on_time.refresh_from_db()
    assert on_time.state == SupervisionState.VERIFIED


@pytest.mark.django_db
def test_r19_export_lists_the_filtered_cards_with_lateness(client, clerk, cards):
    client.force_login(clerk)
    response = client.get(reverse("field:supervision_export"), {"late": "true"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Visit" and "Late" in rows[0]
    assert len(rows) == 2 and rows[1][0] == cards[1].visit.number and rows[1][rows[0].index("Late")] == "Yes"


@pytest.mark.django_db
def test_r37_supervision_list_is_scoped_to_the_dealer(client, cards):
    other_dealer_staff = f.UserFactory(
        role=Role.DEALER_STAFF, dealer=f.DealerFactory(code="DZ"), username="dz"
    )
    client.force_login(other_dealer_staff)
    page = client.get(reverse("field:supervision_list")).content.decode()
    assert 'data-testid="empty"' in page
    response = client.post(reverse("field:supervision_transition", args=[cards[0].pk, "verify"]), {})
    assert response.status_code == 404


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_r19_service_centre_verifies_ticked_cards_and_a_refused_one_is_reported(client, clerk, cards):
    """Given a submitted card and one still missing, when the clerk ticks both and verifies them,
    then the submitted one is verified and the missing one is named as refused, left as it was."""
    on_time, missing = cards
    client.force_login(clerk)
    assert [action.name for action, _form in client.get(LIST).context["bulk_actions"]] == ["verify"]

    response = client.post(LIST, {"bulk_action": "verify", "ids": [on_time.pk, missing.pk]}, follow=True)

    on_time.refresh_from_db()
    missing.refresh_from_db()
    assert on_time.state == SupervisionState.VERIFIED and on_time.verified_by == clerk
    assert missing.state == SupervisionState.PENDING
    texts = _messages(response)
    assert any("1 done" in text for text in texts)
    assert any(text.startswith(missing.visit.number) for text in texts)


@pytest.mark.django_db
def test_r19_roles_that_do_not_verify_are_not_offered_bulk_verify_and_are_refused(client, agent, cards):
    on_time, _missing = cards
    client.force_login(agent)
    page = client.get(LIST)
    assert page.context["bulk_actions"] == [] and 'data-testid="bulk-verify"' not in page.content.decode()

    response = client.post(LIST, {"bulk_action": "verify", "ids": [on_time.pk]}, follow=True)

    assert "Choose an action you may take." in _messages(response)
    on_time.refresh_from_db()
    assert on_time.state == SupervisionState.SUBMITTED


@pytest.mark.django_db
def test_r37_bulk_verify_acts_only_on_cards_in_scope(client, cards):
    """Dealer staff verify cards, but ticking another dealer's card changes nothing."""
    on_time, _missing = cards
    client.force_login(f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory(code="DZ")))
    client.post(LIST, {"bulk_action": "verify", "ids": [on_time.pk]})
    on_time.refresh_from_db()
    assert on_time.state == SupervisionState.SUBMITTED


@pytest.mark.django_db
def test_r41_export_of_the_ticked_cards_only_and_logged(client, clerk, cards):
    on_time, _missing = cards
    client.force_login(clerk)
    response = client.post(LIST, {"bulk_action": "export", "ids": [on_time.pk]})
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [on_time.visit.number]
    assert AccessLog.objects.filter(action="export", resource="supervision_cards", actor=clerk).exists()


@pytest.mark.django_db
def test_r19_list_query_count_does_not_grow_with_the_cards(client, clerk, field_wo):
    """Each row's buttons and lateness come without a query per card."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    client.force_login(clerk)
    yesterday = timezone.now() - timedelta(days=1)
    submit(card_of_visit_on(field_wo, yesterday), field_wo.engineer.user, yesterday)
    few = count()
    for _ in range(4):
        submit(card_of_visit_on(field_wo, yesterday), field_wo.engineer.user, yesterday)
        card_of_visit_on(field_wo, yesterday)
    assert count() == few


# --- the list's bulk verify through the API (issue 13) ----------------------------------------------


@pytest.mark.django_db
def test_r19_bulk_verify_through_the_api_reports_each_card_done_refused_or_not_found(
    api_client, clerk, cards
):
    on_time, missing = cards

    response = api_client(clerk).post(
        "/api/supervision-cards/bulk/",
        {"action": "verify", "ids": [on_time.pk, missing.pk, 999999]},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["action"], body["done"], body["refused"], body["not_found"]) == ("verify", 1, 1, 1)
    assert [(r["id"], r["outcome"], r["number"]) for r in body["results"]] == [
        (on_time.pk, "done", on_time.visit.number),
        (missing.pk, "refused", missing.visit.number),
        (999999, "not_found", None),
    ]
    assert body["results"][1]["reason"]
    on_time.refresh_from_db()
    assert on_time.state == SupervisionState.VERIFIED and on_time.verified_by == clerk
    assert SupervisionCard.objects.get(pk=missing.pk).state == SupervisionState.PENDING


@pytest.mark.django_db
def test_r37_bulk_verify_never_acts_on_another_dealers_card(api_client, cards):
    on_time, _missing = cards
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory(code="DZ"))

    response = api_client(other_dealer_staff).post(
        "/api/supervision-cards/bulk/", {"action": "verify", "ids": [on_time.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [r["outcome"] for r in response.json()["results"]] == ["not_found"]
    assert SupervisionCard.objects.get(pk=on_time.pk).state == SupervisionState.SUBMITTED


@pytest.mark.django_db
def test_r19_bulk_verify_through_the_api_refuses_other_roles_403_and_bad_input_400(
    api_client, agent, clerk, cards
):
    from tests.api.helpers import assert_problem

    on_time, _missing = cards
    url = "/api/supervision-cards/bulk/"
    assert_problem(api_client(agent).post(url, {"action": "verify", "ids": [on_time.pk]}, format="json"), 403)
    client = api_client(clerk)
    assert_problem(
        client.post(url, {"action": "archive", "ids": [on_time.pk]}, format="json"), 400, field="action"
    )
    assert_problem(client.post(url, {"action": "verify"}, format="json"), 400, field="ids", code="required")
    assert_problem(client.post(url, {"action": "verify", "ids": []}, format="json"), 400, field="ids")
    assert SupervisionCard.objects.get(pk=on_time.pk).state == SupervisionState.SUBMITTED
