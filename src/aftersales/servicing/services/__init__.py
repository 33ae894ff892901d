"""Writes of the servicing records (R6, R8, R13, R14, R36), one module per record: remote sessions,
service plans, depot repairs, external repairs (with their vendors' follow-ups), warranty
exclusions, overrides and proofs of purchase, and the maintenance work orders of the service
contracts' plans (R35).

Every transition is a keyword-only `<record>_<verb>` wrapper around `core.transitions.transition_run`
on the machines of `transitions.py`; what a transition does beyond its own record is a hook the
module registers on the machine (imported with this package, so the hooks are in place whoever
runs the machine: the pages, the API, the jobs)."""

from .depot import (
    depot_repair_hand_back,
    depot_repair_inspect,
    depot_repair_log,
    depot_repair_part_add,
    depot_repair_part_remove,
    depot_repair_receive,
    depot_repair_recheck,
    depot_repair_start,
)
from .external import (
    external_repair_complete,
    external_repair_follow_up_log,
    external_repair_receive,
    external_repair_recheck,
    external_repair_remind,
    external_repair_resend,
    external_repair_send,
    external_repair_unrepairable,
    external_repairs_remind_due,
    follow_up_interval,
)
from .maintenance import (
    maintenance_due,
    maintenance_work_order_create,
    maintenance_work_orders_generate,
    plan_due_dates,
    service_day,
)
from .plans import (
    company_language,
    plan_approve,
    plan_confirm,
    plan_create,
    plan_free_revisions,
    plan_reject,
    plan_revise,
    plan_send,
    plan_update,
)
from .remote import remote_session_escalate, remote_session_solve, remote_session_start
from .warranty import purchase_proof_record, warranty_exclusion_record, warranty_override_record

__all__ = [
    "purchase_proof_record",
    "warranty_exclusion_record",
    "warranty_override_record",
    "company_language",
    "depot_repair_hand_back",
    "depot_repair_inspect",
    "depot_repair_log",
    "depot_repair_part_add",
    "depot_repair_part_remove",
    "depot_repair_receive",
    "depot_repair_recheck",
    "depot_repair_start",
    "external_repair_complete",
    "external_repair_follow_up_log",
    "external_repair_receive",
    "external_repair_recheck",
    "external_repair_remind",
    "external_repair_resend",
    "external_repair_send",
    "external_repair_unrepairable",
    "external_repairs_remind_due",
    "follow_up_interval",
    "maintenance_due",
    "maintenance_work_order_create",
    "maintenance_work_orders_generate",
    "plan_due_dates",
    "service_day",
    "plan_approve",
    "plan_confirm",
    "plan_create",
    "plan_free_revisions",
    "plan_reject",
    "plan_revise",
    "plan_send",
    "plan_update",
    "remote_session_escalate",
    "remote_session_solve",
    "remote_session_start",
]
