"""Complaints (R26): registered on the complaint form (客户投诉处理单), assessed, analysed, handled,
fed back to the customer, the people involved and their supervisors, closed and archived. The
steps are the `COMPLAINT` machine's (transitions.py); notices and messages leave after the commit
through the outbox. Who is told comes from `accounts.selectors.staff_routing`; what they are told
is a message of `events.py`, shown in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.accounts.selectors import StaffRouting, staff_routing
from aftersales.core.errors import NotPermitted
from aftersales.core.phones import phone_display, phone_normalize
from aftersales.core.services import number_next
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.customers.models import Customer
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import (
    Notice,
    customer_message_queue,
    message_queue,
    notify,
    notify_many,
)
from aftersales.sla.choices import WARNING_SHARE
from aftersales.sla.selectors import working_time_of
from aftersales.workorders.models import WorkOrder

from ..choices import ComplaintCategory, ComplaintSource, Severity
from ..events import FEEDBACK_BODY, FEEDBACK_TITLE, REGISTERED_BODY, REGISTERED_TITLE
from ..models import Complaint
from ..selectors import response_budget
from ..transitions import COMPLAINT, complaint_step_record, may_register


def company_language():
    """Messages to customers are written in the company's language, whatever the actor's screen
    (notices under the bell and staff messages are in each reader's language)."""
    return translation.override(settings.LANGUAGE_CODE)


def complaint_url(complaint: Complaint) -> str:
    """The complaint's page, the link of its notices."""
    return reverse("complaints:complaint_detail", args=[complaint.pk])


def response_due(
    *, severity: str, start: datetime, work_order: WorkOrder | None
) -> tuple[datetime, datetime]:
    """R26: (due, at risk from) for a complaint of `severity` registered at `start`: the budget of
    its severity on the working calendar of the work order's service point (else the company
    default); at risk once 75 % of the budget is used."""
    budget, business = response_budget(severity)
    if not business:
        return start + budget, start + budget * WARNING_SHARE
    working_time = working_time_of(work_order)  # the service point's calendar, else the default
    return (
        working_time.add_business_time(start, budget),
        working_time.add_business_time(start, budget * WARNING_SHARE),
    )


@transaction.atomic
def complaint_register(
    *,
    work_order: WorkOrder | None,
    source: str,
    category: str,
    severity: str,
    description: str,
    actor,
    people: Iterable[User] = (),
    customer: Customer | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Complaint:
    """R26: register a complaint on the complaint form (客户投诉处理单).

    From a return visit (`source="return_visit"`, by whoever ran the visit), the hotline or the
    portal; with a work order (the customer and the complainant default to its customer and
    contact) or, from the hotline, without one (then the customer is required). `people` are the
    staff involved. The response is due by the severity's budget on the working calendar; the
    assessors are notified and the complainant gets an acknowledgement by SMS."""
    if actor is not None and source != ComplaintSource.RETURN_VISIT and not may_register(actor):
        raise NotPermitted(_("Your role may not register complaints."))
    errors: dict[str, list[ValidationError]] = {}  # with their codes
    if work_order is not None:
        if customer is not None and customer.pk != work_order.customer_id:
            errors["customer"] = [
                ValidationError(_("The customer is not the work order's customer."), code="customer_mismatch")
            ]
        customer = work_order.customer
        contact_name = contact_name.strip() or work_order.contact_name
        contact_phone = contact_phone.strip() or work_order.contact_phone
    elif customer is None:
        errors["customer"] = [
            ValidationError(
                _("Choose the customer, or link the complaint to a work order."), code="customer_required"
            )
        ]
    if contact_phone:
        try:
            contact_phone = phone_normalize(contact_phone)
        except ValidationError as error:
            errors["contact_phone"] = error.error_list
    now = timezone.now()
    complaint = Complaint(
        source=source,
        category=category,
        severity=severity,
        customer=customer,
        work_order=work_order,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone,
        description=(description or "").strip(),
        created_by=actor,
        number="-",
        response_due_at=now,
        response_warn_at=now,
    )
    try:
        complaint.full_clean(exclude=["number", "created_by", *errors])
    except ValidationError as error:
        for name, found in error.error_dict.items():
            errors.setdefault(name, []).extend(found)
    if errors:
        raise ValidationError(errors)
    complaint.response_due_at, complaint.response_warn_at = response_due(
        severity=severity, start=now, work_order=work_order
    )
    complaint.number = number_next(prefix="CP")
    complaint.save()
    complaint.people.set(list(people))
    params = {
        "category": ComplaintCategory(category).label,
        "severity": Severity(severity).label,
        "due": complaint.response_due_at,
    }
    complaint_step_record(complaint, actor=actor, action="register", from_state="", params=params)
    _registered_notify(complaint, routing=staff_routing())
    return complaint


def _registered_notify(complaint: Complaint, *, routing: StaffRouting) -> None:
    """The assessors (quality and the supervisors; HQ admins see the list) see the new complaint
    under the bell, in their language; the complainant gets the number and the time by which we
    answer, in the company's language."""
    notify(
        recipients=[*routing.quality, *routing.supervisors],
        title=REGISTERED_TITLE,
        body=REGISTERED_BODY,
        url=complaint_url(complaint),
        key=f"complaint:{complaint.pk}:registered",
        params={
            "number": complaint.number,
            "severity": Severity(complaint.severity).label,
            "customer": complaint.customer.name,
            "description": complaint.description[:200],
            "due": complaint.response_due_at,
        },
    )
    due = timezone.localtime(complaint.response_due_at).strftime("%Y-%m-%d %H:%M")
    with company_language():
        customer_message_queue(  # by SMS only
            phone=complaint.contact_phone,
            subject=_("Your complaint %(number)s has been registered") % {"number": complaint.number},
            body=_(
                "Dear customer, your complaint %(number)s has been registered. "
                "We will get back to you by %(due)s."
            )
            % {"number": complaint.number, "due": due},
            key_prefix=f"complaint:{complaint.number}",
            key_suffixes={MessageChannel.SMS: "ack"},
        )


def complaint_transition(*, complaint_id: int, action: str, actor, **inputs) -> Complaint:
    """R26: one step of the complaint: accept or reject (the response; a rejection needs its
    reason, `note`, and says whether it is authentic and reasonable), record the `cause`, the
    `measures`, the `feedback` (sent to the customer, the people involved and their supervisors),
    close and archive. Row locked; refused steps raise and change nothing."""
    return transition_run(COMPLAINT, pk=complaint_id, action=action, actor=actor, inputs=inputs)


# --- the feedback (R26) -----------------------------------------------------------------------------


def _staff_message(notice: Notice, user: User, *, key: str) -> None:
    """The notice as a message to a staff user, written in their language (as the bell shows it):
    by e-mail when they have an address, else by SMS."""
    subject, body = notice.text_in(user.language or settings.LANGUAGE_CODE, notice.message())
    if user.email:
        message_queue(channel=MessageChannel.EMAIL, recipient=user.email, subject=subject, body=body, key=key)
    elif user.phone:
        message_queue(
            channel=MessageChannel.SMS,
            recipient=phone_display(user.phone),
            subject=subject,
            body=body,
            key=key,
        )


@COMPLAINT.register_hook
def _feedback_sent(run: TransitionRun) -> None:
    """R26: "feed_back" sends the result to the customer (SMS to the complainant, email to the
    customer) and to the people involved and their supervisors (notice under the bell and a
    message). Idempotent per complaint and recipient."""
    if run.transition.name != "feed_back":
        return
    complaint = run.obj
    people = list(complaint.people.select_related("engineer"))
    supervisors = staff_routing().supervisors_of(people)
    staff = {user.pk: user for user in [*people, *supervisors] if user.is_active}
    key = f"complaint:{complaint.pk}:feedback"
    with company_language():  # the customer reads the company's language
        customer_message_queue(
            phone=complaint.contact_phone,
            email=complaint.customer.email,
            subject=str(FEEDBACK_TITLE) % {"number": complaint.number},
            body=_("Dear customer, about your complaint %(number)s: %(feedback)s")
            % {"number": complaint.number, "feedback": complaint.feedback},
            key_prefix=key,
            key_suffixes={MessageChannel.SMS: "customer-sms", MessageChannel.EMAIL: "customer-email"},
        )
    notice = Notice(  # the staff read theirs
        recipients=tuple(staff.values()),
        title=FEEDBACK_TITLE,
        body=FEEDBACK_BODY,
        url=complaint_url(complaint),
        key=key,
        params={
            "number": complaint.number,
            "category": ComplaintCategory(complaint.category).label,
            "customer": complaint.customer.name,
            "cause": complaint.cause,
            "measures": complaint.measures,
        },
    )
    notify_many([notice])
    for user in staff.values():
        _staff_message(notice, user, key=f"{key}:user-{user.pk}")
