"""Forms of the working-calendar page (R34): one day of the official schedule, and the file of a
whole year's schedule."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import OfficialDayKind
from .importing import MAX_BYTES


class OfficialDayForm(forms.Form):
    """One public holiday or make-up working day (调休) of a year the holiday package does not know."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=OfficialDayKind.choices)
    name = forms.CharField(label=_("Name"), max_length=64, help_text=_("E.g. 春节 (Spring Festival)."))


class OfficialScheduleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel (.xlsx) or CSV file"),
        help_text=_("Columns date, kind (holiday / workday), name; one row per day."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Upload an Excel (.xlsx) or CSV file."), code="invalid_type")
        if upload.size > MAX_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."), code="too_large")
        return upload
