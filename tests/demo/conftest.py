"""One demo company for every demo test (R37, R38 and the apps' seeders): `manage.py demo_seed`
runs once per test run, at a fixed moment, inside a transaction that is rolled back when the last
demo test of the package is done. Each test runs in a savepoint of that transaction (pytest-django),
so what a test changes is gone before the next one.

The demo tests are marked `xdist_group("demo")` and the suite runs with `--dist loadgroup`
(pyproject.toml, Makefile): one worker takes them all and seeds once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.timeutil import frozen

from .company import DEMO_NOW, Demo, demo_company


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    """Seed the demo company once for the package (see the module's docstring)."""
    with demo_company(django_db_blocker, tmp_path_factory.mktemp("demo-media")) as company:
        yield company


@pytest.fixture(autouse=True)
def _demo_clock() -> Iterator[None]:
    """The demo's tests read the company at the moment it was seeded (R26's response risks, an
    overdue repair, today's visits): the clock stays there."""
    with frozen(DEMO_NOW):
        yield
