"""Forms of the service-contract pages (R35). They collect and shape input only; the services
decide (devices of the customer, the term, the plan's contract) and their errors come back onto
the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.autocomplete import AutocompleteSelect
from aftersales.core.forms import InputField, TransitionForm, text_input
from aftersales.core.transitions import Transition
from aftersales.customers.selectors import customer_scope

from .choices import ContractKind, DateShift
from .models import Device
from .services import COVER_FIELDS
from .transitions import CONTRACT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeviceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Device) -> str:
        return f"{obj.serial_number} · {obj.product_model.name}"


class ContractCustomerForm(forms.Form):
    """The first step of selling a contract: whose devices it covers."""

    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=None,
        widget=AutocompleteSelect("customers"),  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_scope(user)


class ContractForm(forms.Form):
    """R35: a contract sold to one customer on some of its devices (checked by the service too)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    devices = DeviceChoiceField(
        label=_("Devices"),
        queryset=Device.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, help_text=_("The last day covered."))
    price = forms.DecimalField(label=_("Price (CNY)"), min_value=0, max_digits=14, decimal_places=2)
    visits_included = forms.IntegerField(label=_("Maintenance visits included"), min_value=0, initial=0)
    covers_diagnosis = forms.BooleanField(label=_("covers the diagnosis fee"), required=False, initial=True)
    covers_visit = forms.BooleanField(label=_("covers the visit fee"), required=False, initial=True)
    covers_labour = forms.BooleanField(label=_("covers labour"), required=False, initial=True)
    covers_travel = forms.BooleanField(label=_("covers travel and logistics"), required=False)
    covers_normal_parts = forms.BooleanField(label=_("covers normal parts"), required=False, initial=True)
    covers_wear_parts = forms.BooleanField(label=_("covers wear parts"), required=False)
    covers_consumables = forms.BooleanField(label=_("covers consumables"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, customer, **kwargs: Any):
        kwargs.setdefault("auto_id", "id_contract_%s")
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["devices"].queryset = (
            Device.objects.filter(customer=customer).select_related("product_model").order_by("serial_number")
        )

    def create_kwargs(self) -> dict[str, Any]:
        """The cleaned data under the names `services.contract_create` takes."""
        data = self.cleaned_data
        return {
            "customer": self.customer,
            "devices": list(data["devices"]),
            "kind": data["kind"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "price": data["price"],
            "visits_included": data["visits_included"],
            "notes": data["notes"],
            **{name: data[name] for name in COVER_FIELDS},
        }


class MaintenancePlanForm(forms.Form):
    """R35: a maintenance plan on a maintenance or bundle contract."""

    every_n_months = forms.IntegerField(label=_("Every (months)"), min_value=1, max_value=60, initial=6)
    first_due_on = forms.DateField(label=_("First due on"), widget=DATE)
    lead_days = forms.IntegerField(
        label=_("Work order created (days ahead)"), min_value=0, max_value=90, initial=7
    )
    shift = forms.ChoiceField(
        label=_("On a non-working day"), choices=DateShift.choices, initial=DateShift.EARLIER
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "id_plan_%s")
        super().__init__(*args, **kwargs)


CONTRACT_INPUTS: dict[str, InputField] = {"reason": text_input(_("Reason"))}


class ContractActionForm(TransitionForm):
    """The small form behind one button of a contract (the reason for cancelling)."""

    def __init__(self, *args: Any, transition: Transition, user, **kwargs: Any):
        super().__init__(
            *args, machine=CONTRACT, transition=transition, fields=CONTRACT_INPUTS, user=user, **kwargs
        )
