"""Fixtures of the API tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def product_model(db):
    return f.ProductModelFactory()


# An engineer with an assigned work order, a colleague at the same point (tests/field's builders).
from tests.field.visit_factories import field_engineer, field_wo, other_engineer  # noqa: E402, F401
