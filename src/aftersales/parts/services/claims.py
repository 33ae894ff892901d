"""Warranty reimbursement claims (保修期内配件费用报销单, R31).

On `settings.PARTS_CLAIM_DAY` of each month (the 3rd by default) a job builds, for the previous
month, one claim per dealer: a line per old part of the dealer's service points replaced in that
month and reported to HQ (or further along), at the cost it was recorded at × its quantity. An old
part is claimed once (`ClaimLine.old_part` is one-to-one); a claim is one per dealer and month (a
unique constraint), so running the job twice changes nothing. Lines of parts HQ found not faulty
or not matching are proposed rejected.

HQ reviews each line (approve, or reject with the reason), approves the claim once every line is
decided (the approved total is the sum of the approved lines) and credits it: one REIMBURSEMENT
entry of minus the approved total on the dealer's account (transitions.CLAIM).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import line_amount, total, yuan
from aftersales.core.services import number_next
from aftersales.core.transitions import TransitionRun, transition_run

from ..choices import ClaimState, InspectionResult, LineDecision, OldPartState
from ..models import ClaimLine, OldPart, ReimbursementClaim
from ..transitions import BUILD_CLAIMS, CLAIM, OLD_PART, REVIEW_CLAIM, claim_step

CLAIM_PREFIX = "BX"  # 报销
# An old part is claimed once it is reported to HQ, whatever happened to it since.
CLAIMABLE_STATES = (
    OldPartState.REPORTED,
    OldPartState.SHIPPED,
    OldPartState.RECEIVED,
    OldPartState.INSPECTED,
)
# HQ's findings that make a line proposed rejected.
REJECTED_FINDINGS = (InspectionResult.NOT_FAULTY, InspectionResult.NOT_MATCHING)


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return month_start(month_start(day) - timedelta(days=1))


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) instants in the company's time zone."""
    first = month_start(month)
    following = month_start(first + timedelta(days=32))
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), zone),
        timezone.make_aware(datetime.combine(following, time.min), zone),
    )


def _finding_reason(result: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("HQ's inspection: %(finding)s") % {"finding": InspectionResult(result).label}


def _claimable(dealer_id: int | None, month: date):
    start, end = _month_bounds(month)
    rows = OldPart.objects.filter(
        dealer__isnull=False,
        state__in=CLAIMABLE_STATES,
        replaced_at__gte=start,
        replaced_at__lt=end,
        claim_line__isnull=True,
    )
    return rows.filter(dealer_id=dealer_id) if dealer_id is not None else rows


def claims_build(*, month: date, actor=None) -> list[ReimbursementClaim]:
    """R31: the claims of `month` (any day of it), one per dealer with claimable old parts; a
    claim still in review takes the parts reported since it was built, an approved or credited
    one is left as it is. Refused for a month not over yet (`claim_month_open`) and, by hand,
    for a user who may not review claims. Returns the claims built or added to."""
    if actor is not None and not CLAIM.permits(BUILD_CLAIMS, actor, None):
        raise NotPermitted(_("Only HQ builds reimbursement claims."))
    month = month_start(month)
    if month >= month_start(timezone.localdate()):
        raise DomainError(
            _("%(month)s is not over yet: its claims are built from the next month on.")
            % {"month": f"{month:%Y-%m}"},
            code="claim_month_open",
            field="month",
        )
    dealer_ids = sorted(set(_claimable(None, month).values_list("dealer_id", flat=True)))
    claims = []
    for dealer_id in dealer_ids:
        claim = claim_build_for(dealer_id=dealer_id, month=month, actor=actor)
        if claim is not None:
            claims.append(claim)
    return claims


def _claim_of(dealer_id: int, month: date) -> ReimbursementClaim:
    """The dealer's claim of the month, locked; made (numbered BX…) when there is none."""
    claim = (
        ReimbursementClaim.objects.select_for_update(of=("self",))
        .filter(dealer_id=dealer_id, month=month)
        .first()
    )
    if claim is not None:
        return claim
    try:
        with transaction.atomic():
            return ReimbursementClaim.objects.create(
                number=number_next(prefix=CLAIM_PREFIX), dealer_id=dealer_id, month=month
            )
    except IntegrityError:  # built at the same moment by another run
        return ReimbursementClaim.objects.select_for_update(of=("self",)).get(
            dealer_id=dealer_id, month=month
        )


@transaction.atomic
def claim_build_for(*, dealer_id: int, month: date, actor=None) -> ReimbursementClaim | None:
    """One dealer's claim of `month` with a line for each claimable old part not claimed yet (one
    transaction per claim); None when it has nothing new, or is no longer in review."""
    month = month_start(month)
    if not _claimable(dealer_id, month).exists():
        return None
    # The claim's row is locked first: a second batch running at the same time waits here, then
    # reads the old parts afresh and finds them claimed (a lock on the old parts alone would not
    # do: PostgreSQL re-checks a locked row, not the claim lines joined to it).
    claim = _claim_of(dealer_id, month)
    if claim.state != ClaimState.IN_REVIEW:
        return None
    old_parts = list(
        _claimable(dealer_id, month)
        .select_for_update(of=("self",))
        .select_related("part")
        .order_by("replaced_at", "pk")
    )
    if not old_parts:
        return None
    lines = []
    for old_part in old_parts:
        rejected = old_part.inspection_result in REJECTED_FINDINGS
        lines.append(
            ClaimLine(
                claim=claim,
                old_part=old_part,
                quantity=old_part.quantity,
                unit_cost=old_part.unit_cost,
                amount=line_amount(old_part.quantity, old_part.unit_cost),
                decision=LineDecision.REJECTED if rejected else LineDecision.PENDING,
                reason=_finding_reason(old_part.inspection_result) if rejected else "",
            )
        )
    ClaimLine.objects.bulk_create(lines)
    claim.claimed_total = total(claim.lines.values_list("amount", flat=True))
    claim.save(update_fields=["claimed_total", "updated_at"])
    claim_step(
        claim,
        action="build",
        actor=actor,
        note=_("%(count)d old parts, %(amount)s")
        % {"count": len(lines), "amount": yuan(total(line.amount for line in lines))},
    )
    return claim


def claims_build_due(*, today: date | None = None) -> list[ReimbursementClaim]:
    """R31, the monthly job (on PARTS_CLAIM_DAY): the claims of the previous month."""
    return claims_build(month=previous_month(today or timezone.localdate()))


# --- review -----------------------------------------------------------------------------------------------


@transaction.atomic
def claim_line_decide(*, line_id: int, decision: str, actor, reason: str = "") -> ClaimLine:
    """R31: HQ approves a claim line, or rejects it with the reason, while the claim is in review
    (409 `claim_not_in_review` otherwise; 403 for anyone but HQ's reviewers)."""
    claim_id = ClaimLine.objects.filter(pk=line_id).values_list("claim_id", flat=True).first()
    if claim_id is None:
        raise DomainError(_("No such claim line."), code="invalid", field="line")
    claim = CLAIM.lock(claim_id)
    if claim.state != ClaimState.IN_REVIEW:
        raise TransitionNotAllowed(
            _("The claim is no longer in review: reopen it to change its lines."), code="claim_not_in_review"
        )
    if not CLAIM.permits(REVIEW_CLAIM, actor, claim):
        raise NotPermitted(_("Only HQ reviews reimbursement claims."))
    if decision not in (LineDecision.APPROVED, LineDecision.REJECTED):
        raise DomainError(_("Approve or reject the line."), code="invalid", field="decision")
    reason = (reason or "").strip()[:255]
    if decision == LineDecision.REJECTED and not reason:
        raise DomainError(_("Say why the line is rejected."), code="required", field="reason")
    line = ClaimLine.objects.select_related("old_part").get(pk=line_id)
    line.decision, line.reason = decision, reason
    line.save(update_fields=["decision", "reason"])
    label = LineDecision(decision).label
    claim_step(
        claim,
        action=f"line_{'approve' if decision == LineDecision.APPROVED else 'reject'}",
        actor=actor,
        note=f"{line.old_part.number} {label}" + (f": {reason}" if reason else ""),
    )
    return line


def claim_transition(*, claim_id: int, action: str, actor, **inputs) -> ReimbursementClaim:
    """R31: approve (every line decided), credit the dealer's account (once), or reopen the
    review of an approved claim (with the reason)."""
    return transition_run(CLAIM, pk=claim_id, action=action, actor=actor, inputs=inputs)


@OLD_PART.register_hook
def _finding_proposes_rejection(run: TransitionRun) -> None:
    """R31: an old part HQ finds not faulty or not matching, on a claim still in review with its
    line undecided, has that line proposed rejected."""
    old_part = run.obj
    if run.transition.name != "inspect" or old_part.inspection_result not in REJECTED_FINDINGS:
        return
    ClaimLine.objects.filter(
        old_part=old_part, decision=LineDecision.PENDING, claim__state=ClaimState.IN_REVIEW
    ).update(decision=LineDecision.REJECTED, reason=_finding_reason(old_part.inspection_result))
