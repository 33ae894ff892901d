"""Issue 9: the work-order page costs the same however long its history is. It shows the newest
timeline entries, notes and attachments; a "show older" link (HTMX, or a plain page without
JavaScript) pages back by a keyset cursor: no entry repeats or goes missing, also when entries
tie on their time; out of scope is a 404 (R37)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.workorders.selectors import TIMELINE_PAGE_SIZE, workorder_timeline
from aftersales.workorders.tables import timeline_entries
from aftersales.workorders.views import ATTACHMENTS_SHOWN, NOTES_SHOWN

from .. import factories as f
from ..workorders.history import grow_history

pytestmark = pytest.mark.django_db


def detail(pk, tab=""):
    return reverse("workorders:detail", args=[pk]) + (f"?tab={tab}" if tab else "")


def entry_keys(html: str) -> list[str]:
    """What each timeline entry says (the note of an event, the new value of a change), in order."""
    keys = []
    for item in re.findall(r'<li data-testid="timeline-entry".*?</li>', html, flags=re.S):
        note = re.search(r'pre-line">(e\d+)</div>', item)
        change = re.search(r"→ (c\d+)", item)
        keys.append(note.group(1) if note else change.group(1) if change else "?")
    return keys


def older_link(html: str) -> str | None:
    found = re.search(r'data-testid="timeline-older">\s*<a href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured.captured_queries)


def test_detail_page_costs_the_same_with_5_and_200_entries(client, agent, world):
    short, long = (
        f.WorkOrderFactory(service_point=world.point_a),
        f.WorkOrderFactory(service_point=world.point_a),
    )
    grow_history(short, agent, 5)
    grow_history(long, agent, 200)
    client.force_login(agent)
    queries(client, detail(short.pk))  # warm the caches (content types, sessions)
    for tab in ("", "timeline", "documents"):
        assert queries(client, detail(long.pk, tab)) == queries(client, detail(short.pk, tab)), tab
    older = reverse("workorders:timeline", args=[long.pk])
    assert queries(client, older) == queries(client, reverse("workorders:timeline", args=[short.pk]))


def test_detail_shows_the_newest_entries_notes_and_attachments_with_links_to_older(client, agent, world):
    order = f.WorkOrderFactory(service_point=world.point_a)
    grow_history(order, agent, 60)
    client.force_login(agent)
    html = client.get(detail(order.pk, "timeline")).content.decode()
    shown = entry_keys(html)
    # newest first; at one moment the events come before the field changes
    assert shown[:6] == ["e59", "e58", "e57", "c59", "c58", "c57"]
    assert len(shown) == TIMELINE_PAGE_SIZE
    assert older_link(html)
    response = client.get(detail(order.pk))
    html = response.content.decode()
    assert [note.body for note in response.context["notes"]] == [
        f"n{i}" for i in range(59, 59 - NOTES_SHOWN, -1)
    ]
    assert 'data-testid="notes-older"' in html
    assert response.context["tabs"][-2] == {"key": "documents", "label": "Documents", "count": 60}
    response = client.get(detail(order.pk, "documents"))
    html = response.content.decode()
    assert len(response.context["attachments"]) == ATTACHMENTS_SHOWN
    assert 'data-testid="attachments-older"' in html


@pytest.mark.parametrize("count", [0, 7, TIMELINE_PAGE_SIZE, 61])
def test_following_show_older_walks_the_whole_timeline_without_repeats_or_gaps(client, agent, world, count):
    order = f.WorkOrderFactory(service_point=world.point_a)
    grow_history(order, agent, count)
    client.force_login(agent)
    html = client.get(detail(order.pk, "timeline")).content.decode()
    seen = entry_keys(html)
    pages = 1
    while (link := older_link(html)) is not None:
        # the HTMX request gets only the entries and the next link, the plain link a whole page
        partial = client.get(link, headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in partial
        html = client.get(link).content.decode()
        assert "<html" in html and entry_keys(partial) == entry_keys(html)
        seen += entry_keys(html)
        pages += 1
    everything = timeline_entries(reversed(workorder_timeline(order)), agent)
    assert len(seen) == len(everything) == 2 * count
    assert len(set(seen)) == len(seen)
    assert pages == max(1, -(-2 * count // TIMELINE_PAGE_SIZE))


def test_older_attachments_page_back_by_id(client, agent, world):
    order = f.WorkOrderFactory(service_point=world.point_a)
    grow_history(order, agent, ATTACHMENTS_SHOWN + 5)
    client.force_login(agent)
    html = client.get(detail(order.pk, "documents")).content.decode()
    link = re.search(r'data-testid="attachments-older"><a href="([^"]+)"', html).group(1)
    older = client.get(link)
    assert [a.original_name for a in older.context["attachments"]] == [f"a{i}.png" for i in range(4, -1, -1)]
    assert older.context["older"] is None


def test_timeline_and_attachments_pages_are_404_out_of_scope(client, world):
    grow_history(world.order_b, world.staff_b, 30)
    client.force_login(world.staff_a)
    for name in ("workorders:timeline", "workorders:attachment_list"):
        assert client.get(reverse(name, args=[world.order_b.pk])).status_code == 404
    client.force_login(world.staff_b)
    assert client.get(reverse("workorders:timeline", args=[world.order_b.pk])).status_code == 200


@pytest.mark.parametrize("before", ["x", "1.2.3", "1.1", "-5.1.1"])
def test_a_cursor_that_is_not_one_is_404(client, agent, order, before):
    client.force_login(agent)
    response = client.get(reverse("workorders:timeline", args=[order.pk]), {"before": before})
    assert response.status_code == 404
