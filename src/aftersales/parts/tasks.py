"""Background jobs of the parts app: thin, idempotent, calling the services."""

from celery import shared_task

from .services.alerts import ledger_check
from .services.claims import claims_build_due
from .services.old_parts import old_part_penalties_charge


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (nightly).
@shared_task
def stock_ledger_check() -> int:
    """Periodic, R32: every balance equals the sum of its moves; a mismatch is told to the HQ
    admins (never corrected). Returns how many balances disagree."""
    return len(ledger_check())


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (daily).
@shared_task
def charge_unreported_old_parts() -> int:
    """Periodic, R29: each dealer's old part not reported by its deadline charges the dealer the
    part's out-of-warranty price, once. Returns how many were charged."""
    return len(old_part_penalties_charge())


# On the beat schedule in settings.CELERY_BEAT_SCHEDULE (monthly, on PARTS_CLAIM_DAY).
@shared_task
def build_monthly_claims() -> int:
    """Periodic, R31: one warranty reimbursement claim per dealer for the previous month (running
    it again changes nothing). Returns how many claims were built or added to."""
    return len(claims_build_due())
