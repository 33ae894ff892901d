"""Posting to a dealer's account (R28-R31, R41): every change of what a dealer owes is an
`AccountEntry` written with the `DealerAccount` balance it changes, under the account's row lock,
so concurrent debits and credits never lose one another (the positive-only account that went
negative in envato/double_entry#114 read its balance before locking it).

A source document (a part request, an old part's penalty, a claim) is posted once: the partial
unique constraints of `AccountEntry` refuse a second posting, and `entry_post` answers it with the
entry already there, so a job that runs twice changes nothing the second time.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Dealer
from aftersales.core.errors import DomainError
from aftersales.core.money import cny

from ..choices import EntryKind
from ..models import AccountEntry, DealerAccount

# The document an entry kind is posted once for (the field of AccountEntry that names it).
_ONCE_PER = {
    EntryKind.PART_PURCHASE: "part_request",
    EntryKind.OLD_PART_PENALTY: "old_part",
    EntryKind.REIMBURSEMENT: "claim",
}


def account_of(dealer: Dealer) -> DealerAccount:
    account, _created = DealerAccount.objects.get_or_create(dealer=dealer)
    return account


def entry_post(
    *,
    dealer: Dealer,
    kind: str,
    amount: Decimal,
    actor=None,
    reason: str = "",
    reference: str = "",
    part_request=None,
    old_part=None,
    claim=None,
    reverses: AccountEntry | None = None,
) -> AccountEntry:
    """Debit (`amount` > 0) or credit (< 0) a dealer's account and return the entry; a document
    already posted for `kind` returns its entry unchanged."""
    amount = cny(amount)
    if not amount:
        raise DomainError(_("An account entry has an amount."), code="invalid", field="amount")
    once_field = _ONCE_PER.get(EntryKind(kind))
    source = {"part_request": part_request, "old_part": old_part, "claim": claim}
    account = account_of(dealer)
    try:
        with transaction.atomic():
            locked = DealerAccount.objects.select_for_update().get(pk=account.pk)
            if once_field and source[once_field] is not None:
                posted = AccountEntry.objects.filter(kind=kind, **{once_field: source[once_field]}).first()
                if posted is not None:
                    return posted
            locked.balance = cny(locked.balance + amount)
            locked.save(update_fields=["balance", "updated_at"])
            return AccountEntry.objects.create(
                account=locked,
                kind=kind,
                amount=amount,
                balance_after=locked.balance,
                reason=reason,
                reference=reference,
                reverses=reverses,
                posted_by=actor,
                posted_at=timezone.now(),
                **source,
            )
    except IntegrityError:
        # A concurrent posting of the same document won (SQLite has no row lock to wait on).
        if once_field and source[once_field] is not None:
            return AccountEntry.objects.get(kind=kind, **{once_field: source[once_field]})
        raise


def entry_reverse(*, entry: AccountEntry, actor, reason: str) -> AccountEntry:
    """Cancel an entry by its opposite (HQ reverses an old-part penalty, R29); an entry is
    reversed once."""
    if not reason.strip():
        raise DomainError(_("Say why the entry is reversed."), code="reason_required", field="reason")
    if AccountEntry.objects.filter(reverses=entry).exists():
        raise DomainError(_("This entry is already reversed."), code="already_reversed")
    return entry_post(
        dealer=entry.account.dealer,
        kind=EntryKind.REVERSAL,
        amount=-entry.amount,
        actor=actor,
        reason=reason,
        reference=entry.reference,
        reverses=entry,
    )


def would_exceed_credit(*, dealer: Dealer, amount: Decimal) -> bool:
    """Whether debiting `amount` takes the dealer over its credit limit (none: never)."""
    account = account_of(dealer)
    return account.credit_limit is not None and account.balance + cny(amount) > account.credit_limit
