"""The demo company of the tests: `manage.py demo_seed` at a fixed moment, inside a transaction
that is rolled back when the caller is done (tests/demo/conftest.py seeds it once for the demo
tests, tests/api/test_schemathesis.py once per worker for the API's schema run)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from tests.timeutil import at, frozen

# A Friday in November 2026 (chinese-calendar knows the year): the demo's "now", whatever the
# machine's date. Its work orders spread over the 90 days before.
DEMO_NOW = at(2026, 11, 20, 12, 0)
# Small (100 work orders, about 7 s to seed), yet large enough for every app's seeder to find what
# it needs: the complaints seeder wants eight completed work orders (0.1 has three), the
# difficult-case proposals three; the demo engineer has two visits today.
DEMO_SCALE = "0.2"


@dataclass(frozen=True)
class Demo:
    """The seeded company: the moment it was seeded at, what the command printed and how long it
    took (reported by `pytest --durations`, charged to the first demo test's setup)."""

    now: datetime
    output: str
    seconds: float


@contextmanager
def demo_company(django_db_blocker, media_root: Path) -> Iterator[Demo]:
    """Seed the demo company in a transaction rolled back on exit. The settings the
    function-scoped fixtures of tests/conftest.py give each test (a cheap password hasher, eager
    tasks, a media directory, numbers inside the transaction) are given to the seed here."""
    from aftersales.config.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    out = StringIO()
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media_root,
        NUMBERS_OUTSIDE_TRANSACTION=False,  # the numbers roll back with the demo
    )
    try:
        with django_db_blocker.unblock(), settings, transaction.atomic():
            try:
                started = time.monotonic()
                with frozen(DEMO_NOW), translation.override(translation.get_language()):
                    call_command("demo_seed", "--scale", DEMO_SCALE, stdout=out)
                yield Demo(now=DEMO_NOW, output=out.getvalue(), seconds=time.monotonic() - started)
            finally:
                transaction.set_rollback(True)  # nothing of the demo outlives the caller
    finally:
        celery_app.conf.task_always_eager = eager
