"""Input of the servicing pages. Forms only parse and validate input; the rules (states, roles,
warranty, vendors, approvals) live in `transitions` and `services` and come back as DomainErrors or
field errors, which the views put on these forms.

The inputs of the lifecycle buttons are `core.forms.TransitionForm`s built from the input fields
below (`REMOTE_INPUTS`, `PLAN_INPUTS`, `depot_inputs`, `external_inputs`): one form field per input
a transition declares."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import InputField, TransitionForm
from aftersales.core.lists import BulkForm
from aftersales.core.transitions import Machine, Transition
from aftersales.devices.choices import Payer
from aftersales.devices.entitlement import LINES, line_label
from aftersales.notifications.choices import Channel as MessageChannel

from .choices import ConfirmationMethod, ExclusionReason, RemoteMethod, SendOutReason
from .models import DepotRepair, ExternalRepair, ServicePlan
from .selectors import vendors_for
from .transitions import PLAN_FIELDS

TEXTAREA = {"rows": 2}
COST = {"min_value": 0, "max_digits": 10, "decimal_places": 2, "required": False, "label": _("Cost (CNY)")}


class RemoteStartForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=RemoteMethod.choices)
    steps = forms.CharField(label=_("Steps taken"), widget=forms.Textarea(attrs=TEXTAREA))


def warranty_line_choices(empty: str) -> list[tuple[str, str]]:
    """The lines warranty decides on (R36), as "kind" or "part:category", after `empty`."""
    return [("", empty)] + [
        (
            f"{kind}:{category}" if category else kind,
            line_label(kind, category),
        )
        for kind, category in LINES
    ]


class WarrantyLineForm(forms.Form):
    """A form naming a line as "kind" or "part:category"; cleaned into `kind` and `part_category`."""

    def clean(self) -> dict:
        data = super().clean()
        kind, _sep, category = data.pop("line", "").partition(":")
        return {**data, "kind": kind, "part_category": category}


class WarrantyExclusionForm(WarrantyLineForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ExclusionReason.choices)
    line = forms.ChoiceField(label=_("Line"), choices=warranty_line_choices(_("Every line")), required=False)
    note = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs=TEXTAREA), required=False)


class WarrantyOverrideForm(WarrantyLineForm):
    start_on = forms.DateField(
        label=_("Warranty counted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    line = forms.ChoiceField(label=_("Line"), choices=warranty_line_choices("—"), required=False)
    payer = forms.ChoiceField(label=_("Paid by"), choices=[("", "—"), *Payer.choices], required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs=TEXTAREA))


class PurchaseProofForm(forms.Form):
    """R36: the invoice the customer shows and what it says (checked by the service)."""

    file = forms.FileField(
        label=_("Invoice (photo or PDF)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )
    purchased_on = forms.DateField(label=_("Purchase date"), widget=forms.DateInput(attrs={"type": "date"}))
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=64, required=False)
    seller = forms.CharField(label=_("Seller"), max_length=128, required=False)


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


class DepotPartForm(forms.Form):
    """R12, R32: a part replaced in the depot, from the service point's store unless unticked."""

    part_number = forms.CharField(label=_("Part number"), max_length=64)
    name = forms.CharField(
        label=_("Part name"),
        max_length=128,
        required=False,
        help_text=_("Filled in from the catalog for a catalog part."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999, initial=1)
    from_store = forms.BooleanField(label=_("From the service point's store"), required=False, initial=True)
    old_serial_number = forms.CharField(
        label=_("Serial number of the part taken out"), max_length=64, required=False
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What the vendor said"), widget=forms.Textarea(attrs=TEXTAREA))


class BulkFollowUpForm(BulkForm):
    """One contact with a vendor about every ticked device still there (R14)."""

    note = forms.CharField(label=_("What the vendor said"), max_length=1000)


# --- the inputs of the lifecycle buttons ------------------------------------------------------------


def _text(label, *, required: bool = True) -> InputField:
    return lambda user: forms.CharField(label=label, required=required, widget=forms.Textarea(attrs=TEXTAREA))


def _line(label, max_length: int = 64) -> InputField:
    return lambda user: forms.CharField(label=label, max_length=max_length)


def _choice(label, choices, **kwargs) -> InputField:
    return lambda user: forms.ChoiceField(label=label, choices=choices, **kwargs)


def _cost(user) -> forms.Field:
    return forms.DecimalField(**COST)


REMOTE_INPUTS: dict[str, InputField] = {
    "result": _text(_("Outcome")),
    "steps": _text(_("Further steps"), required=False),
    "complete_work_order": lambda user: forms.BooleanField(
        label=_("Complete the work order with this outcome"), required=False
    ),
}

PLAN_INPUTS: dict[str, InputField] = {
    "sent_via": _choice(_("Send by"), MessageChannel.choices, initial=MessageChannel.SMS),
    "confirmed_by_name": _line(_("Confirmed by (customer)")),
    "confirmation_method": _choice(_("Confirmed how"), ConfirmationMethod.choices),
    "reason": _text(_("Customer's reason")),
}


def _send_out_inputs(work_order) -> dict[str, InputField]:
    """R14: the vendor (only those repairing the product line), why, who agreed, the voucher."""
    return {
        "vendor": lambda user: forms.ModelChoiceField(label=_("Vendor"), queryset=vendors_for(work_order)),
        "reason": _choice(_("Reason for sending out"), SendOutReason.choices),
        "vendor_contact": lambda user: forms.CharField(
            label=_("Contacted at the vendor"),
            max_length=64,
            help_text=_("The person at the vendor who agreed to take the device."),
        ),
        "voucher_number": _line(_("Pickup voucher number")),
        "voucher_photo": lambda user: forms.FileField(
            label=_("Pickup voucher photo"),
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
            help_text=_("A photo of the voucher; checked like every attachment."),
        ),
    }


def depot_inputs(repair: DepotRepair) -> dict[str, InputField]:
    return {
        "appearance": _text(_("Appearance")),
        "configuration": _text(_("Configuration")),
        "fault_found": _text(_("Fault found"), required=False),
        "photos": lambda user: MultipleImageField(label=_("Photos"), required=False),
        **_send_out_inputs(repair.work_order),
        "result": _text(_("Re-check result")),
        "handed_back_to": _line(_("Handed back to")),
        "confirmation_method": _choice(_("Customer confirmed how"), ConfirmationMethod.choices),
    }


def external_inputs(external: ExternalRepair, transition: Transition) -> dict[str, InputField]:
    """ "reason" is why the device goes out again for "resend", why it is unrepairable otherwise."""
    if transition.name == "resend":
        return _send_out_inputs(external.work_order)
    return {
        "vendor_report": _text(_("Vendor's repair report"), required=False),
        "reason": _text(_("Why unrepairable")),
        "result": _text(_("Re-check result")),
        "cost": _cost,
    }


def action_form(
    kind: str, machine: Machine, obj, transition: Transition, user, data=None, files=None
) -> TransitionForm:
    """The form behind one button of record `obj` (`kind`: remote, plan, depot, external), its ids
    unique on a page that shows several records."""
    fields: Mapping[str, InputField]
    if kind == "remote":
        fields = REMOTE_INPUTS
    elif kind == "plan":
        fields = PLAN_INPUTS
    elif kind == "depot":
        fields = depot_inputs(obj)
    else:
        fields = external_inputs(obj, transition)
    return TransitionForm(
        data,
        files,
        machine=machine,
        transition=transition,
        fields=fields,
        user=user,
        auto_id=f"id_{kind}_{obj.pk}_{transition.name}_%s",
    )
