"""The printed request (退换货申请表, R33): one template for the print view and the PDF (the page's
and the API's)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core.i18n import shown_params
from aftersales.core.money import in_words
from aftersales.core.pdf import PrintedForm

from .models import ReturnRequest
from .rules import allowed_conditions, conditions_text, limit_days, policy_current
from .selectors import return_get

PRINT_TEMPLATE = "returns/print.html"


def steps(request: ReturnRequest) -> list[dict[str, Any]]:
    """The request's steps as the history shows them: the step's name, who, when, the states and
    what it recorded, in the reader's language."""
    from .transitions import RETURN_REQUEST

    names = {name: transition.label for name, transition in RETURN_REQUEST.transitions.items()}
    names.update(
        {
            "create": _("Drawn up"),
            "edit": _("Changed"),
            "photo": _("Photo added"),
            "photo_remove": _("Photo removed"),
        }
    )
    rows = []
    for event in request.events.all():
        params = shown_params(event.params)
        details = [
            str(value)
            for key, value in params.items()
            if key not in ("kind", "breaches") and value not in ("", None, [])
        ]
        rows.append(
            {
                "event": event,
                "name": names.get(event.action, event.action),
                "details": " · ".join(details),
                "breaches": params.get("breaches", ""),
            }
        )
    return rows


def print_context(request: ReturnRequest) -> dict[str, Any]:
    """The request's data, the rules it was checked against and its steps."""
    url = reverse("returns:detail", args=[request.pk])
    policy = policy_current()
    return {
        "title": _("Return / exchange request"),
        "number": request.number,
        "record_url": url,
        "back_url": url,
        "rq": request,
        "photos": list(request.photos.all()),
        "steps": steps(request),
        "limit_days": limit_days(policy, request.kind),
        "accepted_conditions": conditions_text(allowed_conditions(policy, request.kind)),
        "proof_required": policy.proof_required,
        "refund_words": in_words(request.refund_amount) if request.refund_amount else "",
    }


def file_name(request: ReturnRequest) -> str:
    return f"{_('Return / exchange request')}-{request.number}".replace(" / ", "-")


def return_form(user: Any, return_id: int) -> PrintedForm:
    """退换货申请表 of a request the user may see: 403 for a role that reads no request, 404 for a
    request out of the user's scope (R37)."""
    from .transitions import may_read_returns

    if not may_read_returns(user):
        raise PermissionDenied
    rq = return_get(user, return_id)
    return PrintedForm(PRINT_TEMPLATE, print_context(rq), name=file_name(rq))
