"""A returns world (R33): two dealers, each with a service point, an engineer, its own customer
and a work order of that customer's device; the company's staff by role. The clock is frozen at
2026-11-20 10:00 (Shanghai) by every test here: the rules count days from the purchase date."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from aftersales.accounts.choices import Role
from aftersales.returns.choices import ItemCondition, ReturnKind, ReturnReason
from aftersales.returns.services import return_create, return_transition
from aftersales.returns.transitions import RETURN_REQUEST
from aftersales.workorders.choices import State

from .. import factories as f
from ..timeutil import at, frozen

NOW = at(2026, 11, 20, 10, 0)
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def clock():
    """Django's clock stopped at NOW (a test moves it with `frozen(...)` itself)."""
    with frozen(NOW):
        yield


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        agent=make_user(Role.AGENT, username="agent"),
        clerk=make_user(Role.CLERK, username="clerk"),
        supervisor=make_user(Role.SUPERVISOR, username="supervisor"),
        parts=make_user(Role.PARTS_CLERK, username="parts"),
        finance=make_user(Role.FINANCE, username="finance"),
        quality=make_user(Role.QUALITY, username="quality"),
    )


def _dealer_side(code: str):
    dealer = f.DealerFactory(code=code)
    point = f.ServicePointFactory(dealer=dealer)
    engineer = f.EngineerFactory(service_point=point)
    customer = f.CustomerFactory(dealer=dealer)
    model = f.ProductModelFactory(name="彩色激光打印机")
    device = f.DeviceFactory(
        customer=customer,
        product_model=model,
        serial_number=f"SN-{code}-0001",
        purchase_date=date(2026, 11, 15),
    )
    work_order = f.WorkOrderFactory(
        customer=customer,
        device=device,
        product_model=model,
        serial_number=device.serial_number,
        service_point=point,
        engineer=engineer,
        state=State.IN_SERVICE,
    )
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username=f"dealer_{code.lower()}")
    return SimpleNamespace(
        dealer=dealer,
        point=point,
        engineer=engineer,
        customer=customer,
        model=model,
        device=device,
        work_order=work_order,
        staff=staff,
    )


@pytest.fixture
def side_a(db):
    return _dealer_side("RA")


@pytest.fixture
def side_b(db):
    return _dealer_side("RB")


@pytest.fixture
def draft(people, side_a):
    """A return of side A's work order's device, bought 5 days ago, unopened, with its invoice."""

    def make(*, actor=None, **fields):
        values = {
            "kind": ReturnKind.RETURN,
            "reason": ReturnReason.DEAD_ON_ARRIVAL,
            "reason_text": "开箱后无法开机",
            "condition": ItemCondition.UNOPENED,
            "work_order": side_a.work_order,
            "proof_of_purchase": "FP20261115001",
        }
        values.update(fields)
        return return_create(actor=actor or people.agent, **values)

    return make


def step(request, action: str, actor, **inputs):
    """One step of the lifecycle through the service."""
    return return_transition(request_id=request.pk, action=action, actor=actor, **inputs)


def run_to(request, people, last: str, **extra):
    """Take a request through its steps (as the roles that do them) up to `last`."""
    steps = [
        ("submit", people.agent, {}),
        ("approve", people.clerk, {}),
        ("pickup", people.parts, {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}),
        ("receive", people.parts, {"inspection_result": "as_described"}),
    ]
    if request.kind == ReturnKind.RETURN:
        steps.append(("refund", people.finance, {"refund_amount": "1280.00", "refund_method": "original"}))
    else:
        steps += [
            ("ship_replacement", people.parts, {"carrier": "京东物流", "tracking_number": "JD0099887766"}),
            ("deliver", people.parts, {}),
        ]
    steps += [("follow_up", people.agent, {"note": "客户满意"}), ("close", people.agent, {})]
    for action, actor, inputs in steps:
        if request.state in RETURN_REQUEST[action].sources:  # the steps already taken are skipped
            request = step(request, action, actor, **{**inputs, **extra.get(action, {})})
        if action == last:
            break
    return request
