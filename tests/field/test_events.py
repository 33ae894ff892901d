"""R12, R15-R17, R19, R41: what field service writes on the work order's timeline is typed: each event
stores its parameters (words as msgids, times as instants) and is rendered from its kind's template
when shown, in the reader's language; the note holds only what a person wrote."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone, translation

from aftersales.field.events import APPOINTMENT, DISPATCH, SIGNOFF, VISIT
from aftersales.field.models import SupervisionCard
from aftersales.field.services import (
    appointment_book,
    supervision_transition,
    visit_part_add,
    visit_record,
    visit_transition,
)
from aftersales.workorders.events import event_text, event_title
from aftersales.workorders.models import WorkOrderEvent

from ..timeutil import at, frozen
from .visit_factories import visit_at

pytestmark = pytest.mark.django_db


def field_events(work_order):
    kinds = [APPOINTMENT.kind, DISPATCH.kind, SIGNOFF.kind, VISIT.kind]
    return list(WorkOrderEvent.objects.filter(work_order=work_order, kind__in=kinds).order_by("id"))


def test_r41_every_field_action_has_a_template_with_its_parameters(field_wo, clerk):
    """A whole visit: every event the field app wrote renders a text with all its parameters filled."""
    appointment_book(
        work_order=field_wo,
        engineer=field_wo.engineer,
        day=timezone.localdate() + timedelta(days=1),
        window_start=time(9),
        window_end=time(11),
        actor=None,
    )
    visit = visit_at(field_wo, "on_site")
    visit_record(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        findings="主板故障",
        plan_change="需更换主板",
        plan_change_agreed=True,
    )
    visit_part_add(visit_id=visit.pk, actor=field_wo.engineer.user, part_number="RM1-2337", name="定影组件")
    visit_at(field_wo, "done")
    card = SupervisionCard.objects.get()
    supervision_transition(card_id=card.pk, action="submit", actor=field_wo.engineer.user, summary="按时完成")
    supervision_transition(card_id=card.pk, action="send_back", actor=clerk, note="请补充到场时间")
    visit_transition(
        visit_id=visit_at(field_wo, "booked", actor=None).pk,
        action="cancel",
        actor=field_wo.engineer.user,
        reason="客户外出",
    )
    events = field_events(field_wo)
    actions = {event.action for event in events}
    assert {"appointment_book", "visit_plan", "visit_depart", "visit_arrive", "visit_plan_change"} <= actions
    assert {
        "visit_part_add",
        "signed",
        "visit_leave",
        "card_submit",
        "card_send_back",
        "visit_cancel",
    } <= actions
    for event in events:
        text = event_text(event)
        assert text and "%(" not in text, (event.action, text)
        assert event.params, event.action


def test_r41_the_note_is_only_what_a_person_wrote(field_wo, clerk):
    visit = visit_at(field_wo, "on_site")
    visit_record(
        visit_id=visit.pk,
        actor=field_wo.engineer.user,
        findings="x",
        plan_change="需更换主板",
        plan_change_agreed=False,
    )
    visit_at(field_wo, "done")
    card = SupervisionCard.objects.get()
    supervision_transition(card_id=card.pk, action="submit", actor=field_wo.engineer.user, summary="按时完成")
    supervision_transition(card_id=card.pk, action="send_back", actor=clerk, note="请补充到场时间")
    notes = {event.action: event.note for event in field_events(field_wo) if event.note}
    assert notes == {"visit_plan_change": "需更换主板", "card_send_back": "请补充到场时间"}


def test_r12_check_in_text_in_english_and_chinese(field_wo):
    visit = visit_at(field_wo, "en_route")
    with frozen(at(2026, 11, 23, 10, 15)):
        visit_transition(visit_id=visit.pk, action="arrive", actor=field_wo.engineer.user)
    event = WorkOrderEvent.objects.get(action="visit_arrive")
    # stored: the words as msgids and the instant, not a text in some language
    assert event.params["where"] == {"msgid": "no location"}
    assert event.params["time"] == {"datetime": at(2026, 11, 23, 10, 15).isoformat()}
    with translation.override("en"):
        assert event_title(event) == "Check in"
        assert event_text(event) == f"Visit {visit.number}: checked in at 2026-11-23 10:15 (no location)"
    with translation.override("zh-hans"):
        assert event_title(event) == "到场签到"
        text = event_text(event)
        assert "无定位" in text and "no location" not in text and "2026-11-23 10:15" in text


def test_r12_appointment_text_in_english_and_chinese_whatever_the_writers_language(field_wo):
    day = timezone.localdate() + timedelta(days=1)
    with translation.override("zh-hans"):  # written by someone reading Chinese
        appointment_book(
            work_order=field_wo,
            engineer=field_wo.engineer,
            day=day,
            window_start=time(9),
            window_end=time(11),
            actor=None,
        )
    event = WorkOrderEvent.objects.get(action="appointment_book")
    engineer = str(field_wo.engineer)
    with translation.override("en"):
        assert event_title(event) == "Appointment"
        assert event_text(event) == f"Visit booked with {engineer} on {day:%Y-%m-%d} 09:00–11:00"
    with translation.override("zh-hans"):
        assert event_title(event) == "预约"
        assert event_text(event) == f"已预约 {engineer} 于 {day:%Y-%m-%d} 09:00–11:00 上门"


def test_r15_sign_off_verdict_is_a_word_translated_when_shown(field_wo):
    visit_at(field_wo, "signed")
    event = WorkOrderEvent.objects.get(kind="signoff")
    assert event.params["verdict"] == {"msgid": "satisfied"}
    with translation.override("zh-hans"):
        assert "满意" in event_text(event)
    with translation.override("en"):
        assert re.search(r"signed by 李娜 \(satisfied\); repair quality 5/5, attitude 4/5", event_text(event))
