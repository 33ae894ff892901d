"""The demo seed has returns and exchanges in every state (R33), made through the services: their
steps recorded, one allowed by a supervisor's exception, a returned part in a defective location,
a follow-up overdue."""

from __future__ import annotations

import pytest

from aftersales.parts.choices import MoveKind
from aftersales.parts.models import StockMove
from aftersales.returns.choices import ReturnState
from aftersales.returns.models import ReturnRequest
from aftersales.returns.selectors import follow_up_overdue

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_r33_demo_returns_in_every_state(demo):
    requests = list(ReturnRequest.objects.all())
    assert {r.state for r in requests} == set(ReturnState.values)
    assert all(r.events.exists() for r in requests)
    assert any(r.exception_reason for r in requests)
    assert follow_up_overdue(ReturnRequest.objects.all(), today=demo.now.date()).exists()
    assert StockMove.objects.filter(kind=MoveKind.CUSTOMER_RETURN).exists()
    assert all("\u4e00" <= r.reason_text[0] <= "\u9fff" for r in requests), "demo text in Chinese"
