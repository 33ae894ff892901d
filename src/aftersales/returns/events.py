"""What a return or exchange writes on its work order's timeline (R33, R41): one event per step,
naming the request and its two states; the texts below for the steps worth a sentence."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

RETURN_REQUEST = register_event_type(
    "return_request",
    _("Return / exchange"),
    icon="bi-arrow-left-right",
    texts={
        "return_request_create": _("%(record)s drawn up: %(kind)s, %(reason)s"),
        "return_request_submit": _("%(record)s submitted for review: %(kind)s"),
        "return_request_grant_exception": _("%(record)s: exception to the rules (%(rules)s)"),
        "return_request_approve": _("%(record)s approved: %(kind)s"),
        "return_request_refuse": _("%(record)s refused"),
        "return_request_pickup": _("%(record)s picked up: %(carrier)s %(tracking)s"),
        "return_request_receive": _("%(record)s received and inspected: %(inspection)s"),
        "return_request_refund": _("%(record)s refunded: %(amount)s (%(method)s)"),
        "return_request_ship_replacement": _("%(record)s replacement shipped: %(carrier)s %(tracking)s"),
        "return_request_deliver": _("%(record)s replacement delivered"),
        "return_request_follow_up": _("%(record)s followed up with the customer"),
        "return_request_close": _("%(record)s closed"),
        "return_request_cancel": _("%(record)s cancelled"),
    },
)
