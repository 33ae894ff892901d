"""Refusals carry stable codes (ARCHITECTURE.md §9): every code a service raises is declared once,
with its meaning, and the API schema lists them for integrators."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import aftersales
from aftersales.core.errors import ERROR_CODES, register_error_codes

SOURCE = Path(aftersales.__file__).parent
# Codes DRF and Django give themselves (documented by them).
FRAMEWORK_CODES = {"unique"}


def codes_in_the_code() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for code in re.findall(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(SOURCE)))
        for code in re.findall(r'default_code = "([a-z_]+)"', path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(SOURCE)))
    return found


def test_every_code_raised_is_declared_with_its_meaning():
    undeclared = {code: where for code, where in codes_in_the_code().items() if code not in ERROR_CODES}
    assert not set(undeclared) - FRAMEWORK_CODES, f"declare in the app's errors.py: {undeclared}"
    assert all(meaning.strip() for meaning in ERROR_CODES.values())


def test_a_code_means_one_thing():
    with pytest.raises(ValueError):
        register_error_codes({"required": "something else"})
    register_error_codes({"required": ERROR_CODES["required"]})  # the same meaning again is fine


@pytest.mark.django_db
def test_the_schema_lists_the_codes(agent, api_client):
    description = api_client(agent).get("/api/schema/?format=json").json()["info"]["description"]
    for code in (
        "transition_not_allowed",
        "stale_version",
        "not_qualified",
        "signoff_missing",
        "case_exists",
    ):
        assert f"`{code}`" in description
