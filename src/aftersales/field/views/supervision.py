"""Supervision cards (R19): the list of the cards in the user's scope (R37), late ones highlighted,
with its Excel export; the card's steps from the list and the visit page; the home page's panel."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.accounts.selectors import engineers_in_scope, service_points_in_scope
from aftersales.core.excel import export_response
from aftersales.core.htmx import render_page_or_partial
from aftersales.core.views import TransitionView, register_home_panel, transition_buttons

from ..choices import SupervisionState
from ..filtersets import SupervisionCardFilterSet
from ..forms import CARD_TRANSITION_FIELDS
from ..models import SupervisionCard
from ..policies import verifies_supervision_cards
from ..selectors import engineer_today, supervision_get, supervision_list
from ..tables import SUPERVISION_EXPORT_HEADERS, supervision_export_rows
from ..transitions import SUPERVISION_CARD


def supervision_filterset(request: HttpRequest) -> SupervisionCardFilterSet:
    filterset = SupervisionCardFilterSet(
        request.GET, queryset=supervision_list(request.user), request=request
    )
    filterset.filters["engineer"].queryset = engineers_in_scope(request.user)
    filterset.filters["service_point"].queryset = service_points_in_scope(request.user)
    form = filterset.form
    form.fields["state"].widget = forms.CheckboxSelectMultiple(choices=form.fields["state"].choices)
    for name in ("visit_from", "visit_until"):
        form.fields[name].widget.input_type = "date"
    return filterset


SUPERVISION_PAGE_SIZE = 50


def _row_buttons(card: SupervisionCard, user) -> list:
    """The service centre's steps of a card on the list (the engineer submits from the visit page)."""
    buttons = transition_buttons(SUPERVISION_CARD, card, user, CARD_TRANSITION_FIELDS)
    return [(transition, form) for transition, form in buttons if transition.name != "submit"]


@login_required
@require_GET
def supervision_list_view(request: HttpRequest) -> HttpResponse:
    """`/field/supervision/`: the cards of the visits in the user's scope (R37), late ones
    highlighted; filter, sort, page, export; the service centre verifies from here (R19)."""
    filterset = supervision_filterset(request)
    page = Paginator(filterset.qs, SUPERVISION_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "rows": [(card, _row_buttons(card, request.user)) for card in page.object_list],
        "export_query": request.GET.urlencode(),
    }
    return render_page_or_partial(
        request,
        page_template="field/supervision_list.html",
        partial_template="field/_supervision_table.html",
        context=context,
    )


@login_required
@require_GET
def supervision_export_view(request: HttpRequest) -> HttpResponse:
    """`/field/supervision/export.xlsx`: the filtered, scoped list; the export is logged (R41)."""
    filterset = supervision_filterset(request)
    return export_response(
        request=request,
        resource="supervision_cards",
        title=_("Service task supervision cards"),
        headers=SUPERVISION_EXPORT_HEADERS,
        rows=supervision_export_rows(filterset.qs.iterator(chunk_size=2000)),
    )


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
