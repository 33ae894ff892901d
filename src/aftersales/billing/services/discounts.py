"""Discount rules on quotes (R35): loyal customers and channel partners get the discounts HQ
configured, each as its own line of the draft quote naming its rule, so the customer sees what
was taken off and why. Applying again replaces the rules' lines (prices may have changed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.money import cny, total, yuan
from aftersales.devices.choices import Payer
from aftersales.devices.entitlement import contract_for
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder

from ..choices import DiscountScope, LineKind
from ..models import DiscountRule, Quote, QuoteLine
from .quotes import _draft_locked, _event, _totals_update

# The kinds of line each scope takes its percentage of.
SCOPE_KINDS: dict[str, frozenset[str]] = {
    DiscountScope.ALL: frozenset(LineKind.values) - {LineKind.DISCOUNT},
    DiscountScope.LABOUR: frozenset({LineKind.DIAGNOSIS, LineKind.VISIT, LineKind.LABOUR, LineKind.TRAVEL}),
    DiscountScope.PARTS: frozenset({LineKind.PART}),
}


def rules_for(work_order: WorkOrder, *, day: date) -> list[DiscountRule]:
    """R35: the active rules valid on `day` whose every condition the work order meets."""
    rules = DiscountRule.objects.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )
    point = work_order.service_point if work_order.service_point_id else None
    dealer_id = point.dealer_id if point is not None else None
    earlier: int | None = None
    contract = None
    matching = []
    for rule in rules.order_by("name", "pk"):
        if rule.dealer_id is not None and rule.dealer_id != dealer_id:
            continue
        if rule.min_earlier_work_orders:
            if earlier is None:
                earlier = (
                    WorkOrder.objects.filter(customer_id=work_order.customer_id, state=State.CLOSED)
                    .exclude(pk=work_order.pk)
                    .count()
                )
            if earlier < rule.min_earlier_work_orders:
                continue
        if rule.under_contract:
            contract = contract or contract_for(work_order.device if work_order.device_id else None, day=day)
            if contract is None:
                continue
        matching.append(rule)
    return matching


@transaction.atomic
def quote_discounts_apply(*, quote_id: int, actor) -> Quote:
    """R35: the discount rules the work order meets, each a discount line of the draft: its
    percentage of what the customer pays on the lines of its scope, rounded half up (lines the
    warranty or a contract pays are not discounted). Lines of rules applied before are replaced."""
    quote = _draft_locked(quote_id, actor)
    quote.lines.filter(discount_rule__isnull=False).delete()
    lines = list(quote.lines.all())
    position = max((line.position for line in lines), default=0)
    added = []
    for rule in rules_for(quote.work_order, day=timezone.localdate()):
        base = total(
            line.amount
            for line in lines
            if line.payer == Payer.CUSTOMER and line.kind in SCOPE_KINDS[rule.scope]
        )
        amount = cny(base * rule.percent / Decimal(100))
        if amount <= 0:
            continue
        position += 1
        line = QuoteLine(
            quote=quote,
            position=position,
            kind=LineKind.DISCOUNT,
            description=_("%(rule)s (%(percent)s%% off %(scope)s)")
            % {
                "rule": rule.name,
                "percent": f"{rule.percent.normalize():f}",
                "scope": DiscountScope(rule.scope).label,
            },
            unit_price=-amount,
            amount=-amount,
            payer=Payer.CUSTOMER,
            cover_reason=_("Discount rule “%(rule)s”.") % {"rule": rule.name},
            discount_rule=rule,
        )
        line.full_clean()
        line.save()
        added.append(line)
    _totals_update(quote)
    for line in added:
        _event(
            quote,
            actor,
            "quote_line_add",
            line=line.description,
            amount=yuan(line.amount),
            payer=Payer.CUSTOMER.label,
        )
    return quote


__all__ = ["quote_discounts_apply", "rules_for"]
