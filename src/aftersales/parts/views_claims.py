"""Pages of the warranty reimbursement claims (保修期内配件费用报销单, R31): the list (filters,
search, sort, paging, Excel; HQ builds a month's claims by hand there), the claim page whose lines
HQ approves or rejects one by one with HTMX, its lifecycle buttons, the printed claim with its PDF
and its lines as a spreadsheet. Scoped: a dealer's staff see their dealer's claims only (404 for
another's)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.excel import sheet_response
from aftersales.core.forms import REFUSALS, error_messages, form_error_messages
from aftersales.core.htmx import render_page_or_partial
from aftersales.core.lists import Column, ObjectListView
from aftersales.core.money import yuan
from aftersales.core.pdf import form_response
from aftersales.core.views import TransitionView, transition_buttons

from . import forms_old_parts as f
from .choices import ClaimState, LineDecision
from .filtersets_old_parts import ClaimFilterSet
from .models import ReimbursementClaim
from .printing_old_parts import claim_form, claim_sheet
from .selectors_old_parts import (
    claim_credit_entry,
    claim_get,
    claim_history,
    claim_line_scope,
    claim_scope,
    may_read_claims,
)
from .services.claims import claim_line_decide, claims_build
from .transitions import CLAIM, may_review_claims
from .views_old_parts import labelled, require, state_badge

# --- claims --------------------------------------------------------------------------------------------


def _claim_link(claim: ReimbursementClaim, user: Any) -> str:
    return format_html(
        '<a href="{}" class="fw-semibold" data-testid="claim-link">{}</a>',
        reverse("parts:claim_detail", args=[claim.pk]),
        claim.number,
    )


def _money_column(key: str, label: Any, sort: str = "") -> Column:
    return Column(
        key,
        label,
        value=lambda c, user: getattr(c, key),
        html=lambda c, user: yuan(getattr(c, key)),
        css="text-end",
        sort=sort,
    )


class ClaimListView(ObjectListView):
    """`/parts/old-parts/claims/`: the warranty reimbursement claims (R31); HQ may build a month's
    by hand."""

    list_key = "claims"
    title = gettext_lazy("Reimbursement claims")
    filterset_class = ClaimFilterSet
    page_template = "parts/old_parts/claim_list.html"
    search_placeholder = gettext_lazy("Claim number or dealer")
    columns = (
        Column("number", gettext_lazy("Claim"), value=lambda c, user: c.number, html=_claim_link, fixed=True),
        Column(
            "state",
            gettext_lazy("State"),
            value=lambda c, user: c.get_state_display(),
            html=lambda c, u: state_badge(c),
            fixed=True,
        ),
        Column("dealer", gettext_lazy("Dealer"), value=lambda c, user: c.dealer.name),
        Column("month", gettext_lazy("Month"), value=lambda c, user: f"{c.month:%Y-%m}", sort="month"),
        _money_column("claimed_total", gettext_lazy("Claimed"), "claimed"),
        _money_column("approved_total", gettext_lazy("Approved"), "approved"),
        Column("credited", gettext_lazy("Credited"), value=lambda c, user: c.credited_at),
    )

    def dispatch(self, request, *args, **kwargs):
        require(request, may_read_claims)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return claim_scope(request.user).order_by("-month", "dealer__code", "pk")

    def extra_context(self, request) -> dict:
        return {"build_form": f.ClaimBuildForm() if may_review_claims(request.user) else None}


@login_required
@require_POST
def claim_build_view(request: HttpRequest) -> HttpResponse:
    """`POST /parts/old-parts/claims/build/`: HQ builds a month's claims by hand (R31)."""
    require(request, may_review_claims)
    form = f.ClaimBuildForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            claims = claims_build(month=form.cleaned_data["month"], actor=request.user)
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("%(count)d claims built or added to.") % {"count": len(claims)})
    return redirect("parts:claim_list")


def _claim_for(request: HttpRequest, pk: int) -> ReimbursementClaim:
    require(request, may_read_claims)
    try:
        return claim_get(request.user, pk)
    except ReimbursementClaim.DoesNotExist:
        raise Http404 from None


def _claim_context(request: HttpRequest, claim: ReimbursementClaim) -> dict[str, Any]:
    user = request.user
    reviewing = claim.state == ClaimState.IN_REVIEW and may_review_claims(user)
    lines = list(claim.lines.all())
    return {
        "claim": claim,
        "lines": lines,
        "pending": sum(1 for line in lines if line.decision == LineDecision.PENDING),
        "reviewing": reviewing,
        "history": labelled(claim_history(claim), CLAIM),
        "credit_entry": claim_credit_entry(claim),
        "actions": transition_buttons(CLAIM, claim, user, f.CLAIM_INPUTS),
        "transition_url_name": "parts:claim_transition",
        "back_url": reverse("parts:claim_list"),
    }


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/claims/<pk>/`: the claim, its lines with HQ's decisions (reviewed one by
    one with HTMX), its history and actions."""
    claim = _claim_for(request, pk)
    return render_page_or_partial(
        request,
        page_template="parts/old_parts/claim_detail.html",
        partial_template="parts/old_parts/_claim_body.html",
        context=_claim_context(request, claim),
    )


@login_required
@require_POST
def claim_line_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`POST /parts/old-parts/claims/lines/<pk>/decide/`: approve a line, or reject it with the
    reason (R31); back to the claim (its body for HTMX)."""
    require(request, may_read_claims)
    line = claim_line_scope(request.user).filter(pk=pk).first()
    if line is None:
        raise Http404
    form = f.ClaimLineDecisionForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
    else:
        try:
            claim_line_decide(
                line_id=line.pk,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except REFUSALS as error:
            error_messages(request, error)
    return redirect("parts:claim_detail", pk=line.claim_id)


class ClaimTransitionView(TransitionView):
    """`POST /parts/old-parts/claims/<pk>/do/<action>/`: approve, credit, reopen."""

    machine = CLAIM
    fields = f.CLAIM_INPUTS

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        return _claim_for(request, pk)

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect("parts:claim_detail", pk=obj.pk)


@login_required
@require_GET
def claim_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/claims/<pk>/print/` (`?format=pdf`): 保修期内配件费用报销单
    (`printing_old_parts.claim_form`)."""
    return form_response(request, claim_form(request.user, pk))


@login_required
@require_GET
def claim_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/parts/old-parts/claims/<pk>/export/`: the claim's lines as a spreadsheet (logged, R41;
    `printing_old_parts.claim_sheet`)."""
    return sheet_response(request, claim_sheet(request.user, pk))
