from django import forms
from django.contrib import admin

from .choices import ItemCondition
from .models import ReturnEvent, ReturnPhoto, ReturnPolicy, ReturnRequest


class ReturnPolicyForm(forms.ModelForm):
    """The conditions as boxes to tick (stored as a list)."""

    return_conditions = forms.MultipleChoiceField(
        choices=ItemCondition.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    exchange_conditions = forms.MultipleChoiceField(
        choices=ItemCondition.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReturnPolicy
        fields = [
            "return_days",
            "exchange_days",
            "return_conditions",
            "exchange_conditions",
            "proof_required",
            "follow_up_days",
        ]


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(admin.ModelAdmin):
    """R33: the rules; the HQ page (/returns/rules/) keeps the history of changes."""

    form = ReturnPolicyForm
    list_display = [
        "__str__",
        "return_days",
        "exchange_days",
        "proof_required",
        "follow_up_days",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return not ReturnPolicy.objects.exists()

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class ReturnPhotoInline(admin.TabularInline):
    model = ReturnPhoto
    extra = 0
    fields = ["original_name", "description", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False


class ReturnEventInline(admin.TabularInline):
    model = ReturnEvent
    extra = 0
    fields = ["created_at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change through their lifecycle (pages and API)."""

    list_display = ["number", "kind", "state", "customer", "serial_number", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["number", "serial_number", "pickup_tracking_number", "replacement_tracking_number"]
    inlines = [ReturnPhotoInline, ReturnEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
