"""Who sees a customer's phone numbers and addresses in full, where (R41, PIPL): one table, used
by every page, API output and export. Anywhere else the value is masked (138****1234, the
province/city/district with the street masked) and a user who needs it reveals it with a reason
(`core.privacy.personal_data_reveal`, logged and rate-limited).

| role                      | intake | open work | own open work | open case | record | list |
|---------------------------|:------:|:---------:|:-------------:|:---------:|:------:|:----:|
| agent                     | full   | full      | full          | full      | —      | —    |
| dispatcher, service clerk | full   | full      | full          | —         | —      | —    |
| engineer, dealer staff    | full   | —         | full          | —         | —      | —    |
| quality & compliance      | —      | —         | —             | full      | —      | —    |
| supervisor, HQ admin      | full   | —         | —             | —         | —      | —    |
| finance, parts clerk      | —      | —         | —             | —         | —      | —    |

(— masked: 138****1234, the address's province/city/district with the street as ****.)

- intake: the intake page and its caller lookup (the number the agent is talking to);
- open work: a work order not closed or cancelled (its page, API detail, printed forms, visits);
- own open work: open work assigned to the engineer, or at the dealer staff's service points;
- open case: a complaint being handled or a return visit still to make (the calls quality makes);
- record: a customer's page, a device's, closed work;
- list: every list page, report, list API response and Excel export (always masked,
  so an export never needs a reason; it is logged like a view).
"""

from __future__ import annotations

from enum import StrEnum

from .choices import Role


class Seen(StrEnum):
    """Where a personal value is shown (the columns of the table above)."""

    INTAKE = "intake"
    OPEN_WORK = "open_work"
    OWN_OPEN_WORK = "own_open_work"
    OPEN_CASE = "open_case"
    RECORD = "record"
    LIST = "list"


_AGENT = frozenset({Seen.INTAKE, Seen.OPEN_WORK, Seen.OWN_OPEN_WORK, Seen.OPEN_CASE})
_CASE_HANDLER = frozenset({Seen.INTAKE, Seen.OPEN_WORK, Seen.OWN_OPEN_WORK})
_FIELD = frozenset({Seen.INTAKE, Seen.OWN_OPEN_WORK})

SEEN_IN_FULL: dict[str, frozenset[Seen]] = {
    Role.AGENT: _AGENT,
    Role.DISPATCHER: _CASE_HANDLER,
    Role.CLERK: _CASE_HANDLER,
    Role.ENGINEER: _FIELD,
    Role.DEALER_STAFF: _FIELD,
    Role.QUALITY: frozenset({Seen.OPEN_CASE}),
    Role.SUPERVISOR: frozenset({Seen.INTAKE}),
    Role.HQ_ADMIN: frozenset({Seen.INTAKE}),
    Role.FINANCE: frozenset(),
    Role.PARTS_CLERK: frozenset(),
}

# Roles that read the access log of personal data (and export it).
ACCESS_LOG_ROLES = frozenset({Role.QUALITY, Role.HQ_ADMIN})


def shows_in_full(user, seen: Seen) -> bool:
    """Whether `user` sees customers' phones and addresses in full where `seen` says."""
    if user is None or not user.is_authenticated:
        return False
    return seen in SEEN_IN_FULL.get(user.role, frozenset())


def work_seen(*, is_open: bool, is_own: bool) -> Seen:
    """Where a work order's page puts its reader: open work, their own open work, or a record."""
    if not is_open:
        return Seen.RECORD
    return Seen.OWN_OPEN_WORK if is_own else Seen.OPEN_WORK
