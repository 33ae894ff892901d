"""What the customer is told about their visit (R12): an SMS to the work order's contact when a
visit is booked, moved, given to another engineer or cancelled, in the company's language, queued
to leave once the change is committed."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import customer_message_queue

from .models import Appointment

BOOK, RESCHEDULE, ENGINEER, CANCEL = "book", "reschedule", "engineer", "cancel"


def appointment_notice_queue(appointment: Appointment, *, change: str) -> str:
    """Queue the SMS about `change` (book, reschedule, engineer, cancel) to the work order's
    contact; returns the text. Idempotent per appointment version (`appt:<id>:<version>`)."""
    work_order = appointment.work_order
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "name": work_order.contact_name,
            "number": work_order.number,
            "date": f"{appointment.date:%Y-%m-%d}",
            "start": f"{appointment.window_start:%H:%M}",
            "end": f"{appointment.window_end:%H:%M}",
            "engineer": appointment.engineer,
            "reason": appointment.reason,
        }
        if change == BOOK:
            subject = _("Visit booked for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, our engineer %(engineer)s will visit you for service request %(number)s "
                    "on %(date)s between %(start)s and %(end)s."
                )
                % values
            )
        elif change == RESCHEDULE:
            subject = _("Visit rescheduled for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, the visit for service request %(number)s has been moved to %(date)s "
                    "between %(start)s and %(end)s (%(reason)s)."
                )
                % values
            )
        elif change == ENGINEER:
            subject = _("Engineer changed for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, the visit for service request %(number)s on %(date)s between %(start)s "
                    "and %(end)s will be made by our engineer %(engineer)s."
                )
                % values
            )
        else:
            subject = _("Visit cancelled for %(number)s") % values
            body = (
                _(
                    "Dear %(name)s, the visit for service request %(number)s on %(date)s between %(start)s "
                    "and %(end)s has been cancelled (%(reason)s)."
                )
                % values
            )
    customer_message_queue(
        phone=work_order.contact_phone,
        subject=subject,
        body=body,
        key_prefix=f"appt:{appointment.pk}",
        key_suffixes={MessageChannel.SMS: str(appointment.version)},
    )
    return body
