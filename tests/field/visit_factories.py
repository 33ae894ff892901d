"""Builders and fixtures (imported by conftest.py) for the visit tests (R12, R15-R17, R19): an
assigned work order, a visit brought to a state through the services, and small valid images for
signatures and photos."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.choices import Role
from aftersales.field.models import Visit
from aftersales.field.services import visit_create, visit_record, visit_sign, visit_transition
from aftersales.workorders.choices import State

from .. import factories as f
from ..timeutil import frozen


def png_bytes(width: int = 4, height: int = 2) -> bytes:
    """A valid, tiny, opaque black PNG (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_data_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def field_engineer(db):
    return f.EngineerFactory(user__last_name="赵", user__first_name="工", user__username="eng_zhao")


@pytest.fixture
def other_engineer(field_engineer):
    return f.EngineerFactory(service_point=field_engineer.service_point, user__username="eng_qian")


@pytest.fixture
def field_wo(field_engineer):
    """A repair assigned to the engineer, at their service point."""
    customer = f.CustomerFactory(
        name="上海星辰科技有限公司",
        province="上海市",
        city="上海市",
        district="徐汇区",
        address="漕溪北路 88 号",
    )
    return f.WorkOrderFactory(
        customer=customer,
        engineer=field_engineer,
        service_point=field_engineer.service_point,
        state=State.ASSIGNED,
    )


@pytest.fixture
def field_supervisor(db):
    return f.UserFactory(role=Role.SUPERVISOR, username="field_supervisor")


def visit_at(wo, state: str, *, actor=None, signed: bool = True, satisfied: bool = True) -> Visit:
    """A visit of the work order's engineer brought to `state` through the services."""
    actor = actor or wo.engineer.user
    visit = visit_create(work_order=wo, actor=actor)
    if state == "booked":
        return visit
    visit = visit_transition(visit_id=visit.pk, action="depart", actor=actor)
    if state == "en_route":
        return visit
    visit = visit_transition(
        visit_id=visit.pk, action="arrive", actor=actor, latitude="31.2304", longitude="121.4737"
    )
    if state == "on_site":
        return visit
    visit = visit_record(visit_id=visit.pk, actor=actor, findings="定影器老化，已更换", checked=[0, 1, 2])
    if signed:
        sign(visit, actor=actor, satisfied=satisfied)
    if state == "signed":
        return Visit.objects.get(pk=visit.pk)
    return visit_transition(visit_id=visit.pk, action="leave", actor=actor)


def checked_in(engineer, moment, latitude: str, longitude: str):
    """A visit of the engineer checked in at `moment` (the clock at it) at the given position."""
    order = f.WorkOrderFactory(state=State.ASSIGNED, engineer=engineer, service_point=engineer.service_point)
    with frozen(moment):  # the services stamp the check-in with the clock
        visit = visit_at(order, "on_site")
    Visit.objects.filter(pk=visit.pk).update(checkin_latitude=latitude, checkin_longitude=longitude)
    return Visit.objects.get(pk=visit.pk)


def sign(visit: Visit, *, actor=None, satisfied: bool = True):
    return visit_sign(
        visit_id=visit.pk,
        actor=actor or visit.engineer.user,
        quality_rating=5,
        attitude_rating=4,
        satisfied=satisfied,
        signer_name="李娜",
        drawn_signature=png_data_url(),
    )
