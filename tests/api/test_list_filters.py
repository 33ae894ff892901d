"""The API's list filters refuse what they cannot read (core.api_filters): a boolean filter took
`?active=maybe` for "either" and answered every row."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from tests import factories as f

from .helpers import assert_problem

PARTS = "/api/parts/"


@pytest.fixture
def admin(make_user):
    """Who sees inactive parts too (the others see the active ones only)."""
    return make_user(Role.HQ_ADMIN)


@pytest.fixture
def parts(db):
    return f.PartFactory(number="FU-ON", is_active=True), f.PartFactory(number="FU-OFF", is_active=False)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["results"])


@pytest.mark.parametrize(
    "value, expected",
    [("true", ["FU-ON"]), ("false", ["FU-OFF"]), ("", ["FU-OFF", "FU-ON"])],
)
def test_a_boolean_filter_reads_true_false_and_empty(admin, api_client, parts, value, expected):
    assert numbers(api_client(admin).get(PARTS, {"active": value})) == expected


@pytest.mark.parametrize("value", ["maybe", "yes please", "2.5", "2", "True"])
def test_a_boolean_filter_refuses_what_it_cannot_read(admin, api_client, parts, value):
    assert_problem(api_client(admin).get(PARTS, {"active": value}), 400, field="active", code="invalid")


def test_the_list_page_still_reads_an_unknown_boolean_as_all(admin, client, parts):
    """The page's form keeps django-filter's reading: its select offers "all" as no value."""
    client.force_login(admin)
    response = client.get("/catalog/parts/", {"active": "maybe"})
    assert response.status_code == 200
    assert {row.number for row in response.context["rows"]} == {"FU-ON", "FU-OFF"}
