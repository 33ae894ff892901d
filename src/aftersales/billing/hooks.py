"""What billing adds to the work-order lifecycle and page: a work order does not close while the
customer owes money (R10, R15), and the quote and settlement panel (money tab). Importing
`services` puts the quote machine's own hooks in place (the next version on "revise")."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.complaints.selectors import register_work_order_value
from aftersales.core.errors import TransitionNotAllowed
from aftersales.core.money import yuan
from aftersales.parts.selectors_dealers import FlaggedCharge, register_statement_flags
from aftersales.workorders.hooks import (
    detail_url,
    register_demo_seeder,
    register_detail_panel,
    register_transition_guard,
)

from . import panels, services
from .choices import QuoteState
from .models import Quote
from .selectors import unapproved_fee_lines


@register_transition_guard
def money_settled_before_close(*, work_order, transition, actor) -> None:
    """R10, R15: closing waits until what the customer owes is paid or waived."""
    if transition.name != "close":
        return
    owed = services.money_open(work_order)
    if owed > 0:
        raise TransitionNotAllowed(
            _(
                "The customer still owes %(amount)s on this work order: take the payment, or have a "
                "supervisor waive it, before closing."
            )
            % {"amount": yuan(owed)},
            code="money_open",
        )


@register_work_order_value
def quote_total() -> Subquery:
    """R27 "high value": the total of the work order's latest quote that was not replaced."""
    latest = (
        Quote.objects.filter(work_order_id=OuterRef("pk"))
        .exclude(state=QuoteState.REVISED)
        .order_by("-version")
    )
    return Subquery(latest.values("total")[:1])


@register_demo_seeder
def billing_demo(*, rng, now) -> None:
    from .demo import seed

    seed(rng=rng, now=now)


register_detail_panel("billing/_quote_panel.html", panels.quote_panel, order=20, tab="money")


@register_statement_flags
def unapproved_fees_charged(dealer_id: int, start, end) -> list[FlaggedCharge]:
    """R30: the fees the dealer's service points charged in [start, end) on a fee standard HQ had
    not approved, on its monthly statement."""
    lines = unapproved_fee_lines().filter(
        fee_schedule__dealer_id=dealer_id, created_at__gte=start, created_at__lt=end
    )
    return [
        FlaggedCharge(
            day=timezone.localtime(line.created_at).date(),
            document=line.quote.work_order.number,
            description=line.description,
            amount=line.amount,
            reason=_("%(schedule)s: %(state)s")
            % {"schedule": line.fee_schedule.name, "state": line.fee_schedule.get_approval_state_display()},
            url=detail_url(line.quote.work_order_id, "money", "quote"),
        )
        for line in lines.order_by("created_at", "pk")
    ]
