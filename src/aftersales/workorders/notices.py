"""R3: what the customer is told when the request is accepted."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import customer_message_queue

from . import hooks
from .events import NOTIFICATION, event_record
from .models import WorkOrder

# R3, R34: the promised feedback time when no app tells one (`hooks.register_feedback_promise`;
# the SLA app gives the first-response due time of the work order's policy and calendar).
FIRST_FEEDBACK_HOURS = 24


def acknowledgement_queue(*, work_order: WorkOrder) -> None:
    """R3: on acceptance the customer is told the number and when to expect the next feedback.

    Sent by SMS to the contact phone and by email when the customer has an address, written in the
    company's language whatever language the agent's screen is in; queued on commit through the
    outbox, so a rolled-back acceptance sends nothing. The timeline says what was promised, in
    the reader's language."""
    promised = timezone.localtime(
        hooks.feedback_promise(work_order) or timezone.now() + timedelta(hours=FIRST_FEEDBACK_HOURS)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your service request %(number)s has been accepted") % {"number": work_order.number}
        body = _(
            "Dear %(name)s, your service request %(number)s has been accepted. "
            "We will get back to you by %(promised)s."
        ) % {
            "name": work_order.contact_name,
            "number": work_order.number,
            "promised": promised.strftime("%Y-%m-%d %H:%M"),
        }
    queued = customer_message_queue(
        phone=work_order.contact_phone,
        email=work_order.customer.email,
        subject=subject,
        body=body,
        key_prefix=f"ack:{work_order.number}",
    )
    channels = [MessageChannel(message.channel) for message in queued]
    event_record(
        work_order,
        kind=NOTIFICATION,
        action="acknowledgement",
        params={
            "number": work_order.number,
            "promised": promised,
            "channels": [channel.label for channel in channels],
        },
    )
