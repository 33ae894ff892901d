"""R29, R31: the demo shows old parts in every state, an overdue one charged and one reversed on
appeal, shipments on their way and received, a claim in review and one credited; run once."""

from __future__ import annotations

import random

import pytest

from aftersales.accounts.choices import Role
from aftersales.parts.choices import ClaimState, EntryKind, LineDecision, OldPartState, ShipmentState
from aftersales.parts.demo_old_parts import seed
from aftersales.parts.models import AccountEntry, ClaimLine, OldPart, OldPartShipment, ReimbursementClaim

from .. import factories as f
from ..timeutil import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 15, 12, 0)


@pytest.fixture
def company(db):
    for code, name in (("DL-GD", "广东粤华办公设备有限公司"), ("DL-SC", "四川蜀信科技有限公司")):
        dealer = f.DealerFactory(code=code, name=name)
        point = f.ServicePointFactory(dealer=dealer)
        f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer)
        for _ in range(3):
            f.WorkOrderFactory(service_point=point, engineer=f.EngineerFactory(service_point=point))
    hq_point = f.ServicePointFactory(dealer=None, name="上海总部服务中心")
    f.WorkOrderFactory(service_point=hq_point, engineer=f.EngineerFactory(service_point=hq_point))
    for number, name in (("FU-3600", "定影组件"), ("PR-110", "搓纸轮"), ("GR-22", "驱动齿轮")):
        f.PriceListItemFactory(part=f.PartFactory(number=number, name=name))
    for role in (Role.PARTS_CLERK, Role.FINANCE, Role.QUALITY):
        f.UserFactory(role=role)


def test_r29_r31_the_demo_has_every_state_a_penalty_shipments_and_claims(company):
    seed(rng=random.Random(7), now=NOW)

    assert set(OldPart.objects.values_list("state", flat=True)) == set(OldPartState.values)
    penalties = AccountEntry.objects.filter(kind=EntryKind.OLD_PART_PENALTY)
    assert penalties.count() == 2 and AccountEntry.objects.filter(reverses__in=penalties).count() == 1
    hq_overdue = OldPart.objects.get(dealer=None)
    assert hq_overdue.state == OldPartState.REGISTERED and not penalties.filter(old_part=hq_overdue).exists()
    assert {ShipmentState.SHIPPED, ShipmentState.RECEIVED} <= set(
        OldPartShipment.objects.values_list("state", flat=True)
    )
    states = list(ReimbursementClaim.objects.values_list("state", flat=True))
    assert states.count(ClaimState.CREDITED) == 1 and states.count(ClaimState.IN_REVIEW) == 2
    assert AccountEntry.objects.filter(kind=EntryKind.REIMBURSEMENT).count() == 1
    assert ClaimLine.objects.filter(
        decision=LineDecision.REJECTED, claim__state=ClaimState.IN_REVIEW
    ).exists()

    counts = (OldPart.objects.count(), AccountEntry.objects.count(), ReimbursementClaim.objects.count())
    seed(rng=random.Random(7), now=NOW)
    assert (
        OldPart.objects.count(),
        AccountEntry.objects.count(),
        ReimbursementClaim.objects.count(),
    ) == counts
