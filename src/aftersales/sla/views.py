"""The working-calendar page (R34): which rule the SLA arithmetic follows for the public holidays
of this year and the next (the holiday package, the imported official schedule, or weekends
only), the imported days, and for HQ admins the forms to add one day or import a year's schedule
(Excel or CSV, all rows or none)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.excel import XLSX_MIME
from aftersales.core.forms import attempt

from .choices import HolidaySource
from .forms import OfficialDayForm, OfficialScheduleImportForm
from .importing import HEADERS, official_days_import, official_template
from .selectors import holiday_source, official_days, official_years
from .services import may_edit_official_schedule, official_day_set

SOURCE_STYLE = {
    HolidaySource.PACKAGE: "success",
    HolidaySource.IMPORTED: "info",
    HolidaySource.WEEKENDS: "warning",
}


def _year_of(request: HttpRequest, default: int) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else default


def _page(request: HttpRequest, *, day_form=None, import_form=None, report=None) -> HttpResponse:
    today = timezone.localdate()
    years = sorted({today.year, today.year + 1, *official_years()})
    shown = _year_of(request, today.year + 1)
    sources = []
    for year in years:
        source = holiday_source(date(year, 1, 1))
        sources.append({"year": year, "source": source, "label": source.label, "style": SOURCE_STYLE[source]})
    may_edit = may_edit_official_schedule(request.user)
    context = {
        "sources": sources,
        "shown_year": shown,
        "days": list(official_days(shown)),
        "may_edit": may_edit,
        "day_form": day_form or OfficialDayForm(),
        "import_form": import_form or OfficialScheduleImportForm(),
        "report": report,
        "columns": ", ".join(HEADERS),
    }
    return render(request, "sla/calendar.html", context)


@login_required
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    """`/sla/calendar/?year=`: the sources of the public holidays by year and a year's imported days."""
    return _page(request)


def _require_admin(request: HttpRequest) -> None:
    if not may_edit_official_schedule(request.user):
        raise PermissionDenied


@login_required
@require_POST
def official_day_add(request: HttpRequest) -> HttpResponse:
    """`POST /sla/calendar/days/`: one public holiday or make-up working day (HQ admins)."""
    _require_admin(request)
    form = OfficialDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        day = attempt(
            form,
            lambda: official_day_set(
                day=data["date"], kind=data["kind"], name=data["name"], actor=request.user
            ),
        )
        if day is not None:
            messages.success(request, _("%(day)s saved.") % {"day": day})
            return redirect(f"{reverse('sla:calendar')}?year={day.date.year}")
    return _page(request, day_form=form)


@login_required
@require_http_methods(["POST"])
def official_schedule_import(request: HttpRequest) -> HttpResponse:
    """`POST /sla/calendar/import/`: a year's schedule from Excel or CSV, every row or none."""
    _require_admin(request)
    form = OfficialScheduleImportForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        report = official_days_import(upload=form.cleaned_data["file"], actor=request.user)
        if report.imported:
            messages.success(request, _("%(count)d days imported.") % {"count": report.imported})
        else:
            messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
    return _page(request, import_form=form, report=report)


@login_required
@require_GET
def official_schedule_template(request: HttpRequest) -> HttpResponse:
    """The empty spreadsheet with the import's columns (HQ admins)."""
    _require_admin(request)
    response = HttpResponse(official_template(), content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="official-schedule-template.xlsx"'
    return response
