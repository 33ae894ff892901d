"""Forms of the work-order pages. They collect and shape input only; services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import engineers_in_scope, service_points_in_scope
from aftersales.core.autocomplete import AutocompleteSelect
from aftersales.core.forms import AddressFields, InputField, choice_input, text_input
from aftersales.core.lists import BulkForm
from aftersales.core.phones import phone_display
from aftersales.customers.choices import CustomerKind
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.devices.models import Device
from aftersales.devices.selectors import device_scope

from .choices import Channel, NoteVisibility, Priority, ProposedHandling, WaitingReason, WorkOrderType
from .models import WorkOrder
from .privacy import workorder_in_full


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Engineer) -> str:
        return f"{obj.user.display_name} · {obj.service_point.name}"


# Service field names the intake and edit forms show under another name.
WORKORDER_FIELD_ALIASES = {"product_model": "device_model_text", "contact": "contact_name"}

TEXTAREA = {"rows": 2}


SERVICE_ADDRESS = AddressFields("service_")


class WorkOrderDataForm(forms.Form):
    """The data fields shared by intake and edit (R2, R4, R7)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    type = forms.ChoiceField(label=_("Type"), choices=WorkOrderType.choices, initial=WorkOrderType.REPAIR)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    contact_name = forms.CharField(label=_("Contact person"), max_length=64)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    device_model_text = forms.CharField(
        label=_("Device model"),
        max_length=128,
        required=False,
        help_text=_("Free text when the device is not on file yet."),
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=64, required=False)
    part_model = forms.CharField(label=_("Consumable / part model"), max_length=128, required=False)
    purchase_date = forms.DateField(
        label=_("Purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    fault_symptom = forms.CharField(
        label=_("Fault symptom / service need"), widget=forms.Textarea(attrs={"rows": 3})
    )
    error_messages = forms.CharField(
        label=_("Error messages shown"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    recent_operations = forms.CharField(
        label=_("Recent special operations"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    fault_category = forms.CharField(label=_("Fault category"), max_length=64, required=False)
    probable_cause = forms.CharField(
        label=_("Probable cause"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    proposed_handling = forms.ChoiceField(
        label=_("Proposed handling"),
        choices=[("", "---------"), *ProposedHandling.choices],
        required=False,
    )
    estimated_hours = forms.DecimalField(
        label=_("Estimated hours"), max_digits=6, decimal_places=1, min_value=0, required=False
    )
    service_point = forms.ModelChoiceField(
        label=_("Service point"), queryset=ServicePoint.objects.none(), required=False
    )

    DATA_FIELDS = (
        "channel",
        "type",
        "priority",
        "contact_name",
        "contact_phone",
        "device_model_text",
        "serial_number",
        "part_model",
        "purchase_date",
        "fault_symptom",
        "error_messages",
        "recent_operations",
        "fault_category",
        "probable_cause",
        "proposed_handling",
        "estimated_hours",
        "service_point",
        "service_province",
        "service_city",
        "service_district",
        "service_address",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # where the service is done, when not at the customer's address (R5: dispatch routes by it)
        self.fields.update(SERVICE_ADDRESS.fields())
        SERVICE_ADDRESS.bind(self)
        if user.sees_whole_company or user.role == Role.DEALER_STAFF:
            self.fields["service_point"].queryset = service_points_in_scope(user)
            # Scoped users must keep the work order inside what they can see.
            self.fields["service_point"].required = not user.sees_whole_company
        else:
            del self.fields["service_point"]

    def workorder_fields(self) -> dict[str, Any]:
        """The cleaned data under the names the work-order services take."""
        return {name: self.cleaned_data[name] for name in self.DATA_FIELDS if name in self.fields}


NEW_CUSTOMER_ADDRESS = AddressFields("new_customer_")


class IntakeForm(WorkOrderDataForm):
    """A request taken on the phone: who calls, about which device, what is wrong (R1-R4, R7)."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    customer_label = forms.CharField(required=False, widget=forms.HiddenInput)
    new_customer = forms.BooleanField(label=_("New customer"), required=False)
    new_customer_name = forms.CharField(label=_("Customer name"), max_length=128, required=False)
    new_customer_phone = forms.CharField(
        label=_("Customer phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    new_customer_kind = forms.ChoiceField(
        label=_("Customer kind"), choices=CustomerKind.choices, initial=CustomerKind.COMPANY
    )
    device = forms.ModelChoiceField(queryset=Device.objects.none(), required=False, widget=forms.HiddenInput)
    device_label = forms.CharField(required=False, widget=forms.HiddenInput)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_(
            "Empty: now. When the request came in earlier (a voicemail, an e-mail read later): the "
            "service-level clocks start then."
        ),
    )
    resolved_at_first_contact = forms.BooleanField(
        label=_("Resolved at first contact"),
        required=False,
        help_text=_("A consultation answered on the call is closed right away."),
    )
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # A new customer's address, picked in cascade: dispatch routes by it (R5)
        self.fields.update(NEW_CUSTOMER_ADDRESS.fields())
        NEW_CUSTOMER_ADDRESS.bind(self)
        self.fields["customer"].queryset = customer_scope(user)
        # with its product line: dispatch (R5, R38) and the SLA policy (R34) ask for it at intake
        self.fields["device"].queryset = device_scope(user).select_related("product_model__product_line")
        if "service_point" in self.fields and user.service_point_id:
            self.fields["service_point"].initial = user.service_point_id

    def clean(self):
        data = super().clean()
        if data.get("new_customer"):
            if not (data.get("new_customer_name") or "").strip():
                self.add_error("new_customer_name", _("Enter the customer's name."))
            if not (data.get("new_customer_phone") or "").strip():
                self.add_error("new_customer_phone", _("Enter the customer's phone number."))
            NEW_CUSTOMER_ADDRESS.clean_address(self, required=True)
        elif not data.get("customer") and "customer" not in self.errors:
            self.add_error("customer", _("Look up the customer, or enter a new customer."))
        return data

    def workorder_fields(self) -> dict[str, Any]:
        fields = super().workorder_fields()
        fields["device"] = self.cleaned_data.get("device")
        fields["received_at"] = self.cleaned_data.get("received_at")
        return fields


class WorkOrderEditForm(WorkOrderDataForm):
    """The data of an existing work order, saved only over the version it was read at (R41)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, work_order: WorkOrder, user, **kwargs):
        if "data" not in kwargs and not args:
            kwargs["initial"] = self.initial_from(work_order)
        super().__init__(*args, user=user, **kwargs)
        if not workorder_in_full(user, work_order):
            # Masked values cannot be edited; they stay as they are (R41).
            del self.fields["contact_phone"]
            del self.fields["service_address"]

    @classmethod
    def initial_from(cls, work_order: WorkOrder) -> dict[str, Any]:
        initial = {name: getattr(work_order, name) for name in cls.DATA_FIELDS}
        initial["service_point"] = work_order.service_point_id
        initial["contact_phone"] = phone_display(work_order.contact_phone)
        initial["version"] = work_order.version
        return initial


# The inputs of the lifecycle buttons (transitions.py declares which transition takes which).
TRANSITION_FIELDS: dict[str, InputField] = {
    # chosen with the combobox: the work-order page does not render every engineer (issue 9)
    "engineer": lambda user: EngineerChoiceField(
        label=_("Engineer"),
        queryset=engineers_in_scope(user),
        required=False,
        widget=AutocompleteSelect("engineers"),
    ),
    "waiting_reason": choice_input(_("Waiting for"), WaitingReason.choices),
    "resolution": text_input(_("Resolution")),
    "note": text_input(_("Note")),
}


class BulkAssignForm(BulkForm):
    """The engineer a bulk "assign" gives the ticked work orders (the choices: the user's scope)."""

    # Chosen with the combobox: the list page does not render every engineer (issue 9).
    engineer = EngineerChoiceField(
        label=_("Engineer"),
        queryset=Engineer.objects.none(),
        widget=AutocompleteSelect("engineers", attrs={"aria-label": _("Engineer")}),
    )

    def __init__(self, user, *args: Any, **kwargs: Any):
        super().__init__(user, *args, **kwargs)
        self.fields["engineer"].queryset = engineers_in_scope(user)


class BulkPriorityForm(BulkForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=NoteVisibility.choices, initial=NoteVisibility.INTERNAL
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
        help_text=_("Images or PDF."),
    )
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
