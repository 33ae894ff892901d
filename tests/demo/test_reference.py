"""The demo data command: runs small, every state appears, second run changes nothing (R37, R38)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Engineer, Qualification, User
from aftersales.core.models import ChangeRecord
from aftersales.customers.models import Customer
from aftersales.devices.models import Device
from aftersales.workorders.choices import State
from aftersales.workorders.models import Note, WorkOrder, WorkOrderEvent

from .company import DEMO_SCALE

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

COUNTED = [User, Engineer, Qualification, Customer, Device, WorkOrder, WorkOrderEvent, Note, ChangeRecord]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_r37_demo_seed_small_scale_every_state_and_idempotent(demo):
    assert "demo1234" in demo.output

    states = set(WorkOrder.objects.values_list("state", flat=True))
    assert states == set(State.values)
    # A login for every staff role, each with the demo password.
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("demo1234")
    assert User.objects.get(username="engineer").engineer.qualifications.exists()

    # Work orders spread over the last 90 days, with their events in the same past.
    now = demo.now
    oldest = WorkOrder.objects.order_by("created_at").first()
    assert (now - oldest.created_at).days <= 90
    assert WorkOrder.objects.filter(created_at__lt=now - timezone.timedelta(days=3)).exists()
    first_event = oldest.events.order_by("created_at").first()
    assert first_event.created_at == oldest.created_at
    assert oldest.number.startswith(f"WO{timezone.localtime(oldest.created_at):%Y%m%d}")
    closed = WorkOrder.objects.filter(state=State.CLOSED).exclude(engineer=None).first()
    assert closed.events.filter(action="close").exists()

    before = counts()
    out = StringIO()
    call_command("demo_seed", "--scale", DEMO_SCALE, stdout=out)
    assert "already" in out.getvalue()
    assert counts() == before


def test_r38_qualification_demo_engineers_have_lines_some_expired(demo):
    today = timezone.localdate(demo.now)
    assert Engineer.objects.count() >= 20
    assert Qualification.objects.filter(expires_on__lt=today).exists()
    assert Qualification.objects.filter(expires_on__gte=today).exists()
    serials = list(Device.objects.values_list("product_model_id", "serial_number"))
    assert len(serials) == len(set(serials))
