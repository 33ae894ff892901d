"""Data: the company standard calendar 公司标准日历, Monday-Friday 09:00-12:00 and 13:00-18:00,
following the Chinese public holidays and make-up working days (R34)."""

from datetime import time

from django.db import migrations

NAME = "公司标准日历"
PERIODS = [(time(9), time(12)), (time(13), time(18))]


def create_default(apps, schema_editor):
    WorkingCalendar = apps.get_model("sla", "WorkingCalendar")
    WorkingHours = apps.get_model("sla", "WorkingHours")
    if WorkingCalendar.objects.filter(is_default=True).exists():
        return
    calendar = WorkingCalendar.objects.create(
        name=NAME,
        is_default=True,
        use_public_holidays=True,
        note="周一至周五 09:00-12:00、13:00-18:00；法定节假日休息，调休上班日按工作日计。",
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end)
        for weekday in range(5)
        for start, end in PERIODS
    )


def remove_default(apps, schema_editor):
    WorkingCalendar = apps.get_model("sla", "WorkingCalendar")
    WorkingCalendar.objects.filter(is_default=True, name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
