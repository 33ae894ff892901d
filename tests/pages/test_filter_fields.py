"""The list's filter fields are rendered once per (field, choices, value, language) and kept
(issue 9: Django's widgets cost about a millisecond each): what a page shows must still follow
the value chosen and the reader's language, and never carry one user's rows to another."""

from __future__ import annotations

import pytest
from django.conf import settings

from aftersales.core.templatetags import ui

pytestmark = pytest.mark.django_db


def priority_select(html: str) -> str:
    start = html.index('name="priority"')
    return html[start : html.index("</select>", start)]


def test_the_kept_filter_html_follows_the_value_and_the_language(client, agent):
    ui._FILTER_FIELDS.clear()
    client.force_login(agent)
    first = client.get("/workorders/").content.decode()
    assert ui._FILTER_FIELDS, "the plain filter fields were kept"
    again = client.get("/workorders/").content.decode()
    assert priority_select(first) == priority_select(again)
    urgent = priority_select(client.get("/workorders/?priority=urgent").content.decode())
    assert 'value="urgent" selected' in urgent
    assert 'value="urgent" selected' not in priority_select(client.get("/workorders/").content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = priority_select(client.get("/workorders/").content.decode())
    assert "紧急" in chinese and "Urgent" not in chinese


def test_a_filter_naming_a_row_is_rendered_for_each_reader(client, world):
    """A chosen engineer's label depends on who looks (dealer B's staff may not see dealer A's
    engineer): never kept."""
    ui._FILTER_FIELDS.clear()
    engineer = world.engineer_a
    client.force_login(world.staff_a)
    shown = client.get(f"/workorders/?engineer={engineer.pk}").content.decode()
    assert engineer.user.display_name in shown
    client.force_login(world.staff_b)
    hidden = client.get(f"/workorders/?engineer={engineer.pk}").content.decode()
    assert f'<option value="{engineer.pk}"' not in hidden
