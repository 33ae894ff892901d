"""Who may do what in field service, by name (R12, R15-R17, R19, R37).

The steps of the lifecycles are transitions (`transitions`); everything else a person may do is a
named `Permission` here, with the same role and own-work rule (an engineer only on their own visits
and work orders). Services refuse with them; pages and panels ask the `may_*` functions, which add
the state the object must be in, so that a button is shown exactly when the service would accept it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.core.errors import TransitionNotAllowed
from aftersales.core.transitions import Permission
from aftersales.workorders.choices import State
from aftersales.workorders.hooks import CustomerConfirmation, latest_customer_confirmation
from aftersales.workorders.transitions import WORKORDER

from .choices import ACTIVE_VISIT_STATES, VisitState
from .models import Appointment, SignOff, Visit
from .transitions import APPOINTMENT, BOOKING_ROLES, ON_SITE_ROLES, SUPERVISION_CARD, VISIT

# On a visit (owner: the visit's engineer) -------------------------------------------------------

# R12, R15: the findings, self-check, plan change and parts recorded on site.
EDIT_VISIT_RECORD = Permission(ON_SITE_ROLES)
# R12: photos taken on site.
ADD_VISIT_PHOTO = Permission(ON_SITE_ROLES)
# R15-R17: the customer's signature or refusal, recorded on the engineer's phone.
RECORD_SIGNOFF = Permission(ON_SITE_ROLES)
# R16: the internal fault cause and repair measures; the service clerks complete them afterwards.
EDIT_VISIT_INTERNAL = Permission(ON_SITE_ROLES | {Role.CLERK})

# On a work order (owner: its assigned engineer) --------------------------------------------------

# R12: plan a visit of the assigned engineer.
PLAN_VISIT = Permission(BOOKING_ROLES)
# R12: book a day and window with the customer.
BOOK_APPOINTMENT = Permission(BOOKING_ROLES)

# On an appointment (owner: its engineer) ---------------------------------------------------------

# R12: move a booked visit to another day or window.
RESCHEDULE_APPOINTMENT = Permission(BOOKING_ROLES)

# Work orders a visit may be planned for (R12): assigned and not finished.
PLANNABLE_STATES = frozenset({State.ASSIGNED, State.IN_SERVICE, State.WAITING})


def signed_off(visit: Visit) -> bool:
    """The customer signed or refused: what they were shown is frozen."""
    return SignOff.objects.filter(visit_id=visit.pk).exists()


def visit_record_open(visit: Visit) -> bool:
    """What the customer sees and signs is recorded on site, until they sign or refuse (R15)."""
    return visit.state == VisitState.ON_SITE and not signed_off(visit)


def may_edit_visit_record(user, visit: Visit) -> bool:
    return visit_record_open(visit) and VISIT.permits(EDIT_VISIT_RECORD, user, visit)


def may_record_signoff(user, visit: Visit) -> bool:
    return visit_record_open(visit) and VISIT.permits(RECORD_SIGNOFF, user, visit)


def may_add_visit_photo(user, visit: Visit) -> bool:
    """Photos are taken on site (also after the signature: they are not part of what is signed)."""
    return visit.state == VisitState.ON_SITE and VISIT.permits(ADD_VISIT_PHOTO, user, visit)


def visit_internal_open(visit: Visit) -> bool:
    """R16: the internal fields stay editable, on site or after, until the work order closes."""
    return visit.state != VisitState.CANCELLED and visit.work_order.state not in (
        State.CLOSED,
        State.CANCELLED,
    )


def may_edit_visit_internal(user, visit: Visit) -> bool:
    return visit_internal_open(visit) and VISIT.permits(EDIT_VISIT_INTERNAL, user, visit)


def visit_planning_open(work_order) -> bool:
    """R12: a visit is planned for an assigned, open work order (its engineer goes)."""
    return work_order.engineer_id is not None and work_order.state in PLANNABLE_STATES


def may_plan_visit(user, work_order) -> bool:
    return visit_planning_open(work_order) and WORKORDER.permits(PLAN_VISIT, user, work_order)


def may_book_appointment(user, work_order) -> bool:
    """R12: the visit is booked with the engineer assigned to the work order."""
    return work_order.engineer_id is not None and WORKORDER.permits(BOOK_APPOINTMENT, user, work_order)


def may_reschedule_appointment(user, appointment: Appointment) -> bool:
    return appointment.is_booked and APPOINTMENT.permits(RESCHEDULE_APPOINTMENT, user, appointment)


def may_cancel_appointment(user, appointment: Appointment) -> bool:
    return appointment.is_booked and APPOINTMENT.permits(APPOINTMENT["cancel"], user, appointment)


def verifies_supervision_cards(user) -> bool:
    """The service centre (R19): the roles that verify cards (of any engineer)."""
    return user.has_role(*SUPERVISION_CARD["verify"].roles)


def latest_signoff_confirmation(work_order) -> CustomerConfirmation | None:
    """R17: the customer's latest sign-off on the work order's visits as a confirmation: satisfied
    only when signed and satisfied."""
    latest = SignOff.objects.filter(visit__work_order=work_order).select_related("visit").first()
    if latest is None:
        return None
    return CustomerConfirmation(
        at=latest.signed_at,
        satisfied=latest.allows_completion,
        record=_("visit %(number)s") % {"number": latest.visit.number},
    )


def completion_refusal(work_order) -> TransitionNotAllowed | None:
    """R15, R17: why the work order may not complete yet, or None. Its visits must be checked out
    and the customer's LATEST confirmation (a visit's sign-off, a depot hand-back the customer
    confirmed: `workorders.hooks.latest_customer_confirmation`) must be satisfied: a refusal or an
    unsatisfied customer keeps it open until a later visit satisfies them or they confirm the
    repaired device handed back. Work without any confirmation (e.g. remote) is not concerned."""
    active = work_order.visits.filter(state__in=ACTIVE_VISIT_STATES).first()
    if active is not None:
        return TransitionNotAllowed(
            _("Visit %(number)s is still under way: check out first.") % {"number": active.number},
            code="visit_active",
        )
    latest = latest_customer_confirmation(work_order)
    if latest is not None and not latest.satisfied:
        return TransitionNotAllowed(
            _(
                "The customer of %(record)s refused to sign or is not satisfied: the work order stays open "
                "for follow-up until a later visit satisfies them or they confirm the repaired device "
                "handed back."
            )
            % {"record": latest.record},
            code="customer_not_satisfied",
        )
    return None


def may_complete_from_visit(user, visit: Visit, signoff: SignOff | None) -> bool:
    """The visit page offers to complete the work order after this visit's satisfied sign-off and
    check-out, when the user may complete it now and nothing holds it back (R15, R17)."""
    work_order = visit.work_order
    return (
        visit.state == VisitState.DONE
        and signoff is not None
        and signoff.allows_completion
        and WORKORDER["complete"] in WORKORDER.available(work_order, user)
        and completion_refusal(work_order) is None
    )
