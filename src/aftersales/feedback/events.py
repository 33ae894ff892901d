"""The feedback app's kind of timeline event: a return visit scheduled (action: its kind), answered
(done), a call that did not reach the customer (pending, unreachable), or the visit dropped
(cancelled); shown in the reader's language from the event's parameters (R22-R24)."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

from .choices import ReturnVisitKind, ReturnVisitState

SCHEDULED = _("%(kind)s %(number)s due %(due)s, assigned to %(assignee)s")

RETURN_VISIT_EVENT = register_event_type(
    "return_visit",
    _("Return visit"),
    icon="bi-telephone-outbound",
    texts={
        ReturnVisitKind.ROUTINE.value: SCHEDULED,
        ReturnVisitKind.CALLBACK.value: SCHEDULED,
        ReturnVisitState.DONE.value: _("%(number)s: overall %(score)s/5, %(satisfied)s."),
        ReturnVisitState.PENDING.value: _("%(number)s: call %(count)s, %(result)s. Next call %(retry)s."),
        ReturnVisitState.UNREACHABLE.value: _(
            "%(number)s: call %(count)s, %(result)s. The customer is unreachable."
        ),
        ReturnVisitState.CANCELLED.value: _("Return visit %(number)s cancelled (work order: %(reason)s)."),
    },
)
