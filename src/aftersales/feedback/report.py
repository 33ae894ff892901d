"""The return-visit report (R25): per period, by engineer, service point and product line, for
the sales, marketing and technical departments and management. Aggregated in SQL over the return
visits the user may see (R37); a handful of queries whatever the number of visits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ReturnVisitState
from .models import ReturnVisit
from .selectors import return_visit_scope

LIST_SIZE = 200
FINISHED = (ReturnVisitState.DONE, ReturnVisitState.UNREACHABLE)
DONE = Q(state=ReturnVisitState.DONE)
SCORE_AVERAGES = {
    "timeliness": "score_timeliness",
    "skill": "score_skill",
    "attitude": "score_attitude",
    "effectiveness": "score_effectiveness",
    "overall": "score_overall",
}
METRICS: dict[str, Any] = {
    "done": Count("pk", filter=DONE),
    "unreachable": Count("pk", filter=Q(state=ReturnVisitState.UNREACHABLE)),
    "satisfied": Count("pk", filter=DONE & Q(satisfied=True)),
    "praise": Count("pk", filter=DONE & ~Q(praise="")),
    "complaints": Count("pk", filter=DONE & Q(complaint=True)),
    **{name: Avg(score) for name, score in SCORE_AVERAGES.items()},
}
# Dimension: the grouping key and the fields its label is made of.
DIMENSIONS = {
    "engineer": (
        "engineer",
        ("engineer__user__last_name", "engineer__user__first_name", "engineer__user__username"),
    ),
    "service_point": ("service_point", ("service_point__name",)),
    "product_line": ("product_line", ("product_line__name",)),
}
DIMENSION_LABELS = {
    "engineer": _("Engineer"),
    "service_point": _("Service point"),
    "product_line": _("Product line"),
}


@dataclass(frozen=True)
class ReportRow:
    """The figures of one engineer, service point or product line (or of all visits)."""

    label: str
    done: int = 0
    unreachable: int = 0
    satisfied: int = 0
    praise: int = 0
    complaints: int = 0
    timeliness: float | None = None
    skill: float | None = None
    attitude: float | None = None
    effectiveness: float | None = None
    overall: float | None = None

    @property
    def finished(self) -> int:
        return self.done + self.unreachable

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied customers among those reached, in percent."""
        return round(self.satisfied * 100 / self.done, 1) if self.done else None

    @property
    def reach_rate(self) -> float | None:
        return round(self.done * 100 / self.finished, 1) if self.finished else None

    def averages(self) -> list[float | None]:
        return [
            None if value is None else round(value, 2) for value in (getattr(self, n) for n in SCORE_AVERAGES)
        ]


@dataclass
class ReturnVisitReport:
    start: date
    end: date
    total: ReportRow
    by: dict[str, list[ReportRow]] = field(default_factory=dict)
    praise: list[ReturnVisit] = field(default_factory=list)
    unsatisfied: list[ReturnVisit] = field(default_factory=list)
    complaints: list[ReturnVisit] = field(default_factory=list)
    other_needs: list[ReturnVisit] = field(default_factory=list)

    def dimension_rows(self) -> Iterator[tuple[str, ReportRow]]:
        """(dimension label, row) of every grouped row, then the total: the Excel sheet."""
        for name, rows in self.by.items():
            for row in rows:
                yield str(DIMENSION_LABELS[name]), row
        yield str(_("Total")), self.total


def _row(label: str, values: dict[str, Any]) -> ReportRow:
    return ReportRow(label=label, **{name: values[name] for name in METRICS})


def _label(values: dict[str, Any], key: str, fields: tuple[str, ...]) -> str:
    if values[key] is None:
        return str(_("Not recorded"))
    if key == "engineer":  # a person: surname + given name, else the user name
        surname, given, username = (values[name] for name in fields)
        return f"{surname}{given}" or username
    return values[fields[0]]


def finished_between(user, start: date, end: date) -> QuerySet[ReturnVisit]:
    """Return visits done or found unreachable from `start` to `end` (local dates, both included)."""
    zone = timezone.get_current_timezone()
    after = datetime.combine(start, time.min, tzinfo=zone)
    before = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return return_visit_scope(user).filter(state__in=FINISHED, finished_at__gte=after, finished_at__lt=before)


def return_visit_report(user, *, start: date, end: date) -> ReturnVisitReport:
    """R25: counts done and unreachable, average scores, satisfaction rate, praise and complaints,
    in total and by engineer, service point and product line; with the praise, the unsatisfied
    customers, the complaints and the other needs voiced, for the departments that act on them."""
    visits = finished_between(user, start, end)
    report = ReturnVisitReport(start=start, end=end, total=_row(str(_("Total")), visits.aggregate(**METRICS)))
    for name, (key, label_fields) in DIMENSIONS.items():
        grouped = visits.order_by().values(key, *label_fields).annotate(**METRICS)
        rows = [_row(_label(values, key, label_fields), values) for values in grouped]
        report.by[name] = sorted(rows, key=lambda row: (-row.finished, row.label))
    listed = (
        visits.filter(DONE).select_related("work_order__customer", "engineer__user").order_by("finished_at")
    )
    report.praise = list(listed.exclude(praise="")[:LIST_SIZE])
    report.unsatisfied = list(listed.filter(satisfied=False)[:LIST_SIZE])
    report.complaints = list(listed.filter(complaint=True)[:LIST_SIZE])
    report.other_needs = list(listed.exclude(other_needs="")[:LIST_SIZE])
    return report


REPORT_HEADERS = (
    _("Grouped by"),
    _("Name"),
    _("Finished"),
    _("Done"),
    _("Unreachable"),
    _("Timeliness"),
    _("Technical skill"),
    _("Service attitude"),
    _("Effectiveness"),
    _("Overall experience"),
    _("Satisfaction rate (%)"),
    _("Praise"),
    _("Complaints"),
)


def report_rows(report: ReturnVisitReport) -> Iterator[list[Any]]:
    """The report's figures as spreadsheet rows (one sheet, a row per group, then the total)."""
    for dimension, row in report.dimension_rows():
        yield [
            dimension,
            row.label,
            row.finished,
            row.done,
            row.unreachable,
            *row.averages(),
            row.satisfaction_rate,
            row.praise,
            row.complaints,
        ]
