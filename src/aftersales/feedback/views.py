"""Return-visit pages (R22-R25): the queue (+ HTMX partial and Excel export), the return-visit
form (客户回访表), the call-back request from the work-order page, and the report (page, Excel, PDF).

Thin views: reads through selectors (scoped, R37), writes through services; a refusal is a message
or a form error on the page, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from aftersales.core.excel import export_response
from aftersales.core.forms import REFUSALS, attempt, error_messages
from aftersales.core.lists import ObjectListView
from aftersales.core.pdf import PrintedForm, form_response
from aftersales.core.privacy import personal_data_viewed
from aftersales.core.views import register_home_panel
from aftersales.workorders.choices import State
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_get

from .choices import Audience, ReturnVisitKind, ReturnVisitState
from .filtersets import ReturnVisitFilterSet
from .forms import CallFailedForm, ReportPeriodForm, ReturnVisitAnswerForm
from .privacy import RESOURCE, return_visit_in_full, return_visit_phone
from .report import REPORT_HEADERS, ReturnVisitReport, report_rows, return_visit_report
from .selectors import policy_get, return_visit_get, return_visit_list, return_visit_queue, return_visits_of
from .services import return_visit_call_failed, return_visit_callback_request, return_visit_record
from .tables import EXPORT_HEADERS, LIST_COLUMNS, export_rows
from .transitions import callback_permitted, makes_return_visits, visit_actions_available


class ReturnVisitRoleMixin(LoginRequiredMixin):
    """The queue and the report are for the return-visit roles (403 for the others)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not makes_return_visits(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# ---------------------------------------------------------------------------------------------
# The queue: one FilterSet for the page, the HTMX partial and the export.


FILTER_KEYS = set(ReturnVisitFilterSet.base_filters) - {"ordering"}
QUEUE_DEFAULTS = QueryDict(f"state={ReturnVisitState.PENDING}&mine=true")


class ReturnVisitListView(ReturnVisitRoleMixin, ObjectListView):
    """`/feedback/`: the return-visit queue, due and overdue first; opened without any filter it
    shows the pending visits assigned to the user. Phones masked by role (R41), scoped (R37)."""

    list_key = "return_visits"
    title = gettext_lazy("Return visits")
    filterset_class = ReturnVisitFilterSet
    columns = LIST_COLUMNS
    page_template = "feedback/list.html"
    search_placeholder = gettext_lazy("Number, work order, customer, phone")

    def get_queryset(self, request: HttpRequest):
        return return_visit_list(request.user)

    def get_filterset(self, request: HttpRequest, data: QueryDict | None = None) -> ReturnVisitFilterSet:
        """The queue's defaults when no filter is given (the engineer and service point choices
        are scoped by the FilterSet, R37)."""
        data = (request.GET if data is None else data).copy()
        if not set(data) & FILTER_KEYS:
            data.update(QUEUE_DEFAULTS)
        return super().get_filterset(request, data)

    def export_headers(self, request: HttpRequest):
        return list(EXPORT_HEADERS)

    def export_rows(self, request: HttpRequest, rows):
        return export_rows(rows, request.user)


class ReturnVisitExportView(ReturnVisitListView):
    """`/feedback/export.xlsx`: kept for links; the list's `?export=xlsx` is the same (logged, R41)."""

    export_only = True


# ---------------------------------------------------------------------------------------------
# The return-visit form (客户回访表).


class ReturnVisitView(LoginRequiredMixin, View):
    """`/feedback/<pk>/`: the visit with its work order, its calls and, for the return-visit
    roles while it is pending, the form."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = return_visit_get(request.user, pk)
        if return_visit_in_full(request.user, visit):  # the customer's number in full (R41)
            personal_data_viewed(request, resource=RESOURCE, object_id=visit.pk, detail=visit.number)
        return self.page(request, visit, ReturnVisitAnswerForm(), CallFailedForm())

    def page(self, request, visit, answer_form, failed_form, status: int = 200) -> HttpResponse:
        work_order = visit.work_order
        context = {
            "visit": visit,
            "wo": work_order,
            "contact_phone": return_visit_phone(request.user, visit),
            "calls": visit.calls.select_related("actor"),
            "may_call": visit_actions_available(visit, request.user),
            "answer_form": answer_form,
            "failed_form": failed_form,
            "policy": policy_get(),
        }
        return render(request, "feedback/visit.html", context, status=status)


class ReturnVisitActionView(ReturnVisitView):
    """`/feedback/<pk>/record/`: the answer; `/feedback/<pk>/call-failed/`: a call that did not
    reach the customer. Errors come back on the form (400)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if not makes_return_visits(request.user):
            raise PermissionDenied
        visit = return_visit_get(request.user, pk)
        answer_form = ReturnVisitAnswerForm(request.POST if step == "record" else None)
        failed_form = CallFailedForm(request.POST if step != "record" else None)
        form = answer_form if step == "record" else failed_form
        service = return_visit_record if step == "record" else return_visit_call_failed
        if form.is_valid():
            done = attempt(form, lambda: service(visit_id=visit.pk, actor=request.user, **form.cleaned_data))
            if done is not None:
                return self.done(request, done)
        return self.page(request, visit, answer_form, failed_form, status=400)

    def done(self, request: HttpRequest, visit) -> HttpResponse:
        """After an answer, the work order (its state may have changed); after a call, the queue."""
        values = {"number": visit.number, "state": visit.get_state_display()}
        if visit.state == ReturnVisitState.PENDING:
            messages.info(request, _("%(number)s: call logged, the next call is scheduled.") % values)
            return redirect("feedback:list")
        if visit.state == ReturnVisitState.UNREACHABLE:
            messages.warning(request, _("%(number)s: the customer is unreachable.") % values)
            return redirect("feedback:list")
        work_order = workorder_get(request.user, visit.work_order_id)
        if visit.satisfied:
            messages.success(request, _("Return visit %(number)s recorded.") % values)
        else:
            messages.warning(
                request,
                _(
                    "Return visit %(number)s recorded: the customer is unsatisfied, "
                    "work order %(wo)s is “%(wo_state)s”."
                )
                % {**values, "wo": work_order.number, "wo_state": work_order.get_state_display()},
            )
        return redirect(detail_url(work_order.pk, "feedback", "return-visits"))


@login_required
@require_POST
def callback_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/feedback/workorders/<pk>/callback/`: "Fix uncertain: call back" on a completed work
    order (R23); asking twice keeps the call-back already scheduled."""
    work_order = workorder_get(request.user, pk)
    try:
        visit, created = return_visit_callback_request(work_order_id=work_order.pk, actor=request.user)
    except REFUSALS as error:
        error_messages(request, error)
    else:
        values = {"number": visit.number, "due": f"{timezone.localtime(visit.due_at):%Y-%m-%d %H:%M}"}
        if created:
            messages.success(request, _("Call-back %(number)s scheduled for %(due)s.") % values)
        else:
            messages.info(request, _("A call-back is already scheduled: %(number)s, %(due)s.") % values)
    return redirect(detail_url(work_order.pk, "feedback", "return-visits"))


def return_visits_panel(request: HttpRequest, work_order) -> dict | None:
    """The return-visit panel on the work-order page (R22, R23): the work order's visits (the
    page already scoped it to the user), the call-back button for who may ask one on a completed
    work order without a pending call-back; None (no panel) when there is neither."""
    user = request.user
    visits = list(return_visits_of(work_order))
    callback_pending = any(v.kind == ReturnVisitKind.CALLBACK and v.is_pending for v in visits)
    may_ask_callback = (
        work_order.state == State.COMPLETED and not callback_pending and callback_permitted(user, work_order)
    )
    if not (visits or may_ask_callback):
        return None
    return {
        "visits": visits,
        "may_ask_callback": may_ask_callback,
        "callback_hours": policy_get().callback_hours if may_ask_callback else None,
        "may_call": makes_return_visits(user),
    }


# ---------------------------------------------------------------------------------------------
# The report (R25): page with audience tabs, Excel and print view / PDF.


def _report(request: HttpRequest):
    form = ReportPeriodForm(request.GET or None)
    start, end = form.period()
    return form, return_visit_report(request.user, start=start, end=end)


class ReturnVisitReportView(ReturnVisitRoleMixin, View):
    """`/feedback/report/?month=YYYY-MM` (or `?start=&end=`): the report with a tab per audience."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form, report = _report(request)
        context = {
            "form": form,
            "report": report,
            "audiences": Audience.choices,
            "query": request.GET.urlencode(),
        }
        return render(request, "feedback/report.html", context)


class ReturnVisitReportExportView(ReturnVisitRoleMixin, View):
    """`/feedback/report.xlsx`: the report's figures as a spreadsheet (logged, R41)."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, report = _report(request)
        return report_workbook(request, report)


def report_workbook(request: HttpRequest, report: ReturnVisitReport) -> HttpResponseBase:
    """The report's figures as a spreadsheet, its export logged (R41): the page's and the API's
    (`GET /api/return-visits/report/export/`)."""
    return export_response(
        request=request,
        resource="return_visit_report",
        title=_("Return-visit report"),
        headers=REPORT_HEADERS,
        rows=report_rows(report),
    )


def report_form(request: HttpRequest, report: ReturnVisitReport) -> PrintedForm:
    """The report as a printed document, the print view's and the API's PDF
    (`GET /api/return-visits/report/print/`); the period's figures per audience."""
    period = f"{report.start:%Y%m%d}-{report.end:%Y%m%d}"
    context = {
        "title": _("Return-visit report"),
        "number": period,
        "report": report,
        "audiences": Audience.choices,
        "back_url": f"{reverse('feedback:report')}?{request.GET.urlencode()}",
    }
    return PrintedForm("feedback/report_print.html", context, name=f"return-visits-{period}")


class ReturnVisitReportPrintView(ReturnVisitRoleMixin, View):
    """`/feedback/report/print/`: the report as a printed document; `?format=pdf` for the PDF."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _form, report = _report(request)
        return form_response(request, report_form(request, report))


# ---------------------------------------------------------------------------------------------
# "My return visits" on the home page.


def home_panel(request: HttpRequest) -> dict:
    if not makes_return_visits(request.user):
        return {}
    return return_visit_queue(request.user)


register_home_panel("feedback/_home_panel.html", home_panel, order=30)
