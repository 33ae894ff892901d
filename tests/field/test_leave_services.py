"""Engineers' leave through its services (R5, R37): refused outside the actor's scope, and two
overlapping leaves recorded at once never both pass (the engineer's row is locked)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from aftersales.core.errors import NotPermitted
from aftersales.field.models import EngineerLeave
from aftersales.field.services import engineer_leave_create

from ..conftest import uses_postgres


def test_r37_dealer_staff_may_not_record_another_dealers_leave(world):
    with pytest.raises(NotPermitted):
        engineer_leave_create(
            engineer=world.engineer_b, start=date(2030, 5, 1), end=date(2030, 5, 1), actor=world.staff_a
        )
    leave = engineer_leave_create(
        engineer=world.engineer_a, start=date(2030, 5, 1), end=date(2030, 5, 1), actor=world.staff_a
    )
    assert leave.engineer == world.engineer_a


def test_r5_a_second_leave_sharing_a_day_is_refused(world, dispatcher):
    engineer_leave_create(
        engineer=world.engineer_a, start=date(2030, 5, 1), end=date(2030, 5, 3), actor=dispatcher
    )
    with pytest.raises(ValidationError) as refused:
        engineer_leave_create(
            engineer=world.engineer_a, start=date(2030, 5, 3), end=date(2030, 5, 4), actor=dispatcher
        )
    assert refused.value.error_dict["start"][0].code == "leave_overlap"


@pytest.mark.skipif(not uses_postgres(), reason="row locks need PostgreSQL; SQLite serialises writers itself")
@pytest.mark.django_db(transaction=True)
def test_r5_two_overlapping_leaves_recorded_at_once_only_one_passes(world, dispatcher):
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(start: date, end: date) -> None:
        try:
            barrier.wait(timeout=10)
            engineer_leave_create(engineer=world.engineer_a, start=start, end=end, actor=dispatcher)
            results.append("ok")
        except ValidationError as error:
            results.append(error.error_dict["start"][0].code)
        finally:
            connections.close_all()

    periods = [(date(2030, 5, 1), date(2030, 5, 3)), (date(2030, 5, 2), date(2030, 5, 4))]
    threads = [threading.Thread(target=run, args=period) for period in periods]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["leave_overlap", "ok"]
    assert EngineerLeave.objects.count() == 1
