"""The returns demo seeder (R33) on a small company of its own (the whole demo is
tests/demo/test_returns.py): requests in every state, through the services, in Chinese."""

from __future__ import annotations

import random

import pytest

from aftersales.parts.choices import MoveKind
from aftersales.parts.models import StockMove
from aftersales.returns.choices import ReturnState
from aftersales.returns.demo import SCENARIOS, seed
from aftersales.returns.models import ReturnRequest
from aftersales.returns.selectors import follow_up_overdue

from .. import factories as f
from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db


def test_r33_demo_requests_in_every_state(people, side_a):
    f.PartFactory(number="FU-9000")
    for _number in range(len(SCENARIOS)):
        device = f.DeviceFactory(customer=side_a.customer)
        f.WorkOrderFactory(customer=side_a.customer, device=device, service_point=side_a.point)

    seed(rng=random.Random(7), now=NOW)

    requests = list(ReturnRequest.objects.all())
    assert len(requests) == len(SCENARIOS)
    assert {r.state for r in requests} == set(ReturnState.values)
    assert any(r.exception_reason for r in requests)
    assert follow_up_overdue(ReturnRequest.objects.all(), today=TODAY).exists()
    assert StockMove.objects.filter(kind=MoveKind.CUSTOMER_RETURN).exists()
    assert all("\u4e00" <= r.reason_text[0] <= "\u9fff" for r in requests)
