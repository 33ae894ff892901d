"""Input of the servicing pages. Forms only parse and validate input; the rules (states, roles,
warranty, vendors, approvals) live in `services`/`repairs` and come back as DomainErrors or field
errors, which the views put on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.notifications.choices import Channel as MessageChannel

from .choices import ConfirmationMethod, RemoteMethod, SendOutReason
from .models import ServicePlan, Vendor
from .services import PLAN_FIELDS

TEXTAREA = {"rows": 2}
COST = {"min_value": 0, "max_digits": 10, "decimal_places": 2, "required": False, "label": _("Cost (CNY)")}


class RemoteStartForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=RemoteMethod.choices)
    steps = forms.CharField(label=_("Steps taken"), widget=forms.Textarea(attrs=TEXTAREA))


class RemoteOutcomeForm(forms.Form):
    result = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs=TEXTAREA))
    steps = forms.CharField(label=_("Further steps"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class RemoteSolveForm(RemoteOutcomeForm):
    complete_work_order = forms.BooleanField(
        label=_("Complete the work order with this outcome"), required=False
    )


class PlanForm(forms.ModelForm):
    """The content of a plan (R8): parsed here, saved by `services.plan_create`/`plan_update`."""

    class Meta:
        model = ServicePlan
        fields = list(PLAN_FIELDS)
        widgets = {
            "measures": forms.Textarea(attrs={"rows": 4}),
            "parts": forms.Textarea(attrs=TEXTAREA),
            "tools": forms.Textarea(attrs=TEXTAREA),
            "fee_note": forms.Textarea(attrs=TEXTAREA),
        }
        help_texts = {
            "fee_note": _("The charging standard and why it applies; prices come with the quote."),
        }

    def _post_clean(self) -> None:
        """No model validation here: the service validates the whole plan once."""


class PlanReviseForm(PlanForm):
    reason = forms.CharField(label=_("Reason for the revision"), widget=forms.Textarea(attrs=TEXTAREA))

    field_order = ["reason", *PLAN_FIELDS]


class PlanSendForm(forms.Form):
    sent_via = forms.ChoiceField(
        label=_("Send by"), choices=MessageChannel.choices, initial=MessageChannel.SMS
    )


class PlanConfirmForm(forms.Form):
    confirmed_by_name = forms.CharField(label=_("Confirmed by (customer)"), max_length=64)
    confirmation_method = forms.ChoiceField(label=_("Confirmed how"), choices=ConfirmationMethod.choices)


class PlanRejectForm(forms.Form):
    reason = forms.CharField(label=_("Customer's reason"), widget=forms.Textarea(attrs=TEXTAREA))


class EmptyForm(forms.Form):
    """An action without input (approve, start the repair)."""


class DepotReceiveForm(forms.Form):
    accessories = forms.CharField(
        label=_("Received with"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Accessories, cables, consumables that came with the device."),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; the attachment service checks each file's type and size."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


class DepotInspectForm(forms.Form):
    appearance = forms.CharField(label=_("Appearance"), widget=forms.Textarea(attrs=TEXTAREA))
    configuration = forms.CharField(label=_("Configuration"), widget=forms.Textarea(attrs=TEXTAREA))
    fault_found = forms.CharField(
        label=_("Fault found"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    photos = MultipleImageField(label=_("Photos"), required=False)


class RepairLogForm(forms.Form):
    work_done = forms.CharField(label=_("Work done"), widget=forms.Textarea(attrs=TEXTAREA))
    measurements = forms.CharField(
        label=_("Measurements"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    performed_at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: now."),
    )


class RecheckForm(forms.Form):
    result = forms.CharField(label=_("Re-check result"), widget=forms.Textarea(attrs=TEXTAREA))


class HandBackForm(forms.Form):
    handed_back_to = forms.CharField(label=_("Handed back to"), max_length=64)
    confirmation_method = forms.ChoiceField(
        label=_("Customer confirmed how"), choices=ConfirmationMethod.choices
    )


class SendOutForm(forms.Form):
    """R14: the vendor (only those repairing the product line), why, who agreed, the voucher."""

    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    reason = forms.ChoiceField(label=_("Reason for sending out"), choices=SendOutReason.choices)
    vendor_contact = forms.CharField(
        label=_("Contacted at the vendor"),
        max_length=64,
        help_text=_("The person at the vendor who agreed to take the device."),
    )
    voucher_number = forms.CharField(label=_("Pickup voucher number"), max_length=64)
    voucher_photo = forms.FileField(
        label=_("Pickup voucher photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("A photo of the voucher; checked like every attachment."),
    )

    def __init__(self, *args, vendors=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if vendors is not None:
            self.fields["vendor"].queryset = vendors


class ExternalReceiveForm(forms.Form):
    vendor_report = forms.CharField(
        label=_("Vendor's repair report"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    cost = forms.DecimalField(**COST)


class UnrepairableForm(forms.Form):
    reason = forms.CharField(label=_("Why unrepairable"), widget=forms.Textarea(attrs=TEXTAREA))
    cost = forms.DecimalField(**COST)


class ExternalCompleteForm(forms.Form):
    cost = forms.DecimalField(**COST)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What the vendor said"), widget=forms.Textarea(attrs=TEXTAREA))
