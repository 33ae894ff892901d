"""R34: working calendars, their hours and exceptions are editable in the admin."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.sla.models import CalendarException, WorkingCalendar

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["workingcalendar", "calendarexception"])
def test_r34_admin_lists_and_add_pages_load(superuser_client, model):
    assert superuser_client.get(reverse(f"admin:sla_{model}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"admin:sla_{model}_add")).status_code == 200


def test_r34_admin_adds_an_extra_holiday_inline(superuser_client):
    calendar = WorkingCalendar.objects.get(is_default=True)
    url = reverse("admin:sla_workingcalendar_change", args=[calendar.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    hours = list(calendar.hours.order_by("weekday", "start"))
    data = {
        "name": calendar.name,
        "is_default": "on",
        "service_point": "",
        "use_public_holidays": "on",
        "note": calendar.note,
        "hours-TOTAL_FORMS": str(len(hours)),
        "hours-INITIAL_FORMS": str(len(hours)),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "exceptions-TOTAL_FORMS": "1",
        "exceptions-INITIAL_FORMS": "0",
        "exceptions-MIN_NUM_FORMS": "0",
        "exceptions-MAX_NUM_FORMS": "1000",
        "exceptions-0-date": "2026-03-04",
        "exceptions-0-kind": "holiday",
        "exceptions-0-note": "公司年会",
    }
    for n, row in enumerate(hours):
        data |= {
            f"hours-{n}-id": str(row.pk),
            f"hours-{n}-calendar": str(calendar.pk),
            f"hours-{n}-weekday": str(row.weekday),
            f"hours-{n}-start": row.start.strftime("%H:%M"),
            f"hours-{n}-end": row.end.strftime("%H:%M"),
        }
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert CalendarException.objects.get(calendar=calendar).date == date(2026, 3, 4)


def test_r34_admin_refuses_overlapping_new_periods(superuser_client):
    point = f.ServicePointFactory()
    data = {
        "name": "网点日历",
        "service_point": str(point.pk),
        "use_public_holidays": "on",
        "note": "",
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-weekday": "0",
        "hours-0-start": "09:00",
        "hours-0-end": "13:00",
        "hours-1-weekday": "0",
        "hours-1-start": "12:00",
        "hours-1-end": "18:00",
        "exceptions-TOTAL_FORMS": "0",
        "exceptions-INITIAL_FORMS": "0",
        "exceptions-MIN_NUM_FORMS": "0",
        "exceptions-MAX_NUM_FORMS": "1000",
    }
    response = superuser_client.post(reverse("admin:sla_workingcalendar_add"), data)
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not WorkingCalendar.objects.filter(service_point=point).exists()
