"""Finance's hand on the dealers' accounts (R28-R31, R41): a payment received from a dealer (a
credit), the credit limit over which a part request waits for finance's approval, and the
reversal of an entry with its reason. Every posting goes through `services.accounts`, the only
writer of balances; the credit limit's changes are kept in the account's history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.core.money import cny
from aftersales.core.services import changes_record, snapshot

from ..choices import EntryKind
from ..models import AccountEntry, DealerAccount
from .accounts import account_of, entry_post, entry_reverse

# Who keeps the dealers' accounts: HQ's finance, and HQ's admins.
ACCOUNT_KEEPERS = frozenset({Role.FINANCE, Role.HQ_ADMIN})


def may_keep_accounts(user: Any) -> bool:
    """R28: record payments, set credit limits, reverse entries (HQ's finance, never a dealer)."""
    return bool(user.is_authenticated and user.has_role(*ACCOUNT_KEEPERS) and not user.dealer_id)


def _keeper(actor) -> None:
    if not may_keep_accounts(actor):
        raise NotPermitted(_("Only HQ's finance keeps the dealers' accounts."))


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = cny(str(value))
    except (TypeError, ValueError):
        raise DomainError(_("Enter an amount such as 5000.00."), code="invalid", field=field) from None
    if Decimal(str(value).strip()) != amount:
        raise DomainError(_("At most 2 decimal places (fen)."), code="invalid", field=field)
    return amount


@transaction.atomic
def payment_record(
    *, dealer: Dealer, amount: Any, actor, reference: str = "", note: str = ""
) -> AccountEntry:
    """R28: money received from the dealer: a credit of `amount` (> 0) on its account, with the
    bank reference and a note."""
    _keeper(actor)
    received = _amount(amount, "amount")
    if received <= 0:
        raise DomainError(_("A payment is an amount above 0."), code="invalid", field="amount")
    reference = (reference or "").strip()
    if len(reference) > 32:
        raise DomainError(_("At most 32 characters."), code="invalid", field="reference")
    return entry_post(
        dealer=dealer,
        kind=EntryKind.PAYMENT,
        amount=-received,
        actor=actor,
        reason=(note or "").strip()[:255] or _("Payment received"),
        reference=reference,
    )


@transaction.atomic
def credit_limit_set(*, dealer: Dealer, credit_limit: Any, actor) -> DealerAccount:
    """R28: the most the dealer may owe before a part request needs finance's approval; empty for
    no limit. The change is kept in the account's history (who, when, from, to)."""
    _keeper(actor)
    limit = None if credit_limit in (None, "") else _amount(credit_limit, "credit_limit")
    if limit is not None and limit < 0:
        raise DomainError(_("A credit limit is 0 or more."), code="invalid", field="credit_limit")
    account = DealerAccount.objects.select_for_update().get(pk=account_of(dealer).pk)
    before = snapshot(account, ["credit_limit"])
    account.credit_limit = limit
    account.save(update_fields=["credit_limit", "updated_at"])
    changes_record(instance=account, before=before, after=snapshot(account, ["credit_limit"]), actor=actor)
    return account


def account_entry_reverse(*, entry: AccountEntry, actor, reason: str) -> AccountEntry:
    """R41: an entry cancelled by its opposite, with the reason, once; a reversal is not reversed."""
    _keeper(actor)
    if entry.kind == EntryKind.REVERSAL:
        raise DomainError(_("A reversal is not reversed: post a new entry instead."), code="already_reversed")
    return entry_reverse(entry=entry, actor=actor, reason=(reason or "").strip())
