"""Reorder alerts (R32) and the nightly ledger check.

A reorder rule keeps at least `minimum` of a part in a warehouse, by projected quantity (on hand +
in transit − reserved: what is already on its way counts). `alerts_check` runs after every posting
(`services.stock.post`) with the balances it touched:

- projected at or below the minimum and no open alert: one `StockAlert` is opened, suggesting an
  order up to the rule's target, and the parts clerks (and the staff of the warehouse's dealer) are
  told under the bell and by e-mail, once: the alert is the crossing, the notice is keyed by it;
- projected back above the minimum: the open alert is resolved;
- anything in between (still low, still fine) changes nothing, so a busy part raises one alert per
  crossing, not one per movement.

It costs one query when no touched balance has a rule (the usual case): the balances are read
again with their rule and open alert (current values, whatever the caller holds), and an alert is
written only when a crossing happens. A race between two postings is settled by the database
(one open alert per part and warehouse).

`ledger_check` is the nightly proof that every balance is the sum of its moves (R32, R41): a
mismatch is reported to the HQ admins, never "fixed".
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.catalog.models import Part
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.core.services import changes_record, snapshot
from aftersales.notifications.choices import Channel
from aftersales.notifications.services import Notice, OutgoingMessage, messages_queue, notify_many

from ..models import ReorderRule, StockAlert, StockBalance, Warehouse
from ..selectors_stock import LedgerMismatch, ledger_mismatches, warehouse_dealer_id

logger = logging.getLogger(__name__)

ALERT_TITLE = gettext_lazy("Low stock: %(part)s in %(warehouse)s")
ALERT_BODY = gettext_lazy(
    "%(projected)s projected (on hand, in transit, less reserved), reorder point %(minimum)s: "
    "order %(suggested)s to reach %(target)s."
)
MISMATCH_TITLE = gettext_lazy("Stock ledger mismatch: %(part)s in %(warehouse)s")
MISMATCH_BODY = gettext_lazy(
    "The balance says %(on_hand)s units worth %(value)s; its moves add up to %(ledger_quantity)s "
    "units worth %(ledger_value)s. Nothing was changed: find the cause."
)


def _with_rule(queryset):
    rule = ReorderRule.objects.filter(warehouse_id=OuterRef("warehouse_id"), part_id=OuterRef("part_id"))
    open_alert = StockAlert.objects.filter(
        warehouse_id=OuterRef("warehouse_id"), part_id=OuterRef("part_id"), resolved_at__isnull=True
    )
    return queryset.annotate(
        rule_minimum=Subquery(rule.values("minimum")[:1]),
        rule_target=Subquery(rule.values("target")[:1]),
        open_alert_id=Subquery(open_alert.values("pk")[:1]),
    ).filter(rule_minimum__isnull=False)


def alerts_check(balances: Iterable[StockBalance]) -> list[StockAlert]:
    """Raise or resolve the stock alerts of the balances a posting changed (see the module
    docstring); returns the alerts opened."""
    ids = [balance.pk for balance in balances if balance.pk is not None]
    if not ids:
        return []
    rows = list(_with_rule(StockBalance.objects.filter(pk__in=ids)))
    if not rows:
        return []
    now = timezone.now()
    opened: list[StockAlert] = []
    for row in rows:
        projected = row.on_hand + row.in_transit - row.reserved
        if projected <= row.rule_minimum and row.open_alert_id is None:
            alert = StockAlert(
                warehouse_id=row.warehouse_id,
                part_id=row.part_id,
                projected=projected,
                minimum=row.rule_minimum,
                suggested_quantity=max(row.rule_target - projected, 1),
            )
            try:
                with transaction.atomic():  # another posting may have opened it a moment ago
                    alert.save()
            except IntegrityError:
                continue
            opened.append(alert)
        elif projected > row.rule_minimum and row.open_alert_id is not None:
            StockAlert.objects.filter(pk=row.open_alert_id, resolved_at__isnull=True).update(
                resolved_at=now, projected=projected, updated_at=now
            )
    if opened:
        _tell(opened, {row.pk: row for row in rows})
    return opened


def _alert_recipients(warehouses: dict[int, Warehouse]) -> dict[int, list[User]]:
    """The parts clerks for every warehouse, and a dealer's staff for their dealer's (one query)."""
    dealers = {pk: warehouse_dealer_id(w) for pk, w in warehouses.items()}
    wanted = {dealer for dealer in dealers.values() if dealer}
    users = list(
        User.objects.filter(is_active=True).filter(
            Q(role=Role.PARTS_CLERK) | Q(role=Role.DEALER_STAFF, dealer_id__in=wanted)
        )
    )
    clerks = [user for user in users if user.role == Role.PARTS_CLERK]
    by_dealer: dict[int, list[User]] = defaultdict(list)
    for user in users:
        if user.role == Role.DEALER_STAFF and user.dealer_id:
            by_dealer[user.dealer_id].append(user)
    return {pk: clerks + by_dealer.get(dealers[pk] or 0, []) for pk in warehouses}


def _tell(alerts: list[StockAlert], rows: dict[int, StockBalance]) -> None:
    """R32: each alert opened, under the bell of the people who reorder, and by e-mail."""
    warehouses = {
        w.pk: w
        for w in Warehouse.objects.select_related("service_point", "engineer__service_point").filter(
            pk__in={a.warehouse_id for a in alerts}
        )
    }
    parts = Part.objects.in_bulk({a.part_id for a in alerts})
    recipients = _alert_recipients(warehouses)
    targets = {(row.warehouse_id, row.part_id): getattr(row, "rule_target", "") for row in rows.values()}
    notices, emails = [], []
    for alert in alerts:
        warehouse, part = warehouses[alert.warehouse_id], parts[alert.part_id]
        notice = Notice(
            recipients=tuple(recipients[alert.warehouse_id]),
            title=ALERT_TITLE,
            body=ALERT_BODY,
            url=f"{reverse('parts:alert_list')}?warehouse={warehouse.pk}&open=true",
            key=f"stock-alert:{alert.pk}",
            params={
                "part": f"{part.number} {part.name}",
                "warehouse": warehouse.name,
                "projected": alert.projected,
                "minimum": alert.minimum,
                "suggested": alert.suggested_quantity,
                "target": targets.get((alert.warehouse_id, alert.part_id), ""),
            },
        )
        notices.append(notice)
        emails += _emails(notice)
    notify_many(notices)
    messages_queue(emails)


def _emails(notice: Notice) -> list[OutgoingMessage]:
    """The notice by e-mail to each recipient with an address, in their language."""
    stored = notice.message()
    emails = []
    recipients: tuple[Any, ...] = notice.recipients  # staff users (accounts.User)
    for user in recipients:
        if user.email:
            subject, body = notice.text_in(user.language or settings.LANGUAGE_CODE, stored)
            emails.append(
                OutgoingMessage(
                    channel=Channel.EMAIL,
                    recipient=user.email,
                    subject=subject,
                    body=body,
                    key=f"{notice.key}:{user.pk}:email",
                )
            )
    return emails


# --- reorder rules -----------------------------------------------------------------------------------


def _rule_check(actor, warehouse: Warehouse, minimum: int, target: int) -> None:
    from ..transitions import may_write_stock

    if not may_write_stock(actor, warehouse):
        raise NotPermitted(_("You may not keep the stock of %(warehouse)s.") % {"warehouse": warehouse.name})
    for name, value in (("minimum", minimum), ("target", target)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DomainError(_("Enter a whole number of at least 0."), code="invalid_quantity", field=name)
    if target <= minimum:
        raise DomainError(
            _("Order up to a quantity above the reorder point."), code="invalid", field="target"
        )


def _recheck(warehouse_id: int, part_id: int) -> None:
    """A rule changed: the part's balance is checked against it at once."""
    balance = StockBalance.objects.filter(warehouse_id=warehouse_id, part_id=part_id).first()
    if balance is not None:
        alerts_check([balance])


RULE_FIELDS = ("minimum", "target")


@transaction.atomic
def reorder_rule_create(*, warehouse: Warehouse, part: Part, minimum: int, target: int, actor) -> ReorderRule:
    """R32: keep at least `minimum` of `part` in `warehouse`, ordering up to `target`; the part is
    checked against it at once (an alert opens if it is already low)."""
    _rule_check(actor, warehouse, minimum, target)
    if ReorderRule.objects.filter(warehouse=warehouse, part=part).exists():
        raise DomainError(
            _("This warehouse already has a reorder rule for this part: change it instead."),
            code="rule_exists",
            field="part",
        )
    rule = ReorderRule.objects.create(warehouse=warehouse, part=part, minimum=minimum, target=target)
    changes_record(instance=rule, before={}, after=snapshot(rule, RULE_FIELDS), actor=actor)
    _recheck(warehouse.pk, part.pk)
    return rule


@transaction.atomic
def reorder_rule_update(*, rule_id: int, minimum: int, target: int, actor) -> ReorderRule:
    """R32: a rule's reorder point and order-up-to quantity changed (in its history, R41); the part
    is checked against it at once."""
    rule = ReorderRule.objects.select_for_update().select_related("warehouse").get(pk=rule_id)
    _rule_check(actor, rule.warehouse, minimum, target)
    before = snapshot(rule, RULE_FIELDS)
    rule.minimum, rule.target = minimum, target
    rule.save(update_fields=["minimum", "target", "updated_at"])
    changes_record(instance=rule, before=before, after=snapshot(rule, RULE_FIELDS), actor=actor)
    _recheck(rule.warehouse_id, rule.part_id)
    return rule


@transaction.atomic
def reorder_rule_delete(*, rule_id: int, actor) -> None:
    """R32: a rule dropped; its open alert, if any, is resolved."""
    rule = ReorderRule.objects.select_for_update().select_related("warehouse").get(pk=rule_id)
    _rule_check(actor, rule.warehouse, rule.minimum, rule.target)
    changes_record(instance=rule, before=snapshot(rule, RULE_FIELDS), after={}, actor=actor)
    now = timezone.now()
    StockAlert.objects.filter(
        warehouse_id=rule.warehouse_id, part_id=rule.part_id, resolved_at__isnull=True
    ).update(resolved_at=now, updated_at=now)
    rule.delete()


# --- the nightly ledger check --------------------------------------------------------------------------


def ledger_check() -> list[LedgerMismatch]:
    """R32, R41: every balance equals the sum of its moves; each mismatch is told to the HQ
    admins under the bell (once a day per balance) and logged. Nothing is corrected here."""
    mismatches = ledger_mismatches()
    if not mismatches:
        return []
    admins = list(User.objects.filter(is_active=True, role=Role.HQ_ADMIN))
    warehouses = Warehouse.objects.in_bulk({m.warehouse_id for m in mismatches})
    parts = Part.objects.in_bulk({m.part_id for m in mismatches})
    today = timezone.localdate()
    notices = []
    for mismatch in mismatches:
        warehouse, part = warehouses[mismatch.warehouse_id], parts[mismatch.part_id]
        logger.error(
            "stock ledger mismatch: balance %s (warehouse %s, part %s) says %s / %s, the moves %s / %s",
            mismatch.balance_id,
            warehouse.code,
            part.number,
            mismatch.on_hand,
            mismatch.value,
            mismatch.ledger_quantity,
            mismatch.ledger_value,
        )
        notices.append(
            Notice(
                recipients=tuple(admins),
                title=MISMATCH_TITLE,
                body=MISMATCH_BODY,
                url=f"{reverse('parts:move_list')}?warehouse={warehouse.pk}&part={part.pk}",
                key=f"stock-ledger:{mismatch.balance_id}:{today:%Y%m%d}",
                params={
                    "part": f"{part.number} {part.name}",
                    "warehouse": warehouse.name,
                    "on_hand": mismatch.on_hand,
                    "value": str(mismatch.value),
                    "ledger_quantity": mismatch.ledger_quantity,
                    "ledger_value": str(mismatch.ledger_value),
                },
            )
        )
    notify_many(notices)
    return mismatches
