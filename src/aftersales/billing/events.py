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
