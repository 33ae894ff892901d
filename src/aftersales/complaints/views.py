"""Pages of complaints (R26) and difficult cases (R27): lists (+ HTMX partial and Excel export,
one FilterSet each), the complaint form, detail pages with exactly the allowed actions, the
proposals page, the criteria settings.

Views stay thin: reads through selectors (scoped: out of scope is a 404), writes through services;
a refused step is shown on its form's fields, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from aftersales.core.errors import DomainError
from aftersales.core.excel import export_response
from aftersales.core.forms import form_add_errors
from aftersales.core.htmx import render_page_or_partial
from aftersales.core.views import register_home_panel
from aftersales.workorders.selectors import workorder_get, workorder_timeline
from aftersales.workorders.tables import timeline_entries

from .choices import OPEN_CASE_STATES, ResponseRisk
from .filtersets import ComplaintFilterSet, DifficultCaseFilterSet
from .forms import (
    CaseActionForm,
    CaseCriteriaForm,
    CaseOpenForm,
    ComplaintActionForm,
    ComplaintRegisterForm,
    open_prefix,
)
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
    response_condition,
)
from .services import (
    CRITERIA_ROLES,
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
    case_history_title,
    complaint_export_rows,
    complaint_history_title,
    reason_labels,
)
from .transitions import (
    CASE_ROLES,
    CASE_TRANSITIONS,
    COMPLAINT_TRANSITIONS,
    REGISTER_ROLES,
    Transition,
    available,
)


def _require(request: HttpRequest, roles) -> None:
    if not request.user.has_role(*roles):
        raise PermissionDenied


def _try(form, call: Callable[[], Any], aliases: dict[str, str] | None = None) -> Any:
    """Run a service; its refusal lands on the form (field or top) and None is returned."""
    try:
        return call()
    except (DomainError, ValidationError) as error:
        form_add_errors(form, error, aliases)
        return None


# -- lists ---------------------------------------------------------------------------------------


class FilteredListView(LoginRequiredMixin, View):
    """A scoped list through its one FilterSet: the page, its HTMX partial, or the Excel export."""

    filterset_class: type
    rows: Callable
    columns: tuple
    page_template = partial_template = ""
    export = False
    export_resource = ""
    export_title = ""
    export_headers: tuple = ()
    export_rows: Callable

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET, queryset=type(self).rows(request.user), request=request)
        fields = filterset.form.fields
        fields["state"].widget = forms.CheckboxSelectMultiple(choices=fields["state"].choices)
        for name in ("created_after", "created_before"):
            if name in fields:
                fields[name].widget.input_type = "date"
        if self.export:
            return export_response(
                request=request,
                resource=self.export_resource,
                title=str(self.export_title),
                headers=self.export_headers,
                rows=type(self).export_rows(filterset.qs.iterator(chunk_size=2000), request.user),
            )
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "filterset": filterset,
            "page": page,
            "columns": self.columns,
            "export_query": request.GET.urlencode(),
        }
        return render_page_or_partial(
            request, page_template=self.page_template, partial_template=self.partial_template, context=context
        )


class ComplaintListView(FilteredListView):
    """`/complaints/`: complaints in the user's scope with their response risk (R26, R37)."""

    filterset_class = ComplaintFilterSet
    rows = staticmethod(complaint_list)
    columns = COMPLAINT_COLUMNS
    page_template = "complaints/complaint_list.html"
    partial_template = "complaints/_complaint_table.html"


class ComplaintExportView(ComplaintListView):
    """`/complaints/export.xlsx`: the filtered, scoped list; the export is logged (R41)."""

    export = True
    export_resource = "complaints"
    export_title = _("Complaints")
    export_headers = COMPLAINT_EXPORT_HEADERS
    export_rows = staticmethod(complaint_export_rows)


class CaseListView(FilteredListView):
    """`/complaints/cases/`: difficult cases in the user's scope (R27, R37)."""

    filterset_class = DifficultCaseFilterSet
    rows = staticmethod(case_list)
    columns = CASE_COLUMNS
    page_template = "complaints/case_list.html"
    partial_template = "complaints/_case_table.html"


class CaseExportView(CaseListView):
    export = True
    export_resource = "difficult-cases"
    export_title = _("Difficult cases")
    export_headers = CASE_EXPORT_HEADERS
    export_rows = staticmethod(case_export_rows)


# -- complaints ----------------------------------------------------------------------------------


class ComplaintRegisterView(LoginRequiredMixin, View):
    """`/complaints/new/` (`?work_order=<id>` links it): the complaint form (R26)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            _require(request, REGISTER_ROLES)
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
        complaint = _try(
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


def _actions(obj, user, transitions: dict[str, Transition], form_class, bound=None) -> list[tuple]:
    """(transition, form) for each allowed action; the bound form replaces its blank one."""
    rows = []
    for transition in available(transitions, obj, user):
        if bound is not None and bound.transition.name == transition.name:
            rows.append((transition, bound))
        else:
            rows.append((transition, form_class(transition=transition, user=user, obj=obj)))
    return rows


class LifecycleDetailView(LoginRequiredMixin, View):
    """A detail page with its allowed actions; POST `<pk>/do/<action>/` runs one of them and, when
    refused, shows the page again with the errors on that action's form."""

    transitions: dict[str, Transition]
    form_class: type
    template = ""
    url_name = ""

    def get_object(self, request: HttpRequest, pk: int):
        raise NotImplementedError

    def extra_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        return {}

    def run(self, request: HttpRequest, obj, action: str, form) -> Any:
        raise NotImplementedError

    def page(self, request: HttpRequest, obj, bound=None) -> HttpResponse:
        context = {
            "obj": obj,
            "actions": _actions(obj, request.user, self.transitions, self.form_class, bound),
            "open_action": bound.transition.name if bound is not None else "",
            **self.extra_context(request, obj),
        }
        return render(request, self.template, context)

    def get(self, request: HttpRequest, pk: int, action: str = "") -> HttpResponse:
        if action:
            return redirect(self.url_name, pk=pk)
        return self.page(request, self.get_object(request, pk))

    def post(self, request: HttpRequest, pk: int, action: str = "") -> HttpResponse:
        obj = self.get_object(request, pk)
        transition = self.transitions.get(action)
        if transition is None:
            raise Http404
        form = self.form_class(request.POST, transition=transition, user=request.user, obj=obj)
        done = form.is_valid() and _try(form, lambda: self.run(request, obj, action, form))
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

    transitions = COMPLAINT_TRANSITIONS
    form_class = ComplaintActionForm
    template = "complaints/complaint_detail.html"
    url_name = "complaints:complaint_detail"

    def get_object(self, request: HttpRequest, pk: int):
        return complaint_get(request.user, pk)

    def extra_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        risk = obj.risk
        history = [(event, complaint_history_title(event.action)) for event in complaint_history(obj)]
        return {"complaint": obj, "risk": risk, "risk_style": RISK_STYLE[risk], "history": history}

    def run(self, request: HttpRequest, obj, action: str, form):
        return complaint_transition(
            complaint_id=obj.pk, action=action, actor=request.user, **form.service_kwargs()
        )


# -- difficult cases -----------------------------------------------------------------------------


class CaseDetailView(LifecycleDetailView):
    """`/complaints/cases/<pk>/`: the tracking file: the case's steps, the work order's timeline
    (its history so far) and the allowed steps (R27)."""

    transitions = CASE_TRANSITIONS
    form_class = CaseActionForm
    template = "complaints/case_detail.html"
    url_name = "complaints:case_detail"

    def get_object(self, request: HttpRequest, pk: int):
        return case_get(request.user, pk)

    def extra_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        levels = case_levels()
        steps = [(step, case_history_title(step.action)) for step in case_steps(obj)]
        return {
            "case": obj,
            "level": levels.get(obj.level),
            "reasons": reason_labels(obj.reasons),
            "steps": steps,
            "timeline": timeline_entries(workorder_timeline(obj.work_order), request.user),
        }

    def run(self, request: HttpRequest, obj, action: str, form):
        return case_transition(case_id=obj.pk, action=action, actor=request.user, **form.service_kwargs())


class CaseProposalsView(LoginRequiredMixin, View):
    """`/complaints/cases/proposals/`: work orders meeting the criteria, computed in SQL and
    scoped; a clerk or department head confirms one as a case (R27)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            _require(request, CASE_ROLES)
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
            "rows": rows,
            "criteria": criteria,
            "may_configure": request.user.has_role(*CRITERIA_ROLES),
        }
        return render(request, "complaints/case_proposals.html", context)


class CaseOpenView(CaseProposalsView):
    """POST `/complaints/cases/open/<work_order_pk>/`: confirm the work order as a difficult case
    (from the proposals or from the work order's page, `next=workorder`)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, work_order_pk: int) -> HttpResponse:
        work_order = workorder_get(request.user, work_order_pk)
        form = CaseOpenForm(request.POST, prefix=open_prefix(work_order.pk))
        case = form.is_valid() and _try(
            form, lambda: case_open(work_order=work_order, actor=request.user, **form.cleaned_data)
        )
        if not case:
            if request.POST.get("next") != "workorder":
                return self.page(request, bound=form)
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("workorders:detail", pk=work_order.pk)
        messages.success(
            request,
            _("Difficult case %(number)s opened for work order %(work_order)s.")
            % {"number": case.number, "work_order": work_order.number},
        )
        return redirect("complaints:case_detail", pk=case.pk)


class CaseSettingsView(LoginRequiredMixin, View):
    """`/complaints/cases/settings/`: the difficult-case criteria (R27), for supervisors and HQ."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            _require(request, CRITERIA_ROLES)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.form_page(request, CaseCriteriaForm(instance=criteria_get()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CaseCriteriaForm(request.POST, instance=criteria_get())
        if form.is_valid() and _try(
            form, lambda: case_criteria_update(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Difficult-case criteria saved."))
            return redirect("complaints:case_proposals")
        return self.form_page(request, form)

    def form_page(self, request: HttpRequest, form: CaseCriteriaForm) -> HttpResponse:
        return render(
            request, "complaints/case_settings.html", {"form": form, "levels": case_levels().values()}
        )


# -- home panel --------------------------------------------------------------------------------


def home_panel(request: HttpRequest) -> dict[str, Any]:
    """Unanswered complaints at risk or overdue, and the user's open difficult cases."""
    user = request.user
    now = timezone.now()
    complaints = complaint_list(user)
    return {
        "overdue": complaints.filter(response_condition(ResponseRisk.OVERDUE, now)).count(),
        "at_risk": complaints.filter(response_condition(ResponseRisk.WARNING, now)).count(),
        "my_cases": list(case_list(user).filter(handler=user, state__in=OPEN_CASE_STATES)[:10]),
    }


register_home_panel("complaints/_home_panel.html", home_panel, order=40)
