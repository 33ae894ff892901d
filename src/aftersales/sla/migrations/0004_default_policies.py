"""Data: the default service-level policy 标准服务时效 with the sources' defaults (R34, R18) and
the urgent-priority policy 加急服务时效 with halved targets. All milestones count business time.

- first response 24 h: from creation to acceptance (or resolution at first contact);
- diagnosis and quote 48 h: from acceptance to the start of service;
- repair 48 h: from the start of service to completion;
- record complete 24 h (R18): from completion to closing.
"""

from decimal import Decimal

from django.db import migrations

DEFAULT_NAME = "标准服务时效"
URGENT_NAME = "加急服务时效"
MILESTONES = [
    # kind, hours, start_on, stop_on
    ("first_response", Decimal(24), "created", ["accept", "resolve"]),
    ("diagnosis", Decimal(48), "accept", ["start", "resolve"]),
    ("repair", Decimal(48), "start", ["complete"]),
    ("record_complete", Decimal(24), "complete", ["close"]),
]


def create_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaMilestone = apps.get_model("sla", "SlaMilestone")
    if not SlaPolicy.objects.filter(is_default=True).exists():
        default = SlaPolicy.objects.create(
            name=DEFAULT_NAME,
            is_default=True,
            precedence=1000,
            note="首次响应24小时、诊断报价48小时、维修48小时、完工后24小时内资料齐全（工作时间）。",
        )
        SlaMilestone.objects.bulk_create(
            SlaMilestone(policy=default, kind=kind, target_hours=hours, start_on=start, stop_on=stop)
            for kind, hours, start, stop in MILESTONES
        )
    if not SlaPolicy.objects.filter(name=URGENT_NAME).exists():
        urgent = SlaPolicy.objects.create(
            name=URGENT_NAME, match_priority="urgent", precedence=100, note="紧急工单：各项时效减半。"
        )
        SlaMilestone.objects.bulk_create(
            SlaMilestone(policy=urgent, kind=kind, target_hours=hours / 2, start_on=start, stop_on=stop)
            for kind, hours, start, stop in MILESTONES
        )


def remove_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaPolicy.objects.filter(name__in=[DEFAULT_NAME, URGENT_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_policies_clocks")]

    operations = [migrations.RunPython(create_policies, remove_policies)]
