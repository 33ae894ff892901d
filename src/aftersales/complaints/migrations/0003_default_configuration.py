"""R26, R27 defaults: the response time per severity and the escalation ladder (editable in the
admin afterwards)."""

from decimal import Decimal

from django.db import migrations

RESPONSE_HOURS = {"critical": Decimal("4"), "serious": Decimal("8"), "general": Decimal("24")}
LEVELS = [
    (1, "服务网点负责人", ""),
    (2, "服务中心主管", "supervisor"),
    (3, "总部技术部", "hq_admin"),
]


def create(apps, schema_editor):
    policy = apps.get_model("complaints", "ComplaintResponsePolicy")
    level = apps.get_model("complaints", "CaseLevel")
    criteria = apps.get_model("complaints", "CaseCriteria")
    for severity, hours in RESPONSE_HOURS.items():
        policy.objects.get_or_create(severity=severity, defaults={"response_hours": hours})
    for number, name, role in LEVELS:
        level.objects.get_or_create(number=number, defaults={"name": name, "role": role})
    if not criteria.objects.exists():
        criteria.objects.create()


def remove(apps, schema_editor):
    apps.get_model("complaints", "ComplaintResponsePolicy").objects.filter(severity__in=RESPONSE_HOURS).delete()
    apps.get_model("complaints", "CaseLevel").objects.filter(number__in=[n for n, _, _ in LEVELS]).delete()
    apps.get_model("complaints", "CaseCriteria").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_history_append_only")]

    operations = [migrations.RunPython(create, remove)]
