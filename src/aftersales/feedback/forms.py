"""Input of the return-visit pages. Forms parse and validate input only; the rules (all five
scores, a described complaint, states, roles) live in `services`."""

from __future__ import annotations

import calendar
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from aftersales.complaints.choices import ComplaintCategory, Severity

from .choices import SCORE_CHOICES, AttemptResult
from .models import SCORE_FIELDS, ReturnVisit

TEXTAREA = {"rows": 2}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _score_field(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=capfirst(ReturnVisit._meta.get_field(name).verbose_name),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )


class ReturnVisitAnswerForm(forms.Form):
    """客户回访表 (R24): the customer was reached; five ratings 1-5 and what else they said."""

    score_timeliness = _score_field("score_timeliness")
    score_skill = _score_field("score_skill")
    score_attitude = _score_field("score_attitude")
    score_effectiveness = _score_field("score_effectiveness")
    score_overall = _score_field("score_overall")
    unsatisfied = forms.BooleanField(
        label=_("The customer says they are not satisfied"),
        required=False,
        help_text=_("Reopens the work order for a new visit, whatever the scores."),
    )
    other_needs = forms.CharField(
        label=_("Other needs"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    praise = forms.CharField(
        label=_("Praise for the engineer"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    complaint = forms.BooleanField(label=_("The customer makes a complaint"), required=False)
    complaint_category = forms.ChoiceField(
        label=_("Complaint about"),
        choices=ComplaintCategory.choices,
        initial=ComplaintCategory.OTHER,
        required=False,
    )
    complaint_severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL, required=False
    )
    complaint_detail = forms.CharField(
        label=_("Complaint details"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SCORE_FIELDS]


class CallFailedForm(forms.Form):
    """A call that did not reach the customer."""

    result = forms.ChoiceField(
        label=_("Call result"), choices=[c for c in AttemptResult.choices if c[0] != AttemptResult.REACHED]
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ReportPeriodForm(forms.Form):
    """R25: a month (YYYY-MM), or a date range; the current month when nothing is given."""

    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"])
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Give both dates of the range."), code="range_incomplete")
            if end < start:
                raise forms.ValidationError(_("The range ends before it starts."), code="date_order")
            return data
        first = (data.get("month") or timezone.localdate()).replace(day=1)
        data["start"] = first
        data["end"] = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return data

    def period(self) -> tuple[date, date]:
        """The chosen period; the current month when the input is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        today = timezone.localdate().replace(day=1)
        return today, today.replace(day=calendar.monthrange(today.year, today.month)[1])
