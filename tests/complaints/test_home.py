"""R37, R26: a quality clerk's home page lists the open complaints (response due first); other roles
keep the counts of complaints overdue or at risk and their difficult cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db


def test_r37_quality_home_lists_open_complaints(client, quality, register, advance, work_order):
    first = register(work_order)
    second = register(work_order, moment=at(2026, 3, 2, 10))
    closed = advance(register(work_order), "reject")
    with frozen(at(2026, 3, 2, 11)):
        client.force_login(quality)
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="home-complaints-open"' in html
    assert 'data-testid="home-complaints-open-count">2<' in html
    assert html.index(first.number) < html.index(second.number)  # the response due first first
    assert closed.number not in html


def test_r37_quality_home_shows_the_complaints_card_even_with_none_open(client, quality):
    with frozen(at(2026, 3, 2, 11)):
        client.force_login(quality)
        html = client.get(reverse("home")).content.decode()
    assert "No open complaint." in html


def test_r37_supervisor_home_has_no_open_complaints_list(client, supervisor, register, work_order):
    register(work_order)
    with frozen(at(2026, 3, 2, 11)):
        client.force_login(supervisor)
        html = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-complaints-open"' not in html
