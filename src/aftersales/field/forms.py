"""Input of the appointment pages (R12). Forms only parse and validate input; the rules (window,
leave, double booking, versions) live in `services` and come back as `DomainError`s."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"}, format="%H:%M")


class AppointmentBookForm(forms.Form):
    """A day and a time window agreed with the customer."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    window_start = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    window_end = forms.TimeField(label=_("Until"), widget=TIME_WIDGET)


class AppointmentRescheduleForm(AppointmentBookForm):
    """A new day and window, with the reason and the version the user saw."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AppointmentCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CalendarFilterForm(forms.Form):
    """`?engineer=<id>&week=YYYY-MM-DD` or `?service_point=<id>`; anything invalid is ignored."""

    engineer = forms.IntegerField(required=False, min_value=1)
    service_point = forms.IntegerField(required=False, min_value=1)
    week = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
