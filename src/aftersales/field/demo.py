"""Demo visits (`manage.py demo_seed`): done visits with the customer's sign-off and supervision
cards for some completed work orders, a refused sign-off keeping one work order open (R17), and a
few visits today for the demo engineer `engineer`. Deterministic (the seed's `rng`) and through the
services under a simulated clock; only the on-site start of visits of already completed work, which
the lifecycle no longer allows, is written directly."""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta
from unittest import mock

from django.db.models import Q
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.services import number_next
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder

from .choices import VisitState
from .models import SupervisionCard, Visit
from .selectors import self_check_labels
from .services import (
    VISIT_NUMBER_PREFIX,
    signed_forms_render_pending,
    supervision_transition,
    visit_create,
    visit_internal_update,
    visit_part_add,
    visit_record,
    visit_sign,
    visit_signoff_refuse,
    visit_transition,
)

DONE_VISITS = 8  # each renders its signed service form (a PDF): keep the seed fast
FINDINGS = [
    ("定影组件老化导致卡纸，已更换定影组件并清洁进纸通道，试打印 20 页正常。", "RM1-2337", "定影组件"),
    ("搓纸轮磨损，进纸不畅，已更换搓纸轮，调整纸盒导板。", "RL1-1443", "搓纸轮"),
    ("激光器脏污造成打印浓度不均，已清洁激光器并校准浓度。", "", ""),
    ("主板供电接口松动，已重新紧固并更换排线。", "RM2-5630", "主板排线"),
    ("硒鼓非原装，芯片识别异常，已更换原装硒鼓并告知用户使用注意事项。", "CF248A", "原装硒鼓"),
]
CAUSES = [
    ("长期高负荷使用，部件正常老化", "更换老化部件，建议季度保养"),
    ("用户使用非原装耗材", "更换原装耗材，已告知保修条款"),
    ("运输颠簸导致接口松动", "紧固接口，更换排线"),
]


def _signature_png(rng: random.Random) -> str:
    """A small scribble as a PNG data URL (no imaging library): a few dark strokes on white."""
    import struct
    import zlib

    width, height = 120, 40
    pixels = [[255] * width for _ in range(height)]
    y = rng.randint(12, 28)
    for x in range(8, width - 8):
        y = max(4, min(height - 5, y + rng.choice((-1, 0, 1))))
        for dy in (0, 1):
            pixels[y + dy][x] = 0
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _at(moment: datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _on_site(work_order, *, arrived: datetime) -> Visit:
    """A visit of a work order already completed: checked in `arrived` (written directly)."""
    visit = Visit(
        work_order=work_order,
        engineer=work_order.engineer,
        planned_date=timezone.localdate(arrived),
        state=VisitState.ON_SITE,
        departed_at=arrived - timedelta(minutes=40),
        arrived_at=arrived,
        checklist=[{"label": label, "ok": False} for label in self_check_labels(work_order)],
        number=number_next(prefix=VISIT_NUMBER_PREFIX, day=timezone.localdate(arrived)),
        created_by=work_order.engineer.user,
    )
    visit.full_clean()
    visit.save()
    return visit


def _record(visit: Visit, rng: random.Random, actor) -> None:
    findings, part_number, part_name = rng.choice(FINDINGS)
    visit_record(visit_id=visit.pk, actor=actor, findings=findings, checked=range(len(visit.checklist)))
    if part_number:
        visit_part_add(visit_id=visit.pk, actor=actor, part_number=part_number, name=part_name)


def _done_visit(work_order, rng: random.Random, clerk: User | None, now: datetime) -> None:
    actor = work_order.engineer.user
    left = min(work_order.completed_at - timedelta(minutes=rng.randint(10, 90)), now - timedelta(hours=1))
    arrived = left - timedelta(minutes=rng.randint(45, 150))
    with _at(arrived):
        visit = _on_site(work_order, arrived=arrived)
    with _at(arrived + timedelta(minutes=30)):
        _record(visit, rng, actor)
    with _at(left - timedelta(minutes=5)):
        visit_sign(
            visit_id=visit.pk,
            actor=actor,
            quality_rating=rng.choice((4, 5, 5, 5)),
            attitude_rating=rng.choice((4, 5, 5)),
            satisfied=True,
            signer_name=work_order.contact_name,
            drawn_signature=_signature_png(rng),
        )
    cause, measures = rng.choice(CAUSES)
    with _at(left):
        visit_transition(visit_id=visit.pk, action="leave", actor=actor)
    if work_order.state == State.COMPLETED:  # closed work is final (R16): nothing to add any more
        with _at(left + timedelta(hours=1)):
            visit_internal_update(visit_id=visit.pk, actor=actor, fault_cause=cause, repair_measures=measures)
    card = SupervisionCard.objects.get(visit=visit)
    roll = rng.random()
    if roll < 0.15:
        return  # never submitted: a late card for the service centre to chase (R19)
    submitted = left + (
        timedelta(hours=rng.randint(14, 30)) if roll < 0.3 else timedelta(minutes=rng.randint(20, 180))
    )
    if submitted >= now:
        return
    with _at(submitted):
        card = supervision_transition(
            card_id=card.pk,
            action="submit",
            actor=actor,
            summary=visit.findings if visit.findings else "已完成",
        )
    verified = submitted + timedelta(hours=rng.randint(2, 20))
    if clerk is not None and verified < now and rng.random() < 0.7:
        with _at(verified):
            supervision_transition(card_id=card.pk, action="verify", actor=clerk, note="已电话核实")


def _refused_visit(work_order, rng: random.Random, now: datetime) -> None:
    """R17: the customer refused to sign; the work order stays open for follow-up."""
    actor = work_order.engineer.user
    arrived = now - timedelta(days=1, hours=rng.randint(1, 5))
    with _at(arrived - timedelta(hours=1)):
        visit = visit_create(work_order=work_order, actor=actor, planned_date=timezone.localdate(arrived))
    with _at(arrived):
        visit_transition(
            visit_id=visit.pk, action="arrive", actor=actor, latitude="31.2304", longitude="121.4737"
        )
    with _at(arrived + timedelta(minutes=40)):
        _record(Visit.objects.get(pk=visit.pk), rng, actor)
        visit_signoff_refuse(
            visit_id=visit.pk, actor=actor, reason="故障未彻底排除，客户要求观察两天后再签字", satisfied=False
        )
    with _at(arrived + timedelta(minutes=50)):
        visit_transition(visit_id=visit.pk, action="leave", actor=actor)


def seed(*, rng: random.Random, now: datetime) -> None:
    clerk = User.objects.filter(username="clerk").first()
    completed = list(
        WorkOrder.objects.filter(
            state__in=[State.COMPLETED, State.CLOSED], engineer__isnull=False, completed_at__isnull=False
        )
        .select_related("engineer__user", "customer")
        .order_by("id")
    )
    for work_order in rng.sample(completed, min(DONE_VISITS, len(completed))):
        _done_visit(work_order, rng, clerk, now)
    open_orders = (
        WorkOrder.objects.filter(state=State.IN_SERVICE, engineer__isnull=False)
        .exclude(engineer__user__username="engineer")
        .select_related("engineer__user")
        .order_by("id")
    )
    refused = open_orders.first()
    if refused is not None:
        _refused_visit(refused, rng, now)
    mine = (
        WorkOrder.objects.filter(
            Q(state=State.ASSIGNED) | Q(state=State.IN_SERVICE), engineer__user__username="engineer"
        )
        .select_related("engineer__user")
        .order_by("id")[:3]
    )
    for work_order in mine:
        visit_create(
            work_order=work_order, actor=work_order.engineer.user, planned_date=timezone.localdate(now)
        )
    # The signed forms the job would render (R15, R21): the demo opens with them ready.
    signed_forms_render_pending(limit=DONE_VISITS, grace=timedelta(0))
