"""Reads of the dealer network (R28-R31, R37): part requests and dealer accounts scoped to what the
user may see (HQ's desks every dealer's, a dealer's staff their own: another dealer's is "not
found"), an account's ledger, and the monthly statement (对账单) with its opening and closing
balances and the charges other apps flag on it (R30: fees charged on a standard HQ had not
approved, filled in by billing through `register_statement_flags`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer
from aftersales.core.errors import DomainError
from aftersales.core.money import ZERO, total

from .models import AccountEntry, DealerAccount, PartRequest, PartRequestEvent, PartRequestLine
from .transitions import PART_REQUEST, may_read_part_requests

# --- part requests --------------------------------------------------------------------------------


def _own_dealer_only(user: Any) -> bool:
    return not user.is_superuser and user.role == Role.DEALER_STAFF


def part_request_scope(user: Any) -> QuerySet[PartRequest]:
    """The part requests `user` may see (R28, R37): every one for HQ's desks, their own dealer's
    for a dealer's staff, none for anyone else."""
    requests = PartRequest.objects.select_related("dealer", "service_point", "created_by", "transfer")
    if not may_read_part_requests(user):
        return requests.none()
    if _own_dealer_only(user):
        return requests.filter(dealer_id=user.dealer_id)
    return requests


def part_request_get(user: Any, pk: int) -> PartRequest:
    """One request the user may see with its lines (by part number) and its steps (404 otherwise)."""
    return (
        part_request_scope(user)
        .select_related("confirmed_by", "credit_approved_by")
        .prefetch_related(
            Prefetch(
                "lines", queryset=PartRequestLine.objects.select_related("part").order_by("part__number")
            ),
            Prefetch(
                "events",
                queryset=PartRequestEvent.objects.select_related("actor").order_by("created_at", "id"),
            ),
        )
        .get(pk=pk)
    )


# The steps of a request that are not transitions.
STEP_LABELS = {"create": gettext_lazy("Drawn up"), "line": gettext_lazy("Parts changed")}


def part_request_steps(pr: PartRequest) -> list[PartRequestEvent]:
    """The request's history, oldest first, each step with its `label` (the transition's)."""
    steps = list(pr.events.all())
    for step in steps:
        transition = PART_REQUEST.transitions.get(step.action)
        step.label = str(transition.label if transition else STEP_LABELS.get(step.action, step.action))  # type: ignore[attr-defined]
    return steps


# --- dealer accounts --------------------------------------------------------------------------------

# Who reads every dealer's account: HQ's finance, admins and department heads (R37).
ACCOUNT_READERS = frozenset({Role.FINANCE, Role.HQ_ADMIN, Role.SUPERVISOR})


def may_read_accounts(user: Any) -> bool:
    """HQ's finance reads every dealer's account, a dealer's staff their own dealer's."""
    if not user.is_authenticated:
        return False
    if user.has_role(*ACCOUNT_READERS) and not user.dealer_id:
        return True
    return user.role == Role.DEALER_STAFF and bool(user.dealer_id)


def account_dealer_scope(user: Any) -> QuerySet[Dealer]:
    """The dealers whose account `user` may see, with their account (none yet: nothing owed)."""
    dealers = Dealer.objects.select_related("account").order_by("code", "pk")
    if not may_read_accounts(user):
        return dealers.none()
    if user.role == Role.DEALER_STAFF and not user.is_superuser:
        return dealers.filter(pk=user.dealer_id)
    return dealers


def account_of_dealer(dealer: Dealer) -> DealerAccount:
    """The dealer's account as it stands; one never posted to reads as empty (not saved)."""
    try:
        return dealer.account
    except DealerAccount.DoesNotExist:
        return DealerAccount(dealer=dealer, balance=ZERO)


def is_over_limit(account: DealerAccount | None) -> bool:
    """The dealer owes more than its credit limit (no limit: never)."""
    return account is not None and account.credit_limit is not None and account.balance > account.credit_limit


def entry_scope(user: Any) -> QuerySet[AccountEntry]:
    """The account entries of the dealers `user` may see, with who posted them and their documents."""
    return AccountEntry.objects.filter(account__dealer__in=account_dealer_scope(user)).select_related(
        "account__dealer", "posted_by", "part_request", "old_part", "claim", "reverses"
    )


def account_entries(dealer: Dealer) -> QuerySet[AccountEntry]:
    """The ledger of one dealer's account, newest first."""
    return (
        AccountEntry.objects.filter(account__dealer=dealer)
        .select_related("posted_by", "part_request", "old_part", "claim", "reverses")
        .order_by("-posted_at", "-id")
    )


# --- the monthly statement (对账单) ----------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedCharge:
    """A charge another app flags on a dealer's statement (R30: a fee charged on a fee standard
    HQ had not approved)."""

    day: date
    document: str
    description: str
    amount: Decimal
    reason: str
    url: str = ""


# `source(dealer_id, start, end)`: the charges flagged in [start, end).
FlagSource = Callable[[int, datetime, datetime], list[FlaggedCharge]]
statement_flag_sources: list[FlagSource] = []


def register_statement_flags(source: FlagSource) -> FlagSource:
    """Decorator: `source` adds its flagged charges to every dealer's statement."""
    if source not in statement_flag_sources:
        statement_flag_sources.append(source)
    return source


def flagged_charges(dealer_id: int, start: datetime, end: datetime) -> list[FlaggedCharge]:
    rows = [row for source in statement_flag_sources for row in source(dealer_id, start, end)]
    return sorted(rows, key=lambda row: (row.day, row.document))


@dataclass
class Statement:
    """One dealer's account for one month: what it owed at the start, each entry of the month in
    posting order with its balance after, what it owed at the end (= opening + debits - credits),
    and the charges flagged that month."""

    dealer: Dealer
    account: DealerAccount
    month: date
    opening: Decimal
    closing: Decimal
    entries: list[AccountEntry]
    flagged: list[FlaggedCharge] = field(default_factory=list)

    @property
    def debits(self) -> Decimal:
        return total(entry.amount for entry in self.entries if entry.amount > 0)

    @property
    def credits(self) -> Decimal:
        return total(-entry.amount for entry in self.entries if entry.amount < 0)

    @property
    def period_end(self) -> date:
        """The last day of the month."""
        return next_month(self.month) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_of(text: str | None, *, default: date | None = None) -> date:
    """The first day of the month written `YYYY-MM` (this month when empty)."""
    if not text:
        today = default or timezone.localdate()
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in str(text).strip().split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise DomainError(_("Choose the month as YYYY-MM."), code="invalid_month", field="month") from None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _balance_before(account: DealerAccount, moment: datetime) -> Decimal:
    """What the dealer owed just before `moment`: the balance after the last entry posted before
    it (entries are posted under the account's lock, so posting time and id go the same way)."""
    if account.pk is None:
        return ZERO
    last = (
        AccountEntry.objects.filter(account=account, posted_at__lt=moment)
        .order_by("-posted_at", "-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    return last if last is not None else ZERO


def statement_for(dealer: Dealer, month: date) -> Statement:
    """R28-R31: the dealer's statement of `month` (its first day); in local time, Asia/Shanghai."""
    account = account_of_dealer(dealer)
    start, end = _start_of(month), _start_of(next_month(month))
    entries: list[AccountEntry] = []
    if account.pk is not None:
        entries = list(
            AccountEntry.objects.filter(account=account, posted_at__gte=start, posted_at__lt=end)
            .select_related("posted_by", "part_request", "old_part", "claim", "reverses")
            .order_by("posted_at", "id")
        )
    opening = _balance_before(account, start)
    closing = entries[-1].balance_after if entries else opening
    return Statement(
        dealer=dealer,
        account=account,
        month=month,
        opening=opening,
        closing=closing,
        entries=entries,
        flagged=flagged_charges(dealer.pk, start, end),
    )


def entry_document(entry: AccountEntry) -> str:
    """The document an entry posts: a request, an old part, a claim, or its reference."""
    for source in (entry.part_request, entry.old_part, entry.claim):
        if source is not None:
            return str(source)
    return entry.reference


def entry_document_url(entry: AccountEntry) -> str:
    from django.urls import reverse

    if entry.part_request_id:
        return reverse("parts:part_request_detail", args=[entry.part_request_id])
    return ""
