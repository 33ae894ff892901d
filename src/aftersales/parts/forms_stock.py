"""Forms of the stock desk (R32): a receipt, a scrap, a transfer with its lines, a count sheet, a
reorder rule, and the inputs of the transfer and count buttons. They only read input; the services
decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.autocomplete import AutocompleteSelect, AutocompleteSelectMultiple
from aftersales.core.forms import InputField
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from .models import Warehouse
from .selectors_stock import destination_scope, warehouse_scope

MAX_LINES = 10


def _part_field(required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.none(), required=required, widget=AutocompleteSelect("parts")
    )


def _quantity_field(label=None) -> forms.IntegerField:
    return forms.IntegerField(label=label or _("Quantity"), min_value=1, max_value=1_000_000)


class _PartForm(forms.Form):
    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("part",):
            if name in self.fields:
                self.fields[name].queryset = part_scope(user).filter(is_active=True)


class ReceiptForm(_PartForm):
    """R32: purchased parts received at their unit cost (HQ)."""

    part = _part_field()
    quantity = _quantity_field()
    unit_cost = forms.DecimalField(label=_("Unit cost (CNY)"), min_value=0, max_digits=14, decimal_places=2)
    reference = forms.CharField(label=_("Delivery note or order number"), max_length=32, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ScrapForm(_PartForm):
    """R32: parts written off, with the reason."""

    part = _part_field()
    quantity = _quantity_field()
    reason = forms.CharField(label=_("Reason"), max_length=255)


class TransferForm(forms.Form):
    """R32: a transfer's warehouses (from the user's own, to any active one they may send to),
    the work order it is for, and a note; its lines come with it (`TransferLineFormSet`)."""

    source = forms.ModelChoiceField(
        label=_("From"), queryset=Warehouse.objects.none(), widget=AutocompleteSelect("warehouses")
    )
    destination = forms.ModelChoiceField(
        label=_("To"), queryset=Warehouse.objects.none(), widget=AutocompleteSelect("stock-destinations")
    )
    work_order = forms.CharField(
        label=_("For work order"), max_length=32, required=False, help_text=_("Its number, if any.")
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["source"].queryset = warehouse_scope(user).filter(is_active=True)
        self.fields["destination"].queryset = destination_scope(user)

    def clean_work_order(self) -> WorkOrder | None:
        number = (self.cleaned_data.get("work_order") or "").strip().upper()
        if not number:
            return None
        found = workorder_scope(self.user).filter(number=number).first()
        if found is None:
            raise forms.ValidationError(_("No work order with this number."))
        return found


class TransferLineForm(_PartForm):
    part = _part_field(required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("part") and not data.get("quantity"):
            self.add_error("quantity", _("How many?"))
        if data.get("quantity") and not data.get("part"):
            self.add_error("part", _("Which part?"))
        return data


class _LineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, user, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user}

    @property
    def empty_form(self):  # the template for a row added in the browser
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), user=self.user)
        self.add_fields(form, None)
        return form

    def lines(self) -> list[tuple[Part, int]]:
        return [
            (form.cleaned_data["part"], form.cleaned_data["quantity"])
            for form in self.forms
            if form.cleaned_data.get("part") and form.cleaned_data.get("quantity")
        ]


TransferLineFormSet = forms.formset_factory(
    TransferLineForm, formset=_LineFormSet, extra=3, max_num=MAX_LINES, validate_max=True
)


class TransferLineAddForm(_PartForm):
    """A part added to a draft transfer."""

    part = _part_field()
    quantity = _quantity_field()


class CountForm(forms.Form):
    """R32: a count sheet of a warehouse: every part it holds, or the parts chosen."""

    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), widget=AutocompleteSelect("warehouses")
    )
    parts = forms.ModelMultipleChoiceField(
        label=_("Only these parts"),
        queryset=Part.objects.none(),
        required=False,
        widget=AutocompleteSelectMultiple("parts"),
        help_text=_("Leave empty to count every part the warehouse holds."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouse_scope(user).filter(is_active=True)
        self.fields["parts"].queryset = part_scope(user)


class ReorderRuleForm(_PartForm):
    """R32: keep at least the reorder point of a part in a warehouse, ordering up to a target."""

    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), widget=AutocompleteSelect("warehouses")
    )
    part = _part_field()
    minimum = forms.IntegerField(label=_("Reorder point"), min_value=0, max_value=1_000_000)
    target = forms.IntegerField(label=_("Order up to"), min_value=1, max_value=1_000_000)

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self.fields["warehouse"].queryset = warehouse_scope(user).filter(is_active=True)


class ReorderRuleChangeForm(forms.Form):
    minimum = forms.IntegerField(label=_("Reorder point"), min_value=0, max_value=1_000_000)
    target = forms.IntegerField(label=_("Order up to"), min_value=1, max_value=1_000_000)


def _text(label) -> InputField:
    return lambda user: forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


def _line(label, max_length: int = 64) -> InputField:
    return lambda user: forms.CharField(label=label, required=False, max_length=max_length)


# The inputs of the transfer and count buttons (core.forms.TransitionForm).
STOCK_INPUTS: dict[str, InputField] = {
    "carrier": _line(_("Carrier")),
    "tracking_number": _line(_("Tracking number")),
    "reason": _text(_("Reason")),
    "note": _text(_("Note")),
}
