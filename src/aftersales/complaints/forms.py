"""Forms of the complaint and difficult-case pages. They collect and shape input only; the
services decide (required inputs, roles, states) and their errors come back onto the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.forms import InputField, TransitionForm
from aftersales.core.transitions import Machine, Transition
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from .choices import ComplaintCategory, ComplaintSource, Severity
from .models import CaseCriteria
from .selectors import case_handler_choices, case_levels, case_next_level
from .transitions import CASE, COMPLAINT

TEXTAREA = {"rows": 3}


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


class ComplaintRegisterForm(forms.Form):
    """The complaint form (客户投诉处理单, R26): a work order by its number, or the customer."""

    work_order_number = forms.CharField(
        label=_("Work order number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty for a complaint about no particular work order."),
    )
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    customer_label = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Complainant"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("Complainant phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=ComplaintSource.choices, initial=ComplaintSource.HOTLINE
    )
    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    people = UserMultipleChoiceField(
        label=_("People involved"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The staff the complaint is about; they and their supervisors get the feedback."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = customer_scope(user)
        self.fields["people"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean_work_order_number(self) -> WorkOrder | None:
        number = self.cleaned_data["work_order_number"].strip().upper()
        if not number:
            return None
        work_order = workorder_scope(self.user).filter(number=number).select_related("customer").first()
        if work_order is None:
            raise forms.ValidationError(_("No work order with this number."))
        return work_order

    def register_kwargs(self) -> dict[str, Any]:
        """The cleaned data under the names `services.complaint_register` takes."""
        data = self.cleaned_data
        return {
            "work_order": data["work_order_number"],
            "customer": data.get("customer"),
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "source": data["source"],
            "category": data["category"],
            "severity": data["severity"],
            "description": data["description"],
            "people": data["people"],
        }


# --- the inputs of the lifecycle buttons ------------------------------------------------------------


def _text(label, **kwargs) -> InputField:
    return lambda user: forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs=TEXTAREA), **kwargs
    )


def _flag(label) -> InputField:
    return lambda user: forms.BooleanField(label=label, required=False)


COMPLAINT_INPUTS: dict[str, InputField] = {
    "is_authentic": _flag(_("The complaint is authentic")),
    "is_reasonable": _flag(_("The complaint is reasonable")),
    "note": _text(_("Note")),
    "cause": _text(_("Cause")),
    "measures": _text(_("Measures taken")),
    "feedback": _text(
        _("Feedback to the customer"),
        help_text=_("Sent to the customer; the people involved and their supervisors are told too."),
    ),
}
CASE_INPUTS: dict[str, InputField] = {
    "handler": lambda user: UserChoiceField(label=_("Handler"), queryset=User.objects.none(), required=False),
    "note": _text(_("Note")),
    "result": _text(_("Result")),
}


class LifecycleForm(TransitionForm):
    """The small form behind one button of a complaint or case: the inputs its transition declares
    (none required here: the transition says what is missing, and it lands on the field), some
    labelled for that transition."""

    machine: Machine
    input_fields: dict[str, InputField] = {}
    LABELS: dict[str, dict[str, Any]] = {}

    def __init__(self, *args, transition: Transition, user, obj=None, **kwargs):
        super().__init__(
            *args, machine=self.machine, transition=transition, fields=self.input_fields, user=user, **kwargs
        )
        for name, label in self.LABELS.get(transition.name, {}).items():
            self.fields[name].label = label

    def inputs_given(self) -> dict[str, Any]:
        return self.run_kwargs()["inputs"]


class ComplaintActionForm(LifecycleForm):
    machine = COMPLAINT
    input_fields = COMPLAINT_INPUTS
    LABELS = {"accept": {"note": _("Assessment note")}, "reject": {"note": _("Reason for rejection")}}


class CaseActionForm(LifecycleForm):
    machine = CASE
    input_fields = CASE_INPUTS
    LABELS = {
        "escalate": {
            "handler": _("Handler at the next level"),
            "note": _("Why it is beyond the handler's authority"),
        },
        "record": {"note": _("Handling step")},
        "reopen": {"note": _("Reason")},
    }

    def __init__(self, *args, transition: Transition, user, obj=None, **kwargs):
        super().__init__(*args, transition=transition, user=user, obj=obj, **kwargs)
        if "handler" in self.fields and obj is not None:
            self.fields["handler"].queryset = case_handler_choices(case_next_level(obj.level))


def open_prefix(work_order_pk: int) -> str:
    """The prefix of a work order's "open a case" form, on the proposals and work-order pages."""
    return f"wo{work_order_pk}"


class CaseOpenForm(forms.Form):
    """Confirm a proposed work order as a difficult case with its level-1 handler (R27)."""

    handler = UserChoiceField(label=_("Handler"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the work order meets no criterion."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_open_%s")
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = case_handler_choices(case_levels().get(1))


class CaseCriteriaForm(forms.ModelForm):
    """The difficult-case criteria (R27)."""

    class Meta:
        model = CaseCriteria
        fields = [
            "repeat_enabled",
            "repeat_days",
            "repeat_min_orders",
            "sla_breach_enabled",
            "complaint_enabled",
            "value_enabled",
            "value_threshold",
        ]
