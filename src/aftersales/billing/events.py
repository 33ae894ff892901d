"""The billing app's kinds of timeline event and what their events say (R8, R9, R41). Amounts are
in the parameters as text (¥1,234.50), so the timeline shows every amount change."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

QUOTE = register_event_type(
    "quote",
    _("Quote"),
    icon="bi-receipt",
    texts={
        "quote_create": _("%(record)s drawn up"),
        "quote_awaits_authorisation": _(
            "%(record)s drawn up; it needs a supervisor's authorisation before it is sent"
        ),
        "quote_line_add": _("%(record)s: line “%(line)s” added, %(amount)s (%(payer)s); total %(total)s"),
        "quote_line_update": _("%(record)s: line “%(line)s” changed to %(amount)s; total %(total)s"),
        "quote_line_remove": _("%(record)s: line “%(line)s” removed; total %(total)s"),
        "quote_send": _(
            "%(record)s sent to the customer by %(channel)s: the customer pays %(customer_total)s"
        ),
        "quote_approve": _(
            "%(record)s approved by %(approved_by)s (%(method)s): the customer pays %(customer_total)s"
        ),
        "quote_reject": _("%(record)s rejected by the customer"),
        "quote_revise": _("%(record)s replaced by a revision"),
        "quote_authorise": _("Revision %(record)s authorised"),
    },
)
SETTLEMENT = register_event_type(
    "settlement",
    _("Settlement"),
    icon="bi-cash-coin",
    texts={
        "settlement_create": _("Fees settled from %(quote)s: the customer owes %(customer_total)s"),
        "settlement_line_lowered": _("%(line)s settled at %(amount)s instead of %(quoted)s"),
        "payment_record": _("%(amount)s received by %(method)s, receipt %(receipt)s; still owed %(balance)s"),
        "refund_record": _("%(amount)s refunded by %(method)s, voucher %(receipt)s; still owed %(balance)s"),
        "settlement_request_decision": _("%(request)s: %(amount)s; the work order waits for a supervisor"),
        "settlement_decide": _("Fee decision: %(decision)s, %(amount)s waived; still owed %(balance)s"),
        "settlement_settle": _("Fees settled in full"),
        "settlement_reopen": _("Fees owed again: %(balance)s"),
    },
)
INVOICE = register_event_type(
    "invoice",
    _("Invoice"),
    icon="bi-file-earmark-text",
    texts={
        "invoice_request": _("Invoice asked for: %(type)s to %(title)s, %(amount)s, due by %(due)s"),
        "invoice_issue": _("Invoice %(number)s issued for %(amount)s"),
        "invoice_send": _("Invoice %(number)s sent to the customer"),
        "invoice_cancel": _("Invoice request cancelled"),
        "invoice_reminder": _("Invoice for %(amount)s not sent yet: it was due by %(due)s"),
    },
)
