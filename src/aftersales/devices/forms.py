"""Forms of the device pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductLine


class DeviceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Serial number, customer or model")}),
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.all(),
        required=False,
        empty_label=_("All product lines"),
    )
