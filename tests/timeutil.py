"""Time in tests: instants in Shanghai and a frozen or travelling clock, so that no test depends on
the machine's date (the suite also runs with AFTERSALES_TEST_NOW, see conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    """An aware instant in Shanghai: at(2026, 11, 23, 9, 30)."""
    return datetime(*args, tzinfo=SH)


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Django's clock (`timezone.now`) stopped at `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@contextmanager
def travelling(moment: datetime) -> Iterator[None]:
    """Every clock (Python's and Django's) starts at `moment` and keeps ticking."""
    with time_machine.travel(moment, tick=True):
        yield
