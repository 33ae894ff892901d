"""Input of the appointment and visit pages (R12, R15-R17, R19). Forms only parse and validate
input; the rules (window, leave, double booking, states, versions) live in `services` and come back
as `DomainError`s or field `ValidationError`s."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import engineers_in_scope, service_points_in_scope
from aftersales.core.autocomplete import AutocompleteSelect, AutocompleteSelectMultiple
from aftersales.core.forms import InputField

from .selectors import part_in_catalog, part_sources
from .selectors_schedule import DEFAULT_LENGTH, SCHEDULE_POINTS, VISIT_LENGTHS
from .services.visits import VAN

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"}, format="%H:%M")


class AppointmentBookForm(forms.Form):
    """A day and a time window agreed with the customer."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    window_start = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    window_end = forms.TimeField(label=_("Until"), widget=TIME_WIDGET)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"day": data["date"], "window_start": data["window_start"], "window_end": data["window_end"]}


class AppointmentRescheduleForm(AppointmentBookForm):
    """A new day and window, with the reason and the version the user saw."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            **super().service_kwargs(),
            "reason": self.cleaned_data["reason"],
            "expected_version": self.cleaned_data.get("version"),
        }


class AppointmentCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"], "expected_version": self.cleaned_data.get("version")}


class CalendarFilterForm(forms.Form):
    """`?engineer=<id>&week=YYYY-MM-DD` or `?service_point=<id>`, `&span=day` for one day,
    `&page=2` for the next engineers; anything invalid is ignored."""

    engineer = forms.IntegerField(required=False, min_value=1)
    service_point = forms.IntegerField(required=False, min_value=1)
    week = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    span = forms.ChoiceField(required=False, choices=[("week", "week"), ("day", "day")])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)


class CalendarChoicesForm(forms.Form):
    """The calendar filter's engineer and service point as comboboxes of the user's scope (R37):
    only the chosen one is rendered, the others load as the user types (issue 9)."""

    engineer = forms.ModelChoiceField(
        label=_("Engineer"),
        queryset=Engineer.objects.none(),
        required=False,
        widget=AutocompleteSelect("engineers", attrs={"class": "form-select form-select-sm"}),
    )
    service_point = forms.ModelChoiceField(
        label=_("Service point"),
        queryset=ServicePoint.objects.none(),
        required=False,
        widget=AutocompleteSelect("service-points", attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "cal-%s")
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers_in_scope(user)  # type: ignore[attr-defined]
        self.fields["service_point"].queryset = service_points_in_scope(user)  # type: ignore[attr-defined]


class DispatchVisitForm(forms.Form):
    """The visit the customer asks for, on the dispatch board (R12): the suggestions count the
    engineers' availability on that day and in that window. Anything invalid is ignored."""

    visit_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    visit_from = forms.TimeField(required=False)
    visit_until = forms.TimeField(required=False)

    def visit(self) -> dict:
        """`day` and `window` for the dispatch suggestions and `dispatch_assign`; {} for today."""
        if not self.is_valid() or not self.cleaned_data.get("visit_date"):
            return {}
        start, end = self.cleaned_data.get("visit_from"), self.cleaned_data.get("visit_until")
        return {
            "day": self.cleaned_data["visit_date"],
            "window": (start, end) if start and end and end > start else None,
        }


class ScheduleQueryForm(forms.Form):
    """The schedule board's `?date=YYYY-MM-DD&service_point=<id>&service_point=<id>&length=<hours>`;
    anything invalid is ignored (today, the user's point, 2 hours)."""

    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    length = forms.TypedChoiceField(required=False, coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["length"].choices = [(str(n), str(n)) for n in VISIT_LENGTHS]  # type: ignore[attr-defined]

    def query(self) -> dict[str, Any]:
        """`day`, `point_ids` and `length` for the board."""
        data = self.cleaned_data if self.is_valid() else {}
        raw = self.data.getlist("service_point") if hasattr(self.data, "getlist") else []
        return {
            "day": data.get("date") or timezone.localdate(),
            "point_ids": [int(pk) for pk in raw if str(pk).isdigit()][:SCHEDULE_POINTS],
            "length": data.get("length") or DEFAULT_LENGTH,
        }


class ScheduleChoicesForm(forms.Form):
    """The schedule board's service points: a combobox of the user's scope (R37), several allowed."""

    service_point = forms.ModelMultipleChoiceField(
        label=_("Service points"),
        queryset=ServicePoint.objects.none(),
        required=False,
        widget=AutocompleteSelectMultiple("service-points", attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "schedule-%s")
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = service_points_in_scope(user)  # type: ignore[attr-defined]


class ScheduleBookForm(forms.Form):
    """The schedule board's one step: a work order onto an engineer's slot (R5, R38, R12)."""

    work_order = forms.IntegerField(min_value=1)
    engineer = forms.IntegerField(label=_("Engineer"), min_value=1)
    date = forms.DateField(label=_("Date"), input_formats=["%Y-%m-%d"])
    window_start = forms.TimeField(label=_("From"))
    length = forms.TypedChoiceField(label=_("Length (hours)"), coerce=int, choices=[])
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
    version = forms.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["length"].choices = [(str(n), str(n)) for n in VISIT_LENGTHS]  # type: ignore[attr-defined]


# On-site visits (R12), sign-off (R15-R17), supervision cards (R19) ----------------------------

BIG = {"class": "form-control form-control-lg"}
YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _hidden(user) -> forms.Field:
    return forms.CharField(required=False, widget=forms.HiddenInput)


# The inputs of the visit's steps (`transitions.VISIT`): the reason to cancel, and the position the
# browser gives on check-in and check-out (R12).
VISIT_TRANSITION_FIELDS: dict[str, InputField] = {
    "reason": lambda user: forms.CharField(
        label=_("Reason"), max_length=255, required=False, widget=forms.TextInput(attrs=BIG)
    ),
    "latitude": _hidden,
    "longitude": _hidden,
    "accuracy": _hidden,
}

# The inputs of the supervision card's steps (`transitions.SUPERVISION_CARD`, R19).
CARD_TRANSITION_FIELDS: dict[str, InputField] = {
    "summary": lambda user: forms.CharField(
        label=_("Engineer's feedback"), required=False, widget=forms.Textarea(attrs={**BIG, "rows": 3})
    ),
    "note": lambda user: forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    ),
}


class VisitForm(forms.Form):
    """A form of the visit page: `service_kwargs()` are the service's arguments besides the visit
    and the actor; `version` is the version the user saw (optimistic locking; absent means "don't
    check")."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    versioned = True

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        if not self.versioned:
            del self.fields["version"]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.versioned:
            data["expected_version"] = data.pop("version")
        return data


class VisitPlanForm(forms.Form):
    planned_date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)


class VisitRecordForm(VisitForm):
    """Findings, the self-check items done and a plan change with the customer's agreement."""

    findings = forms.CharField(
        label=_("Findings and work done"), required=False, widget=forms.Textarea(attrs={**BIG, "rows": 4})
    )
    checked = forms.TypedMultipleChoiceField(
        label=_("Self-check"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    plan_change = forms.CharField(
        label=_("New findings that change the plan"),
        required=False,
        widget=forms.Textarea(attrs={**BIG, "rows": 2}),
    )
    plan_change_agreed = forms.ChoiceField(
        label=_("Customer agreed to the change"), choices=YES_NO, required=False
    )

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, visit=visit, **kwargs)
        items = visit.checklist if visit is not None else []
        self.fields["checked"].choices = [(i, item["label"]) for i, item in enumerate(items)]

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["plan_change_agreed"] = yes_no(data["plan_change_agreed"])
        return data


class VisitPartForm(VisitForm):
    versioned = False

    part_number = forms.CharField(
        label=_("Part number"),
        max_length=64,
        widget=forms.TextInput(attrs={**BIG, "list": "van-parts", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Part name"),
        max_length=128,
        required=False,
        help_text=_("Filled in from the catalog for a catalog part."),
        widget=forms.TextInput(attrs=BIG),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=9999, initial=1, widget=forms.NumberInput(attrs=BIG)
    )
    shown_to_customer = forms.BooleanField(label=_("Shown to the customer"), required=False, initial=True)
    source = forms.ChoiceField(label=_("Taken from"), required=False, widget=forms.Select(attrs=BIG))
    old_serial_number = forms.CharField(
        label=_("Serial number of the part taken out"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=BIG),
    )

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, visit=visit, **kwargs)
        choices = [("van", _("My van"))]
        if visit is not None:
            choices += [(str(w.pk), w.name) for w in part_sources(visit) if w.kind != "van"]
        self.fields["source"].choices = [*choices, ("none", _("Not from stock"))]
        self.fields["source"].initial = "van"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("name") or "").strip() and not part_in_catalog(data.get("part_number", "")):
            self.add_error("name", _("Name the part: it is not in the catalog."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        source = data.pop("source") or "van"
        data["warehouse_id"] = VAN if source == "van" else None if source == "none" else int(source)
        return data


class VisitPartsRequestForm(VisitForm):
    """R32: a part the van lacks, asked of the service point's store."""

    versioned = False

    part_number = forms.CharField(label=_("Part number"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999, initial=1)


class VisitPhotoForm(VisitForm):
    versioned = False

    file = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={**BIG, "accept": "image/*", "capture": "environment"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, widget=forms.TextInput(attrs=BIG)
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"upload": self.cleaned_data["file"], "description": self.cleaned_data["description"]}


class VisitInternalForm(VisitForm):
    fault_cause = forms.CharField(
        label=_("Fault cause (internal)"), required=False, widget=forms.Textarea(attrs={**BIG, "rows": 2})
    )
    repair_measures = forms.CharField(
        label=_("Repair measures (internal)"), required=False, widget=forms.Textarea(attrs={**BIG, "rows": 2})
    )


RATINGS = [(str(value), str(value)) for value in range(1, 6)]


class SignOffForm(VisitForm):
    """The customer's ratings (1 = very unsatisfied … 5 = very satisfied), satisfaction and
    signature (drawn: a PNG data URL; or a stamp); `confirm_low_rating` when a rating of 1 or 2 goes
    with "satisfied" (the service refuses it otherwise)."""

    quality_rating = forms.ChoiceField(label=_("Repair quality"), choices=RATINGS, widget=forms.RadioSelect)
    attitude_rating = forms.ChoiceField(
        label=_("Service attitude"), choices=RATINGS, widget=forms.RadioSelect
    )
    satisfied = forms.ChoiceField(label=_("Satisfied"), choices=YES_NO[1:], widget=forms.RadioSelect)
    confirm_low_rating = forms.BooleanField(
        label=_("Checked with the customer: a low rating, yet satisfied"),
        required=False,
        help_text=_("Needed when a rating of 1 or 2 goes with “satisfied: yes”."),
    )
    signer_name = forms.CharField(
        label=_("Name of the person signing"), max_length=64, widget=forms.TextInput(attrs=BIG)
    )
    comment = forms.CharField(
        label=_("Customer's comment"), required=False, widget=forms.Textarea(attrs={**BIG, "rows": 2})
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    stamp = forms.FileField(
        label=_("Or upload a stamp or scan"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": "image/png,image/jpeg,image/webp"}
        ),
    )

    def rating_fields(self) -> list[forms.BoundField]:
        return [self["quality_rating"], self["attitude_rating"]]

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["satisfied"] = yes_no(data["satisfied"]) is True
        data["drawn_signature"] = data.pop("signature")
        return data


class RefusalForm(VisitForm):
    refusal_reason = forms.CharField(
        label=_("Reason for refusing"), max_length=255, widget=forms.TextInput(attrs=BIG)
    )
    satisfied = forms.ChoiceField(label=_("Satisfied"), choices=YES_NO, required=False)
    comment = forms.CharField(
        label=_("Customer's comment"), required=False, widget=forms.Textarea(attrs={**BIG, "rows": 2})
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["satisfied"] = yes_no(data["satisfied"])
        data["reason"] = data.pop("refusal_reason")
        return data


class WorkOrderCompleteForm(VisitForm):
    versioned = False

    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={**BIG, "rows": 3}))
