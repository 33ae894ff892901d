"""The field app's kinds of timeline event (registered with the work order's timeline) and the text
of each action, filled with the event's parameters when it is shown, in the reader's language.

The note of an event is only what a person wrote (a reason, the customer's comment); everything
the system says is a template here. Actions of the lifecycles (`transitions`) are named after the
lifecycle (`visit_arrive`, `card_submit`, `appointment_cancel`); their title is the transition's
label."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

DISPATCH = register_event_type(
    "dispatch",
    _("Dispatch"),
    icon="bi-signpost-split",
    texts={
        # R5: a new work order located the customer's service point
        "dispatch": _("Dispatched automatically to %(point)s: %(why)s"),
        # R5, R38: the dispatcher's assignment, against or as the suggestion
        "dispatch_override": _("Override of the suggestion (%(suggested)s): %(engineer)s assigned"),
        "dispatch_suggested": _("Suggested engineer %(engineer)s assigned: %(why)s"),
    },
)
APPOINTMENT = register_event_type(
    "appointment",
    _("Appointment"),
    icon="bi-calendar-event",
    texts={
        "appointment_book": _("Visit booked with %(engineer)s on %(date)s %(start)s–%(end)s"),
        "appointment_reschedule": _("Visit moved from %(before)s to %(after)s"),
        "appointment_engineer": _("Visit on %(when)s moved from %(before)s to %(after)s"),
        "appointment_cancel": _("Visit on %(when)s cancelled"),
        "appointment_complete": _("Visit on %(when)s done: %(visit)s checked out"),
        "appointment_release_on_leave": _(
            "Visit on %(when)s cancelled after the change from %(before)s to %(after)s: "
            "%(after)s is on leave that day"
        ),
        "appointment_release_double_booking": _(
            "Visit on %(when)s cancelled after the change from %(before)s to %(after)s: "
            "%(after)s is already booked %(start)s–%(end)s for work order %(number)s"
        ),
    },
)
VISIT = register_event_type(
    "visit",
    _("On-site visit"),
    icon="bi-geo-alt",
    texts={
        "visit_plan": _("Visit %(visit)s planned for %(when)s with %(engineer)s"),
        "visit_depart": _("Visit %(visit)s: trip started"),
        "visit_arrive": _("Visit %(visit)s: checked in at %(time)s (%(where)s)"),
        "visit_leave": _("Visit %(visit)s: checked out at %(time)s (%(where)s)"),
        "visit_cancel": _("Visit %(visit)s cancelled"),
        "visit_release": _("Visit %(visit)s cancelled with its appointment"),
        "visit_engineer": _("Visit %(visit)s: engineer changed from %(before)s to %(after)s"),
        "visit_plan_change": _("Visit %(visit)s: new findings change the plan (%(agreed)s)"),
        "visit_part_add": _("Visit %(visit)s: part replaced: %(part)s"),
        "visit_part_remove": _("Visit %(visit)s: part removed: %(part)s"),
        "visit_parts_request": _("Visit %(visit)s: %(part)s asked of %(source)s (%(transfer)s)"),
        "visit_internal": _("Visit %(visit)s: internal fault cause and measures updated"),
        # R19: the supervision card of the visit
        "card_submit": _("Visit %(visit)s: supervision card submitted (%(timing)s)"),
        "card_verify": _("Visit %(visit)s: supervision card verified"),
        "card_send_back": _("Visit %(visit)s: supervision card sent back"),
    },
)
SIGNOFF = register_event_type(
    "signoff",
    _("Sign-off"),
    icon="bi-pen",
    texts={
        "signed": _(
            "Visit %(visit)s signed by %(name)s (%(verdict)s); repair quality %(quality)s/5, "
            "attitude %(attitude)s/5 (SHA-256 %(hash)s…)"
        ),
        "refused": _(
            "The customer refused to sign visit %(visit)s. The work order stays open for follow-up."
        ),
    },
)

# Parameters that are themselves words (stored as msgids, translated when shown).
NO_LOCATION = _("no location")
ON_TIME, LATE = _("on time"), _("late")
SATISFIED = _("satisfied")
NOT_SATISFIED = _("NOT satisfied: the work order stays open for follow-up")
AGREED, NOT_AGREED = _("the customer agreed"), _("the customer did not agree")
NO_ENGINEER = _("none")
