"""Chinese first, English second: every page is translated and the user's choice sticks."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.workorders.services import workorder_transition

from .. import factories as f


def test_chinese_is_the_default_language_of_pages(db, agent):
    fresh = Client()  # no language cookie, no Accept-Language: the company default applies
    fresh.force_login(agent)
    page = fresh.get(reverse("workorders:list")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "工单" in page and "筛选" in page
    assert fresh.get(reverse("login")).status_code in (200, 302)


def test_switching_language_saves_it_on_the_user(db, agent):
    fresh = Client()
    fresh.force_login(agent)
    response = fresh.post(reverse("language_set"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "en"
    assert '<html lang="en">' in fresh.get(reverse("home")).content.decode()


def test_r3_acknowledgement_is_in_chinese_whatever_the_agent_reads(
    db, agent, django_capture_on_commit_callbacks
):
    """The customer gets the company's language even when the agent's screen is in English."""
    from aftersales.notifications.models import Message

    order = f.WorkOrderFactory(created_by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        workorder_transition(work_order_id=order.pk, action="accept", actor=agent)
    message = Message.objects.get()
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert order.number in message.body and "已受理" in message.body
