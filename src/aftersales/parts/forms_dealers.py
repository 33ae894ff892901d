"""Forms of the dealer network's pages: a part request and its lines (R28), HQ's confirmation of
its lines, the lifecycle buttons' inputs, finance's payment, credit limit and reversal. They only
read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import ServicePoint
from aftersales.accounts.selectors import service_points_in_scope
from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.autocomplete import AutocompleteSelect
from aftersales.core.forms import InputField, line_input, text_input

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class PartRequestForm(forms.Form):
    """R28: where the parts go (one of the dealer's service points) and a first part."""

    service_point = forms.ModelChoiceField(label=_("Deliver to"), queryset=ServicePoint.objects.none())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    part = forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.none(), required=False, widget=AutocompleteSelect("parts")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999, initial=1, required=False)

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        points: Any = self.fields["service_point"]
        points.queryset = service_points_in_scope(user).filter(dealer_id=user.dealer_id).order_by("code")
        parts: Any = self.fields["part"]
        parts.queryset = part_scope(user)


class PartRequestLineForm(forms.Form):
    """R28: a part and how many of it."""

    part = forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.none(), widget=AutocompleteSelect("parts")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999, initial=1)

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        parts: Any = self.fields["part"]
        parts.queryset = part_scope(user)


class LineQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999)


class ConfirmForm(forms.Form):
    """R28, R30: HQ's confirmation: a quantity and a unit cost per line (`quantity_<id>`,
    `unit_cost_<id>`; empty: as asked / the cost price list's), the estimated ship date."""

    expected_ship_date = forms.DateField(
        label=_("Estimated ship date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, lines, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"quantity_{line.pk}"] = forms.IntegerField(
                label=_("Confirmed quantity"), min_value=0, max_value=9999, required=False
            )
            self.fields[f"unit_cost_{line.pk}"] = forms.DecimalField(
                label=_("Unit cost (CNY)"), min_value=0, required=False, **AMOUNT
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"quantity_{line.pk}"], self[f"unit_cost_{line.pk}"]) for line in self.lines]

    def inputs(self) -> dict[str, Any]:
        """The transition's inputs: the ship date, the note and the lines HQ filled in."""
        data = self.cleaned_data
        lines = []
        for line in self.lines:
            quantity, cost = data.get(f"quantity_{line.pk}"), data.get(f"unit_cost_{line.pk}")
            if quantity is not None or cost is not None:
                lines.append({"line": line.pk, "quantity": quantity, "unit_cost": cost})
        inputs = {"expected_ship_date": data.get("expected_ship_date"), "note": data.get("note") or None}
        if lines:
            inputs["lines"] = lines
        return inputs


REQUEST_INPUTS: dict[str, InputField] = {
    "note": text_input(_("Note")),
    "reason": text_input(_("Reason")),
    "carrier": line_input(_("Carrier"), max_length=64),
    "tracking_number": line_input(_("Tracking number"), max_length=64),
    "approve_over_limit": lambda user: forms.BooleanField(
        label=_("Approve going over the credit limit"), required=False
    ),
}


class PaymentForm(forms.Form):
    """R28: money received from the dealer."""

    amount = forms.DecimalField(label=_("Amount received (CNY)"), min_value=0, **AMOUNT)
    reference = forms.CharField(label=_("Bank reference"), max_length=32, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class CreditLimitForm(forms.Form):
    credit_limit = forms.DecimalField(
        label=_("Credit limit (CNY)"), min_value=0, required=False, help_text=_("Empty: no limit."), **AMOUNT
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
