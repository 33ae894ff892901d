"""Forms of the old-part, shipment and claim pages (R29, R31): they only read input, scoped to the
user; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import InputField

from .choices import InspectionResult, LineDecision
from .selectors_old_parts import packable_old_parts


def _note() -> InputField:
    return lambda user: forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


OLD_PART_INPUTS: dict[str, InputField] = {
    "inspection_result": lambda user: forms.ChoiceField(
        label=_("Inspection result"), required=False, choices=[("", "—"), *InspectionResult.choices]
    ),
    "note": _note(),
}

SHIPMENT_INPUTS: dict[str, InputField] = {
    "carrier": lambda user: forms.CharField(label=_("Carrier"), required=False, max_length=64),
    "tracking_number": lambda user: forms.CharField(
        label=_("Tracking number"), required=False, max_length=64
    ),
    "note": _note(),
}

CLAIM_INPUTS: dict[str, InputField] = {"note": _note()}


class OldPartChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} · {obj.part} ×{obj.quantity} · {obj.service_point} · {obj.work_order.number}"


class ShipmentCreateForm(forms.Form):
    """R29: the reported old parts of one service point to send to HQ (carrier and tracking number
    may wait until the parcel leaves)."""

    old_parts = OldPartChoiceField(
        label=_("Old parts"), queryset=None, widget=forms.CheckboxSelectMultiple, required=True
    )
    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)

    def __init__(self, *args, user, service_point_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["old_parts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = packable_old_parts(user, service_point_id)


class ShipmentAddForm(forms.Form):
    """R29: more reported old parts of the shipment's point."""

    old_parts = OldPartChoiceField(
        label=_("Add old parts"), queryset=None, widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, user, service_point_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["old_parts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = packable_old_parts(user, service_point_id)


class OldPartPhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    condition = forms.CharField(label=_("Condition"), max_length=255, required=False)


class PenaltyReverseForm(forms.Form):
    """R29, the appeal: why HQ cancels the penalty."""

    reason = forms.CharField(label=_("Reason"), max_length=255)


class ClaimLineDecisionForm(forms.Form):
    """R31: a line approved, or rejected with the reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(LineDecision.APPROVED, _("Approve")), (LineDecision.REJECTED, _("Reject"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class ClaimBuildForm(forms.Form):
    """R31: build a month's claims by hand (HQ), e.g. after a missed run."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
