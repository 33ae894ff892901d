"""Core building blocks: readable numbers (R1), field history (R41), access log (R41), errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from aftersales.core.api import problem_exception_handler
from aftersales.core.errors import ConcurrentUpdate, DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.models import AccessLog, ChangeRecord, NumberSequence
from aftersales.core.phones import phone_mask, phone_normalize, phone_search_digits
from aftersales.core.services import access_log, changes_record, number_next, snapshot
from aftersales.workorders.choices import Priority
from tests import factories as f


@pytest.mark.django_db
def test_r1_numbers_count_per_prefix_and_day():
    day, next_day = date(2026, 11, 22), date(2026, 11, 23)

    assert [number_next(prefix="WO", day=day) for _ in range(3)] == [
        "WO202611220001",
        "WO202611220002",
        "WO202611220003",
    ]
    assert number_next(prefix="WO", day=next_day) == "WO202611230001"
    assert number_next(prefix="QT", day=day) == "QT202611220001"
    assert number_next(prefix="WO", day=day, width=6) == "WO20261122000004"
    assert NumberSequence.objects.get(prefix="WO", day=day).last_value == 4


@pytest.mark.django_db
def test_r41_changes_record_writes_one_row_per_changed_field_with_labels(agent):
    work_order = f.WorkOrderFactory(priority=Priority.NORMAL)
    fields = ["priority", "fault_symptom", "customer"]
    before = snapshot(work_order, fields)
    work_order.priority = Priority.URGENT
    work_order.save()

    [row] = changes_record(
        instance=work_order, before=before, after=snapshot(work_order, fields), actor=agent
    )

    assert (row.field, row.old_value, row.new_value, row.actor) == (
        "priority",
        str(Priority.NORMAL.label),
        str(Priority.URGENT.label),
        agent,
    )
    assert row.field_label
    assert snapshot(work_order, ["customer"]) == {"customer": str(work_order.customer)}


@pytest.mark.django_db
def test_r41_access_log_rows_are_append_only(agent):
    entry = access_log(actor=agent, action=AccessLog.Action.EXPORT, resource="workorders", detail="state=new")

    entry.detail = "nothing to see"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AccessLog.objects.get().detail == "state=new"


@pytest.mark.django_db
def test_r41_change_records_are_append_only(agent):
    work_order = f.WorkOrderFactory()
    row = ChangeRecord.objects.create(
        subject=work_order, actor=agent, field="priority", old_value="a", new_value="b"
    )

    with pytest.raises(ValueError, match="append-only"):
        row.save()
    with pytest.raises(ValueError, match="append-only"):
        row.delete()


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812341234", "+8613812341234"),
        ("+86 138-1234-1234", "+8613812341234"),
        ("021-62345678", "+862162345678"),
    ],
)
def test_r2_phone_numbers_are_normalised(raw, e164):
    assert phone_normalize(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "1381234123", "abc", "+1 555"])
def test_r2_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        phone_normalize(raw)


def test_r41_phone_mask_and_search_digits():
    assert phone_mask("+8613812341234") == "138****1234"
    assert phone_search_digits("021-6234") == "216234"
    assert phone_search_digits("1381234") == "1381234"
    assert phone_search_digits("+86 (138) 1234-5678") == "8613812345678"
    # A code or a work-order number is not a phone: C00000 must not find every 0000 in a number.
    assert phone_search_digits("C00000") == ""
    assert phone_search_digits("WO20261207-0001") == ""


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (TransitionNotAllowed("not now"), 409, "transition_not_allowed"),
        (ConcurrentUpdate("stale", field="version"), 409, "stale_version"),
        (NotPermitted("no"), 403, "permission_denied"),
        (DomainError("bad", code="required", field="note"), 400, "required"),
    ],
)
def test_domain_errors_map_to_json_problems(error, status, code):
    response = problem_exception_handler(error, {})

    assert response.status_code == status
    [item] = response.data["errors"]
    assert (item["code"], item["field"], item["message"]) == (code, error.field, error.message)


def test_validation_and_not_found_map_to_400_and_404():
    invalid = problem_exception_handler(
        ValidationError({"contact_phone": ["Enter a valid phone number."]}), {}
    )
    missing = problem_exception_handler(Http404(), {})

    assert invalid.status_code == 400
    assert invalid.data["errors"][0]["field"] == "contact_phone"
    assert missing.status_code == 404
