"""The return-visit scores on the customer page (customer 360, core.panels, R22, R24): scoped
like the return-visit list (R37), the latest done ones with their five scores; at the top their
count, the average overall score and the time of the last call."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Avg, Count, Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.panels import Fact, register_object_facts, register_object_panel

from .choices import ReturnVisitState
from .selectors import return_visit_scope

SECTION_SIZE = 10


def _list_url(customer) -> str:
    return reverse("feedback:list") + "?" + urlencode({"q": customer.name})


def _return_visits_panel(request, customer) -> dict:
    rows = (
        return_visit_scope(request.user)
        .filter(work_order__customer=customer, state=ReturnVisitState.DONE)
        .select_related("work_order")
        .order_by("-finished_at", "-id")[:SECTION_SIZE]
    )
    return {"return_visits": list(rows), "more_url": _list_url(customer)}


def _return_visit_facts(user, customer) -> list[Fact]:
    done = return_visit_scope(user).filter(work_order__customer=customer, state=ReturnVisitState.DONE)
    counts = done.aggregate(total=Count("pk"), average=Avg("score_overall"), last=Max("finished_at"))
    average = f"{counts['average']:.1f}" if counts["average"] is not None else None
    return [
        Fact(
            "return_visits",
            _("Return visits"),
            counts["total"],
            url=_list_url(customer),
            last_contact=counts["last"],
        ),
        Fact("average_score", _("Average overall score"), average),
    ]


register_object_panel("customer", "feedback/_customer_return_visits.html", _return_visits_panel, order=50)
register_object_facts("customer", _return_visit_facts, order=50)
