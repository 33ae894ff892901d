"""R26: registering a complaint (with or without a work order), its history and timeline rows,
and the feedback to the customer, the people involved and their supervisors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import ComplaintSource, ComplaintState
from aftersales.complaints.models import ComplaintEvent
from aftersales.complaints.services import complaint_register
from aftersales.core.errors import NotPermitted
from aftersales.notifications.models import Message, Notification
from aftersales.workorders.events import event_text

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r26_complaint_on_a_work_order_takes_its_customer_and_contact(register, work_order, engineer):
    complaint = register(work_order, people=[engineer.user])

    assert complaint.number.startswith("CP20260302")
    assert complaint.state == ComplaintState.REGISTERED
    assert complaint.customer == work_order.customer
    assert complaint.contact_name == work_order.contact_name
    assert complaint.contact_phone == work_order.contact_phone
    assert list(complaint.people.all()) == [engineer.user]


def test_r26_hotline_complaint_without_work_order_needs_the_customer(register):
    with pytest.raises(ValidationError) as refused:
        register(None)
    assert "customer" in refused.value.message_dict

    customer = f.CustomerFactory()
    complaint = register(None, customer=customer, contact_name="王先生", contact_phone="13912345678")
    assert complaint.work_order is None and complaint.customer == customer
    assert complaint.contact_phone == "+8613912345678"


def test_r26_invalid_input_is_refused_as_a_whole_with_field_errors(register, work_order):
    with pytest.raises(ValidationError) as refused:
        register(work_order, category="weather", severity="apocalyptic", description=" ", contact_phone="12")
    assert {"category", "severity", "description", "contact_phone"} <= set(refused.value.message_dict)
    assert not ComplaintEvent.objects.exists()


def test_r26_customer_must_be_the_work_orders(register, work_order):
    with pytest.raises(ValidationError) as refused:
        register(work_order, customer=f.CustomerFactory())
    assert "customer" in refused.value.message_dict


def test_r26_only_front_office_roles_register_but_return_visits_always_may(register, work_order, make_user):
    engineer = make_user(Role.ENGINEER, username="eng2")
    with pytest.raises(NotPermitted):
        register(work_order, actor=engineer)
    complaint = register(work_order, actor=engineer, source=ComplaintSource.RETURN_VISIT)
    assert complaint.source == ComplaintSource.RETURN_VISIT


def test_r26_feedback_helper_signature(work_order, agent):
    """The return-visit app calls exactly this signature."""
    complaint = complaint_register(
        work_order=work_order,
        source="return_visit",
        category="timeliness",
        severity="serious",
        description="回访时客户投诉上门太慢",
        actor=agent,
        people=(),
    )
    assert complaint.pk and complaint.severity == "serious"


def test_r26_every_step_is_in_the_history_and_on_the_work_order_timeline(
    register, advance, work_order, quality
):
    complaint = advance(register(work_order), "accept", "analyse", "handle", "feed_back", "close")

    history = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("action", "to_state"))
    assert history == [
        ("register", "registered"),
        ("accept", "accepted"),
        ("analyse", "analysed"),
        ("handle", "handled"),
        ("feed_back", "fed_back"),
        ("close", "closed"),
    ]
    assert all(event.actor_id for event in ComplaintEvent.objects.filter(complaint=complaint))
    timeline = work_order.events.filter(kind="complaint")
    assert list(timeline.values_list("action", flat=True)) == [a for a, _ in history]
    assert complaint.number in event_text(timeline.first())
    assert ComplaintEvent.objects.get(complaint=complaint, action="accept").actor == quality


def test_r26_registration_tells_the_assessors_and_acknowledges_the_complainant(register, work_order, quality):
    complaint = register(work_order)

    notice = Notification.objects.get(recipient=quality)
    assert complaint.number in notice.title and notice.url == f"/complaints/{complaint.pk}/"
    sms = Message.objects.get(idempotency_key=f"complaint:{complaint.number}:ack")
    assert complaint.number in sms.body


def test_r26_feedback_reaches_customer_people_and_their_supervisor(
    register, advance, work_order, engineer, hq_supervisor, make_user
):
    local_head = make_user(Role.SUPERVISOR, username="local_head", service_point=engineer.service_point)
    local_head.email = "head@example.cn"
    local_head.save()
    work_order.customer.email = "customer@example.cn"
    work_order.customer.save()
    complaint = register(work_order, people=[engineer.user])
    advance(complaint, "accept", "analyse", "handle", "feed_back")

    key = f"complaint:{complaint.pk}:feedback"
    recipients = set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))
    assert recipients == {"eng", "local_head"}  # the engineer's own supervisor, not HQ's
    messages = dict(
        Message.objects.filter(idempotency_key__startswith=key).values_list("idempotency_key", "recipient")
    )
    assert messages[f"{key}:customer-email"] == "customer@example.cn"
    assert f"{key}:customer-sms" in messages
    assert messages[f"{key}:user-{engineer.user.pk}"] == "eng@example.cn"
    assert messages[f"{key}:user-{local_head.pk}"] == "head@example.cn"
    assert "已处理" in Message.objects.get(idempotency_key=f"{key}:customer-sms").body


def test_r26_feedback_goes_to_hq_supervisors_when_the_point_has_none(
    register, advance, work_order, engineer, hq_supervisor
):
    complaint = advance(
        register(work_order, people=[engineer.user]), "accept", "analyse", "handle", "feed_back"
    )
    recipients = set(
        Notification.objects.filter(key=f"complaint:{complaint.pk}:feedback").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"eng", "hq_supervisor", "supervisor"}
