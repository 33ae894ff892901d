"""Forms of the returns pages (R33): a new request, its draft's facts, a photo, the inputs of the
lifecycle buttons and HQ's rules. They only read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductModel
from aftersales.catalog.selectors import part_scope
from aftersales.core.autocomplete import AutocompleteSelect
from aftersales.core.forms import InputField, choice_input, line_input, text_input
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.devices.selectors import device_scope
from aftersales.workorders.selectors import workorder_scope

from .choices import InspectionResult, ItemCondition, RefundMethod, ReturnKind, ReturnReason

DATE = forms.DateInput(attrs={"type": "date"})
AREA = forms.Textarea(attrs={"rows": 2})


class _FactsForm(forms.Form):
    """The facts of a request that stay editable while it is a draft."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ReturnKind.choices)
    product_model = forms.ModelChoiceField(
        label=_("Product model"), queryset=ProductModel.objects.none(), required=False
    )
    product_text = forms.CharField(label=_("Product (not on file)"), max_length=128, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=64, required=False)
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=DATE)
    proof_of_purchase = forms.CharField(
        label=_("Proof of purchase"),
        max_length=64,
        required=False,
        help_text=_("Invoice or receipt number."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    reason_text = forms.CharField(label=_("Problem described"), required=False, widget=AREA)
    condition = forms.ChoiceField(label=_("Condition"), choices=ItemCondition.choices)
    condition_note = forms.CharField(label=_("Condition described"), required=False, widget=AREA)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        models: Any = self.fields["product_model"]
        models.queryset = ProductModel.objects.select_related("product_line").order_by("code")


class ReturnRequestForm(_FactsForm):
    """R33: a new request: the work order (by its number) or the customer, the facts, a photo."""

    work_order_number = forms.CharField(label=_("Work order number"), max_length=20, required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        widget=AutocompleteSelect("customers"),
        help_text=_("Not needed when the work order is given."),
    )
    photo = forms.FileField(label=_("Photo"), required=False)
    photo_description = forms.CharField(label=_("Photo description"), max_length=255, required=False)

    field_order = ["work_order_number", "customer", "kind"]

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        customers: Any = self.fields["customer"]
        customers.queryset = customer_scope(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        number = (data.get("work_order_number") or "").strip()
        data["work_order"] = None
        if number:
            data["work_order"] = (
                workorder_scope(self.user)
                .select_related("customer", "device", "service_point", "engineer", "product_model")
                .filter(number__iexact=number)
                .first()
            )
            if data["work_order"] is None:
                self.add_error("work_order_number", _("No work order of yours has this number."))
        serial = (data.get("serial_number") or "").strip()
        data["device"] = None
        if serial and not (data["work_order"] and data["work_order"].device_id):
            devices = device_scope(self.user).filter(serial_number__iexact=serial)
            customer = data.get("customer") or (data["work_order"].customer if data["work_order"] else None)
            if customer is not None:
                devices = devices.filter(customer=customer)
            data["device"] = devices.select_related("product_model", "customer").first()
        return data


class ReturnEditForm(_FactsForm):
    """A draft's facts."""


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


def _part_input(user) -> forms.Field:
    return forms.ModelChoiceField(
        label=_("Part taken into the defective location"),
        queryset=part_scope(user),
        required=False,
        widget=AutocompleteSelect("parts"),
    )


# The inputs of the lifecycle buttons (`core.forms.TransitionForm`).
RETURN_INPUTS: dict[str, InputField] = {
    "note": text_input(_("Note")),
    "reason": text_input(_("Reason")),
    "carrier": line_input(_("Carrier"), max_length=64),
    "tracking_number": line_input(_("Tracking number"), max_length=64),
    "inspection_result": choice_input(_("Inspection result"), InspectionResult.choices),
    "inspection_note": text_input(_("Inspection note")),
    "part": _part_input,
    "quantity": lambda user: forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=9999, required=False
    ),
    "refund_amount": lambda user: forms.DecimalField(
        label=_("Amount refunded (CNY)"), min_value=0, max_digits=14, decimal_places=2, required=False
    ),
    "refund_method": choice_input(_("Refund method"), RefundMethod.choices),
    "refund_reference": line_input(_("Refund reference"), max_length=64),
    "replacement_serial_number": line_input(_("Replacement serial number"), max_length=64),
}


class PolicyForm(forms.Form):
    """R33: HQ's rules."""

    return_days = forms.IntegerField(label=_("Return within (days of purchase)"), min_value=0, max_value=3650)
    exchange_days = forms.IntegerField(
        label=_("Exchange within (days of purchase)"), min_value=0, max_value=3650
    )
    return_conditions = forms.MultipleChoiceField(
        label=_("Conditions accepted for a return"),
        choices=ItemCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    exchange_conditions = forms.MultipleChoiceField(
        label=_("Conditions accepted for an exchange"),
        choices=ItemCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    proof_required = forms.BooleanField(label=_("Proof of purchase required"), required=False)
    follow_up_days = forms.IntegerField(label=_("Follow up within (days)"), min_value=0, max_value=365)
