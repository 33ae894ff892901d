"""Service-level policies (R34, R18): the defaults from the sources, matching, validation, admin."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.sla.models import SlaMilestone, SlaPolicy
from aftersales.sla.selectors import policy_for
from aftersales.workorders.choices import Priority, WorkOrderType
from tests import factories as f

pytestmark = pytest.mark.django_db


def milestones(policy: SlaPolicy) -> dict[str, tuple]:
    return {m.kind: (m.target_hours, m.business_time, m.start_on, m.stop_on) for m in policy.milestones.all()}


def test_r34_r18_default_policy_holds_the_sources_defaults():
    default = SlaPolicy.objects.get(is_default=True)

    assert default.name == "标准服务时效"
    assert milestones(default) == {
        "first_response": (Decimal(24), True, "created", ["accept", "resolve"]),
        "diagnosis": (Decimal(48), True, "accept", ["start", "resolve"]),
        "repair": (Decimal(48), True, "start", ["complete"]),
        "record_complete": (Decimal(24), True, "complete", ["close"]),  # R18
    }


def test_r34_urgent_policy_halves_every_target():
    default = milestones(SlaPolicy.objects.get(is_default=True))
    urgent = SlaPolicy.objects.get(name="加急服务时效")

    assert urgent.match_priority == Priority.URGENT
    assert {kind: row[0] for kind, row in milestones(urgent).items()} == {
        kind: row[0] / 2 for kind, row in default.items()
    }


def policy(name: str, hours: int = 8, **match) -> SlaPolicy:
    created = SlaPolicy.objects.create(name=name, **match)
    SlaMilestone.objects.create(
        policy=created, kind="first_response", target_hours=hours, start_on="created", stop_on=["accept"]
    )
    return created


def test_r34_most_specific_policy_wins_then_precedence():
    line = f.ProductLineFactory()
    customer = f.CustomerFactory(province="江苏省")
    work_order = f.WorkOrderFactory(
        customer=customer,
        type=WorkOrderType.REPAIR,
        priority=Priority.HIGH,
        product_model=f.ProductModelFactory(product_line=line),
    )
    by_type = policy("维修类", match_type=WorkOrderType.REPAIR)
    assert policy_for(work_order) == by_type  # one match field beats the default

    by_line_and_province = policy("江苏打印机", match_product_line=line, match_province="江苏省")
    assert policy_for(work_order) == by_line_and_province  # two match fields beat one

    policy("江苏高优先级", match_priority=Priority.HIGH, match_province="江苏省", precedence=5)
    assert policy_for(work_order).name == "江苏高优先级"  # equally specific: lowest precedence

    policy("上海打印机", match_product_line=line, match_province="上海市", match_type=WorkOrderType.REPAIR)
    assert policy_for(work_order).name == "江苏高优先级"  # a policy that does not match is ignored


def test_r34_a_customers_own_agreement_applies_to_its_work_only():
    customer = f.CustomerFactory()
    agreement = policy("某客户服务协议", match_customer=customer)
    assert policy_for(f.WorkOrderFactory(customer=customer)) == agreement
    assert policy_for(f.WorkOrderFactory()).is_default  # another customer's work order


def test_r34_inactive_policies_are_ignored_and_the_default_is_the_fallback():
    work_order = f.WorkOrderFactory(type=WorkOrderType.INSTALLATION)
    policy("安装类", match_type=WorkOrderType.INSTALLATION, is_active=False)

    assert policy_for(work_order).is_default


def test_r34_province_falls_back_to_the_service_point():
    work_order = f.WorkOrderFactory(customer=f.CustomerFactory(province=""))
    shanghai = policy("上海", match_province=work_order.service_point.province)

    assert policy_for(work_order) == shanghai


def test_r34_only_one_default_policy():
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaPolicy.objects.create(name="另一个默认", is_default=True)


@pytest.mark.parametrize(
    ("start_on", "stop_on", "field"),
    [
        ("created", ["accept"], None),
        ("nonsense", ["accept"], "start_on"),
        ("accept", [], "stop_on"),
        ("accept", ["created"], "stop_on"),
        ("accept", ["fly"], "stop_on"),
    ],
)
def test_r34_milestone_events_must_be_known(start_on, stop_on, field):
    milestone = SlaMilestone(
        policy=SlaPolicy.objects.get(is_default=True),
        kind="diagnosis",
        target_hours=Decimal(8),
        start_on=start_on,
        stop_on=stop_on,
    )
    if field is None:
        milestone.clean()
        assert milestone.target == timedelta(hours=8)
    else:
        with pytest.raises(ValidationError) as error:
            milestone.clean()
        assert field in error.value.message_dict


@pytest.mark.parametrize("model", ["slapolicy", "slaclock"])
def test_r34_policies_and_clocks_in_the_admin(client, model):
    root = f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(root)

    assert client.get(reverse(f"admin:sla_{model}_changelist")).status_code == 200
    if model == "slapolicy":
        default = SlaPolicy.objects.get(is_default=True)
        assert client.get(reverse("admin:sla_slapolicy_change", args=[default.pk])).status_code == 200
        assert client.get(reverse("admin:sla_slapolicy_add")).status_code == 200
