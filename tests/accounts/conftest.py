"""A clock that stands still until a test moves it (sign-in lock-outs, session limits)."""

from __future__ import annotations

import pytest
import time_machine

from ..timeutil import at


@pytest.fixture
def clock():
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False) as traveller:
        yield traveller
