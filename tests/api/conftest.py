"""Fixtures of the API tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def product_model(db):
    return f.ProductModelFactory()
