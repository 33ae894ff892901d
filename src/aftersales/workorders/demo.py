"""Which demo work orders other apps' demo seeders may hang hands-on records on (visits, parts,
repairs, quotes): the demo must not show a site visit or a replaced part on work that was handled
on the phone or by remote desktop, nor on work that never went ahead."""

from __future__ import annotations

from django.db.models import Q

from .choices import ProposedHandling, State, WorkOrderType

# Work of these types is answered or followed up from the service centre, never on site.
REMOTE_TYPES = (WorkOrderType.CONSULTATION, WorkOrderType.OTHER)


def handled_remotely() -> Q:
    """Work orders answered on the phone or by remote desktop (by their type or assessment)."""
    return Q(type__in=REMOTE_TYPES) | Q(proposed_handling=ProposedHandling.REMOTE)


def hands_on() -> Q:
    """Work orders that needed the device itself (a visit, a part, a repair) and went ahead."""
    return ~handled_remotely() & ~Q(state=State.CANCELLED)
