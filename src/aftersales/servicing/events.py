"""The servicing app's kinds of timeline event and what their events say (R6, R8, R13, R14).

Transitions are written by `transitions.timeline_recorder` (the record, its two states and a few
parameters); an action without a template here reads "<record> · <from> → <to>". The other events
(a session started, a plan drawn up, a device taken in, a send-out, a follow-up) are written by the
services with the parameters their template names. Notes carry only the user's own words."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

REMOTE_SERVICE = register_event_type(
    "remote",
    _("Remote service"),
    icon="bi-headset",
    texts={
        "remote_start": _("%(method)s session started"),
        "remote_solve": _("%(method)s session: solved"),
        "remote_escalate": _("%(method)s session: not solved remotely, escalated to on-site service"),
    },
)
SERVICE_PLAN = register_event_type(
    "plan",
    _("Service plan"),
    icon="bi-clipboard-check",
    texts={
        "plan_create": _("Service plan v%(revision)s drawn up"),
        "plan_awaits_approval": _(
            "Service plan v%(revision)s drawn up; it needs a supervisor's approval before it is sent"
        ),
        "plan_update": _("Service plan v%(revision)s edited"),
        "plan_send": _("Service plan v%(revision)s sent to the customer by %(channel)s"),
        "plan_confirm": _("Service plan v%(revision)s confirmed by %(confirmed_by)s (%(method)s)"),
        "plan_reject": _("Service plan v%(revision)s rejected by the customer"),
        "plan_revise": _("Service plan v%(revision)s replaced by a revision"),
        "plan_approve": _("Revision v%(revision)s of the service plan approved"),
    },
)
REPAIR = register_event_type(
    "repair",
    _("Repair"),
    icon="bi-wrench-adjustable",
    texts={
        "depot_receive": _("Device taken in for depot repair, repair order %(record)s"),
        "depot_inspect": _("%(record)s inspected; warranty: %(warranty)s"),
        "depot_log": _("%(record)s: a line added to the repair process record"),
        "depot_part_add": _("%(record)s: part replaced: %(part)s"),
        "depot_part_remove": _("%(record)s: part removed: %(part)s"),
        "depot_hand_back": _("%(record)s: device handed back to %(handed_back_to)s (%(method)s)"),
        "external_send": _("Sent to %(vendor)s (%(reason)s), voucher %(voucher)s, expected back on %(date)s"),
        "external_follow_up": _("%(vendor)s contacted about the device"),
        "external_reminder": _(
            "Follow-up %(n)s: ask %(vendor)s (%(contact)s, %(phone)s) about voucher %(voucher)s, "
            "expected back on %(date)s. %(overdue)s"
        ),
    },
)
WARRANTY = register_event_type(
    "warranty",
    _("Warranty"),
    icon="bi-shield-exclamation",
    texts={
        "warranty_exclude": _("Warranty exclusion: %(reason)s (%(line)s)"),
        "warranty_start": _("Warranty set to count from %(start)s"),
        "warranty_payer": _("%(line)s set to be paid by %(payer)s"),
        "warranty_proof": _("Proof of purchase attached: bought on %(date)s"),
    },
)
MAINTENANCE = register_event_type(
    "maintenance",
    _("Maintenance"),
    icon="bi-calendar-check",
    texts={
        "maintenance_generate": _(
            "Scheduled maintenance under service contract %(contract)s, due %(service_on)s "
            "(every %(every)s months)"
        ),
    },
)
