"""Editing a work order under optimistic locking: the second save is refused, the user's input
stays on the page and nothing is overwritten; every saved change is in the history (R41)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.core.models import ChangeRecord
from aftersales.workorders.forms import WorkOrderEditForm
from aftersales.workorders.services import workorder_update

pytestmark = pytest.mark.django_db


def edit(pk):
    return reverse("workorders:edit", args=[pk])


def posted(order, user, **changes):
    data = {
        key: ("" if value is None else value)
        for key, value in WorkOrderEditForm.initial_from(order).items()
        if key != "service_point" or user.sees_whole_company
    }
    data["service_point"] = order.service_point_id
    data.update(changes)
    return data


def test_edit_page_prefilled_with_version(client, agent, order):
    client.force_login(agent)
    response = client.get(edit(order.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["version"].value() == order.version
    assert form["contact_phone"].value() == "13912345678"
    assert 'data-testid="edit-save"' in response.content.decode()


def test_edit_saves_and_records_history(client, agent, order):
    client.force_login(agent)
    response = client.post(
        edit(order.pk), posted(order, agent, fault_symptom="卡纸并伴有异响", priority="high")
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.fault_symptom == "卡纸并伴有异响" and order.priority == "high" and order.version == 2
    assert set(ChangeRecord.objects.values_list("field", flat=True)) == {"fault_symptom", "priority"}


def test_r41_optimistic_locking_keeps_input_and_overwrites_nothing(client, agent, supervisor, order):
    client.force_login(agent)
    stale_form = posted(order, agent, fault_symptom="我的修改")
    # Someone else saves in between.
    workorder_update(
        work_order_id=order.pk, actor=supervisor, expected_version=order.version, priority="urgent"
    )
    history_before = list(ChangeRecord.objects.values_list("pk", "field", "new_value"))
    response = client.post(edit(order.pk), stale_form)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="stale"' in body and "someone else" in body
    assert "我的修改" in body  # the user's input is still there
    order.refresh_from_db()
    assert order.fault_symptom != "我的修改" and order.priority == "urgent" and order.version == 2
    assert list(ChangeRecord.objects.values_list("pk", "field", "new_value")) == history_before


def test_r2_edit_with_bad_input_shows_errors_and_saves_nothing(client, agent, order):
    client.force_login(agent)
    response = client.post(edit(order.pk), posted(order, agent, fault_symptom="", contact_phone="123"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "fault_symptom" in errors
    order.refresh_from_db()
    assert order.version == 1 and not ChangeRecord.objects.exists()


def test_r2_edit_service_refusal_on_field(client, agent, order):
    client.force_login(agent)
    response = client.post(edit(order.pk), posted(order, agent, contact_phone="12345"))
    assert response.context["form"].errors["contact_phone"]
    order.refresh_from_db()
    assert order.version == 1


def test_r41_masked_user_cannot_see_or_edit_phone(client, finance, order):
    """Finance sees the phone masked on the page and may not open the edit form at all."""
    client.force_login(finance)
    assert client.get(edit(order.pk)).status_code == 403
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
