"""The rules of returns and exchanges (R33): read the company's `ReturnPolicy` and check a request
against it. The check runs when the request is submitted and again when it is approved
(`transitions.RETURN_REQUEST`); a request that breaks a rule is refused with a message naming the
rule, its limit and the request's own facts, unless a supervisor waived that rule (an exception
with a reason, recorded on the request).

The day a request is judged on is the day it was submitted (today, for a draft): a customer who
asked in time is not refused because the review took a few days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError

from .choices import ItemCondition, ReturnKind, Rule
from .models import ReturnPolicy, ReturnRequest


@dataclass(frozen=True)
class Breach:
    """One rule a request breaks: the rule (a `Rule`), its stable code, the input at fault and the
    message for people."""

    rule: str
    code: str
    field: str
    message: str


class RulesBroken(DomainError):
    """R33: the request breaks the rules (409): every breach in the message, the first one's code
    and field for integrators."""

    status = 409
    default_code = "return_window_passed"

    def __init__(self, breaches: list[Breach]):
        first = breaches[0]
        super().__init__(" ".join(b.message for b in breaches), code=first.code, field=first.field)
        self.breaches = breaches


def policy_current() -> ReturnPolicy:
    """The rules in force: HQ's saved row, else the defaults of the settings (not saved)."""
    policy = ReturnPolicy.objects.order_by("pk").first()
    return policy if policy is not None else ReturnPolicy()


def conditions_text(values: list[str]) -> str:
    labels = dict(ItemCondition.choices)
    return "、".join(str(labels.get(value, value)) for value in values)


def allowed_conditions(policy: ReturnPolicy, kind: str) -> list[str]:
    return list(policy.exchange_conditions if kind == ReturnKind.EXCHANGE else policy.return_conditions)


def limit_days(policy: ReturnPolicy, kind: str) -> int:
    return policy.exchange_days if kind == ReturnKind.EXCHANGE else policy.return_days


def judged_on(request: ReturnRequest) -> date:
    """The day the request is judged on: the day it was submitted, today for a draft."""
    moment = request.submitted_at or timezone.now()
    return timezone.localtime(moment).date()


def rules_check(request: ReturnRequest, *, policy: ReturnPolicy, on: date) -> list[Breach]:
    """Every rule `request` breaks on the day `on`, in the order of the form (none: it may go on)."""
    breaches: list[Breach] = []
    days = limit_days(policy, request.kind)
    if request.purchase_date is None:
        breaches.append(
            Breach(
                Rule.PURCHASE_DATE,
                "return_purchase_date_missing",
                "purchase_date",
                _("Purchase date: it is needed to check the %(days)d-day time limit.") % {"days": days},
            )
        )
    else:
        elapsed = (on - request.purchase_date).days
        if elapsed > days:
            breaches.append(
                Breach(
                    Rule.WINDOW,
                    "return_window_passed",
                    "purchase_date",
                    _(
                        "Time limit: “%(kind)s” is accepted within %(days)d days of purchase; the product "
                        "was bought on %(purchased)s and the request made on %(on)s, %(elapsed)d days later."
                    )
                    % {
                        "kind": ReturnKind(request.kind).label,
                        "days": days,
                        "purchased": request.purchase_date.isoformat(),
                        "on": on.isoformat(),
                        "elapsed": elapsed,
                    },
                )
            )
    accepted = allowed_conditions(policy, request.kind)
    if request.condition not in accepted:
        condition = dict(ItemCondition.choices).get(request.condition, request.condition)
        breaches.append(
            Breach(
                Rule.CONDITION,
                "return_condition_not_accepted",
                "condition",
                _(
                    "Condition: “%(kind)s” is accepted for a product that is %(accepted)s; "
                    "it is “%(condition)s”."
                )
                % {
                    "kind": ReturnKind(request.kind).label,
                    "accepted": conditions_text(accepted) or "—",
                    "condition": condition,
                },
            )
        )
    if policy.proof_required and not request.proof_of_purchase.strip():
        breaches.append(
            Breach(
                Rule.PROOF,
                "return_proof_missing",
                "proof_of_purchase",
                _("Proof of purchase: the rules ask for the invoice or receipt number; none was given."),
            )
        )
    return breaches


def breaches_open(request: ReturnRequest, *, policy: ReturnPolicy | None = None) -> list[Breach]:
    """The breaches on the day the request is judged on that no exception waived."""
    breaches = rules_check(request, policy=policy or policy_current(), on=judged_on(request))
    waived = set(request.exception_rules or [])
    return [breach for breach in breaches if breach.rule not in waived]


def rules_enforce(request: ReturnRequest) -> None:
    """R33: refuse (409, naming every rule broken) unless the request keeps the rules or a
    supervisor waived those it breaks."""
    breaches = breaches_open(request)
    if breaches:
        raise RulesBroken(breaches)
