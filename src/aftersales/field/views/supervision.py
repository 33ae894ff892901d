"""Supervision cards (R19): the list of the cards in the user's scope (R37), late ones highlighted,
with its Excel export; the card's steps from the list and the visit page; the home page's panel."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from aftersales.core.lists import BulkAction, ObjectListView
from aftersales.core.views import TransitionView, register_home_panel, transition_buttons

from ..choices import SupervisionState
from ..filtersets import SupervisionCardFilterSet
from ..forms import CARD_TRANSITION_FIELDS
from ..models import SupervisionCard
from ..policies import verifies_supervision_cards
from ..selectors import engineer_today, supervision_get, supervision_list
from ..services import supervision_transition
from ..tables import SUPERVISION_COLUMNS, SUPERVISION_EXPORT_HEADERS, supervision_export_rows
from ..transitions import SUPERVISION_CARD


def _bulk_verify(request: HttpRequest, card: SupervisionCard, data: dict) -> None:
    supervision_transition(card_id=card.pk, action="verify", actor=request.user)


class SupervisionCardListView(ObjectListView):
    """`/field/supervision/`: the cards of the visits in the user's scope (R37), late ones
    highlighted; filter, sort, page, export; the service centre verifies the ticked cards, or a
    card from its row (R19)."""

    list_key = "supervision_cards"
    title = gettext_lazy("Service task supervision cards")
    filterset_class = SupervisionCardFilterSet
    columns = SUPERVISION_COLUMNS
    page_size = 50
    search_placeholder = gettext_lazy("Visit, work order, customer")
    bulk_actions = (
        BulkAction(
            "verify",
            gettext_lazy("Verify"),
            run=_bulk_verify,
            allowed=verifies_supervision_cards,
            style="outline-success",
        ),
    )

    def get_queryset(self, request: HttpRequest):
        return supervision_list(request.user)

    def decorate(self, request: HttpRequest, rows: list[SupervisionCard]) -> list[SupervisionCard]:
        """Each card's steps the service centre may take now (the engineer submits from the visit
        page), shown on its row."""
        for card in rows:
            buttons = transition_buttons(SUPERVISION_CARD, card, request.user, CARD_TRANSITION_FIELDS)
            card.row_actions = [(t, form) for t, form in buttons if t.name != "submit"]
        return rows

    def row_css(self, row: SupervisionCard) -> str:
        return "table-danger" if row.late else ""

    def export_headers(self, request: HttpRequest):
        return list(SUPERVISION_EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return supervision_export_rows(rows)


class SupervisionCardExportView(SupervisionCardListView):
    """`/field/supervision/export.xlsx`: kept for links; the list's `?export=xlsx` is the same
    (logged, R41)."""

    export_only = True


class SupervisionCardTransitionView(TransitionView):
    """`/field/supervision/<pk>/do/<action>/`: submit, verify or send back a card (R19); back to
    `next` (the list) or the card on its visit's page."""

    machine = SUPERVISION_CARD
    fields = CARD_TRANSITION_FIELDS

    def get_object(self, request: HttpRequest, pk: int) -> SupervisionCard:
        return supervision_get(request.user, pk)

    def redirect_to(self, request: HttpRequest, obj: SupervisionCard) -> HttpResponse:
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect(reverse("field:visit_detail", args=[obj.visit_id]) + "#card")


def home_panel(request: HttpRequest) -> dict:
    """The home page's visit panel: the engineer's jobs today, the service centre's cards to
    verify, and late cards not verified yet (R19), all scoped (R37)."""
    user = request.user
    cards = supervision_list(user)
    today = engineer_today(user) if getattr(user, "engineer", None) is not None else None
    return {
        "today": today,
        "today_count": len(today.visits) + len(today.appointments) if today else 0,
        "to_verify": (
            cards.filter(state=SupervisionState.SUBMITTED).count()
            if verifies_supervision_cards(user)
            else None
        ),
        "late": cards.filter(late=True).exclude(state=SupervisionState.VERIFIED).count(),
    }


register_home_panel("field/_home_panel.html", home_panel, order=15)
