"""The complaints on the customer page (customer 360, core.panels): scoped like the complaint list
(R37), the latest only, with a link to the list searched by the customer's name."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.panels import Fact, register_object_facts, register_object_panel

from .choices import OPEN_COMPLAINT_STATES
from .selectors import complaint_scope

SECTION_SIZE = 10


def _list_url(customer) -> str:
    return reverse("complaints:complaint_list") + "?" + urlencode({"q": customer.name})


def _complaints_panel(request, customer) -> dict:
    rows = (
        complaint_scope(request.user)
        .filter(customer=customer)
        .select_related("work_order")
        .order_by("-created_at", "-id")[:SECTION_SIZE]
    )
    return {"complaints": list(rows), "more_url": _list_url(customer)}


def _complaint_facts(user, customer) -> list[Fact]:
    counts = (
        complaint_scope(user)
        .filter(customer=customer)
        .aggregate(
            total=Count("pk"),
            open=Count("pk", filter=Q(state__in=OPEN_COMPLAINT_STATES)),
            last=Max("created_at"),
        )
    )
    return [
        Fact(
            "complaints",
            _("Complaints"),
            counts["total"],
            url=_list_url(customer),
            last_contact=counts["last"],
        ),
        Fact("open_complaints", _("Open complaints"), counts["open"]),
    ]


register_object_panel("customer", "complaints/_customer_complaints.html", _complaints_panel, order=40)
register_object_facts("customer", _complaint_facts, order=40)
