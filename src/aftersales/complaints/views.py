"""Pages of complaints (R26) and difficult cases (R27): lists (+ HTMX partial and Excel export,
one FilterSet each), the complaint form, detail pages with exactly the allowed actions, the
proposals page, the criteria settings.

Views stay thin: reads through selectors (scoped: out of scope is a 404), writes through services;
a refused step is shown on its form's fields, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from aftersales.core.forms import attempt, form_error_messages
from aftersales.core.lists import BulkAction, ObjectListView, page_numbers
from aftersales.core.transitions import Machine, transition_run
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_get, workorder_timeline
from aftersales.workorders.tables import timeline_entries

from .filtersets import ComplaintFilterSet, DifficultCaseFilterSet
from .forms import (
    CaseActionForm,
    CaseCriteriaForm,
    CaseOpenForm,
    ComplaintActionForm,
    ComplaintRegisterForm,
    LifecycleForm,
    open_prefix,
)
from .privacy import complaint_phone
from .selectors import (
    case_get,
    case_levels,
    case_list,
    case_proposals,
    case_steps,
    complaint_get,
    complaint_history,
    complaint_list,
    criteria_get,
    reasons_of,
)
from .services import (
    case_criteria_update,
    case_open,
    case_transition,
    complaint_register,
    complaint_transition,
)
from .tables import (
    CASE_COLUMNS,
    CASE_EXPORT_HEADERS,
    COMPLAINT_COLUMNS,
    COMPLAINT_EXPORT_HEADERS,
    PAGE_SIZE,
    RISK_STYLE,
    case_export_rows,
    case_history_rows,
    complaint_export_rows,
    complaint_history_rows,
    reason_labels,
)
from .transitions import CASE, COMPLAINT, may_configure_criteria, may_open_case, may_register


def _require(request: HttpRequest, allowed: Callable[[Any], bool]) -> None:
    """403 for a signed-in user without the named permission (`may_*`)."""
    if request.user.is_authenticated and not allowed(request.user):
        raise PermissionDenied


# -- lists ---------------------------------------------------------------------------------------


def _bulk_close_complaint(request: HttpRequest, complaint, data: dict) -> None:
    complaint_transition(complaint_id=complaint.pk, action="close", actor=request.user)


def _bulk_close_case(request: HttpRequest, case, data: dict) -> None:
    case_transition(case_id=case.pk, action="close", actor=request.user)


class ComplaintListView(ObjectListView):
    """`/complaints/`: complaints in the user's scope with their response risk (R26, R37); the
    complaints fed back are closed and archived in bulk; Excel export (logged, R41)."""

    list_key = "complaints"
    title = gettext_lazy("Complaints")
    filterset_class = ComplaintFilterSet
    columns = COMPLAINT_COLUMNS
    page_template = "complaints/list.html"
    search_placeholder = gettext_lazy("Number, customer, work order, complainant, text")
    bulk_actions = (
        BulkAction(
            "close",
            COMPLAINT["close"].label,
            run=_bulk_close_complaint,
            allowed=lambda user: user.has_role(*COMPLAINT["close"].roles),
            style="outline-success",
        ),
    )

    def get_queryset(self, request: HttpRequest):
        return complaint_list(request.user)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"tab": "complaints"}

    def export_headers(self, request: HttpRequest):
        return list(COMPLAINT_EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return complaint_export_rows(rows, request.user)


class ComplaintExportView(ComplaintListView):
    """`/complaints/export.xlsx`: kept for links; the list's `?export=xlsx` is the same."""

    export_only = True


class CaseListView(ObjectListView):
    """`/complaints/cases/`: difficult cases in the user's scope (R27, R37); the resolved ones
    are closed in bulk by the case team; Excel export (logged, R41)."""

    list_key = "difficult-cases"
    title = gettext_lazy("Difficult cases")
    filterset_class = DifficultCaseFilterSet
    columns = CASE_COLUMNS
    page_template = "complaints/list.html"
    search_placeholder = gettext_lazy("Case or work-order number, customer")
    bulk_actions = (
        BulkAction(
            "close",
            CASE["close"].label,
            run=_bulk_close_case,
            allowed=lambda user: user.has_role(*CASE["close"].roles),
            style="outline-success",
        ),
    )

    def get_queryset(self, request: HttpRequest):
        return case_list(request.user)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"tab": "cases"}

    def export_headers(self, request: HttpRequest):
        return list(CASE_EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return case_export_rows(rows, request.user)


class CaseExportView(CaseListView):
    """`/complaints/cases/export.xlsx`: kept for links; the list's `?export=xlsx` is the same."""

    export_only = True


# -- complaints ----------------------------------------------------------------------------------


class ComplaintRegisterView(LoginRequiredMixin, View):
    """`/complaints/new/` (`?work_order=<id>` links it): the complaint form (R26)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _require(request, may_register)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {}
        if request.GET.get("work_order", "").isdigit():
            work_order = workorder_get(request.user, int(request.GET["work_order"]))
            initial["work_order_number"] = work_order.number
        return self.form_page(request, ComplaintRegisterForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ComplaintRegisterForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.form_page(request, form)
        complaint = attempt(
            form,
            lambda: complaint_register(actor=request.user, **form.register_kwargs()),
            aliases={"work_order": "work_order_number"},
        )
        if complaint is None:
            return self.form_page(request, form)
        messages.success(request, _("Complaint %(number)s registered.") % {"number": complaint.number})
        return redirect("complaints:complaint_detail", pk=complaint.pk)

    def form_page(self, request: HttpRequest, form: ComplaintRegisterForm) -> HttpResponse:
        return render(request, "complaints/complaint_form.html", {"form": form})


class LifecycleDetailView(LoginRequiredMixin, View):
    """A detail page with the buttons of what the user may do now; POST `<pk>/do/<action>/` runs one
    transition of `machine` and, when it is refused, shows the page again with that button's form
    open and the refusal on its fields (a step no longer possible shows as a message)."""

    machine: Machine
    form_class: type[LifecycleForm]
    template = ""
    url_name = ""
    transition_url_name = ""

    def get_object(self, request: HttpRequest, pk: int):
        raise NotImplementedError

    def extra_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        return {}

    def page(self, request: HttpRequest, obj, bound: LifecycleForm | None = None) -> HttpResponse:
        available = self.machine.available(obj, request.user)
        if bound is not None and bound.transition not in available:
            form_error_messages(request, bound)
        actions = [
            (
                transition,
                bound
                if bound is not None and bound.transition == transition
                else self.form_class(transition=transition, user=request.user, obj=obj),
            )
            for transition in available
        ]
        context = {
            "obj": obj,
            "actions": actions,
            "open_action": bound.transition.name if bound is not None else "",
            "transition_url_name": self.transition_url_name,
            **self.extra_context(request, obj),
        }
        return render(request, self.template, context)

    def get(self, request: HttpRequest, pk: int, action: str = "") -> HttpResponse:
        if action:
            return redirect(self.url_name, pk=pk)
        return self.page(request, self.get_object(request, pk))

    def post(self, request: HttpRequest, pk: int, action: str = "") -> HttpResponse:
        obj = self.get_object(request, pk)
        transition = self.machine.transitions.get(action)
        if transition is None:
            raise Http404
        form = self.form_class(request.POST, transition=transition, user=request.user, obj=obj)
        done = form.is_valid() and attempt(
            form,
            lambda: transition_run(
                self.machine, pk=obj.pk, action=action, actor=request.user, inputs=form.inputs_given()
            ),
        )
        if not done:
            return self.page(request, obj, bound=form)
        messages.success(
            request,
            _("%(action)s: done. %(number)s is now “%(state)s”.")
            % {"action": transition.label, "number": done.number, "state": done.get_state_display()},
        )
        return redirect(self.url_name, pk=obj.pk)


class ComplaintDetailView(LifecycleDetailView):
    """`/complaints/<pk>/`: the complaint form with its history and exactly the allowed steps."""

    machine = COMPLAINT
    form_class = ComplaintActionForm
    template = "complaints/complaint_detail.html"
    url_name = "complaints:complaint_detail"
    transition_url_name = "complaints:complaint_transition"

    def get_object(self, request: HttpRequest, pk: int):
        return complaint_get(request.user, pk)

    def extra_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        risk = obj.risk
        history = complaint_history_rows(complaint_history(obj))
        return {
            "complaint": obj,
            "contact_phone": complaint_phone(request.user, obj),
            "risk": risk,
            "risk_style": RISK_STYLE[risk],
            "history": history,
        }


# -- difficult cases -----------------------------------------------------------------------------


class CaseDetailView(LifecycleDetailView):
    """`/complaints/cases/<pk>/`: the tracking file: the case's steps, the work order's timeline
    (its history so far) and the allowed steps (R27)."""

    machine = CASE
    form_class = CaseActionForm
    template = "complaints/case_detail.html"
    url_name = "complaints:case_detail"
    transition_url_name = "complaints:case_transition"

    def get_object(self, request: HttpRequest, pk: int):
        return case_get(request.user, pk)

    def extra_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        levels = case_levels()
        steps = case_history_rows(case_steps(obj))
        return {
            "case": obj,
            "level": levels.get(obj.level),
            "reasons": reason_labels(obj.reasons),
            "steps": steps,
            "timeline": timeline_entries(workorder_timeline(obj.work_order), request.user),
        }


class CaseProposalsView(LoginRequiredMixin, View):
    """`/complaints/cases/proposals/`: work orders meeting the criteria, computed in SQL and
    scoped; a clerk or department head confirms one as a case (R27)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _require(request, may_open_case)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    def page(self, request: HttpRequest, bound: CaseOpenForm | None = None) -> HttpResponse:
        criteria = criteria_get()
        proposals = case_proposals(request.user, criteria=criteria)
        page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = []
        for work_order in page.object_list:
            prefix = open_prefix(work_order.pk)
            form = bound if bound is not None and bound.prefix == prefix else CaseOpenForm(prefix=prefix)
            rows.append((work_order, reason_labels(reasons_of(work_order, criteria)), form))
        context = {
            "page": page,
            "page_numbers": page_numbers(page),
            "rows": rows,
            "criteria": criteria,
            "may_configure": may_configure_criteria(request.user),
        }
        return render(request, "complaints/case_proposals.html", context)


class CaseOpenView(CaseProposalsView):
    """POST `/complaints/cases/open/<work_order_pk>/`: confirm the work order as a difficult case
    (from the proposals or from the work order's page, `next=workorder`)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, work_order_pk: int) -> HttpResponse:
        work_order = workorder_get(request.user, work_order_pk)
        form = CaseOpenForm(request.POST, prefix=open_prefix(work_order.pk))
        case = form.is_valid() and attempt(
            form, lambda: case_open(work_order=work_order, actor=request.user, **form.cleaned_data)
        )
        if not case:
            if request.POST.get("next") != "workorder":
                return self.page(request, bound=form)
            form_error_messages(request, form)
            return redirect(detail_url(work_order.pk, "feedback", "complaints-panel"))
        messages.success(
            request,
            _("Difficult case %(number)s opened for work order %(work_order)s.")
            % {"number": case.number, "work_order": work_order.number},
        )
        return redirect("complaints:case_detail", pk=case.pk)


class CaseSettingsView(LoginRequiredMixin, View):
    """`/complaints/cases/settings/`: the difficult-case criteria (R27), for supervisors and HQ."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _require(request, may_configure_criteria)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.form_page(request, CaseCriteriaForm(instance=criteria_get()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CaseCriteriaForm(request.POST, instance=criteria_get())
        if form.is_valid() and attempt(
            form, lambda: case_criteria_update(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Difficult-case criteria saved."))
            return redirect("complaints:case_proposals")
        return self.form_page(request, form)

    def form_page(self, request: HttpRequest, form: CaseCriteriaForm) -> HttpResponse:
        return render(
            request, "complaints/case_settings.html", {"form": form, "levels": case_levels().values()}
        )
