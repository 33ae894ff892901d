"""Forms of the customer pages; they only collect input, the services do the writing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Dealer
from aftersales.core.forms import AddressFields

from .choices import CustomerKind


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has it, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


ADDRESS = AddressFields("")


class CustomerCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices, initial=CustomerKind.COMPANY)
    name = forms.CharField(label=_("Name"), max_length=128)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, help_text=_("Mobile or landline, e.g. 13812345678")
    )
    email = forms.EmailField(label=_("Email"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=64, required=False)
    dealer = forms.ModelChoiceField(
        label=_("Served by dealer"),
        queryset=Dealer.objects.filter(is_active=True),
        required=False,
        empty_label=_("HQ directly"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The region picked in cascade (R5: dispatch routes by it), before the dealer
        dealer = self.fields.pop("dealer")
        self.fields.update(ADDRESS.fields())
        self.fields["dealer"] = dealer
        ADDRESS.bind(self)
        if user is None or not user.sees_whole_company:
            # Dealer staff create customers of their own dealer (the service fills it in).
            del self.fields["dealer"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        ADDRESS.clean_address(self, required=False)
        return data
