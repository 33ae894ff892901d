"""Product lines, models, the parts catalog, price lists and fee standards in the admin."""

from django.contrib import admin
from django.utils import timezone

from .models import (
    FeeSchedule,
    FeeStandard,
    Part,
    PartSubstitute,
    PriceList,
    PriceListItem,
    ProductLine,
    ProductModel,
)


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "product_line", "kind", "warranty_months", "is_active"]
    list_filter = ["product_line", "kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["product_line"]
    autocomplete_fields = ["product_line"]


class PartSubstituteInline(admin.TabularInline):
    """The part's own substitutes (links other parts hold both ways show on their page)."""

    model = PartSubstitute
    fk_name = "part"
    fields = ["substitute", "both_ways", "note"]
    autocomplete_fields = ["substitute"]
    extra = 0


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    """Parts are validated by the model (number normalised and unique; no self-substitute)."""

    list_display = ["number", "name", "category", "unit", "serialised", "is_active"]
    list_filter = ["category", "is_active", "serialised"]
    search_fields = ["number", "name"]
    filter_horizontal = ["fits"]
    inlines = [PartSubstituteInline]


# --- price lists and fee standards ----------------------------------------------------------------
# The prices of a list (the standards of an edition) are edited here only before it comes into
# effect, like everywhere else (catalog.services): once in effect, the inline is read-only and the
# start and region are fixed; a new version is made from the list's page.


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    fields = ["part", "cost_price", "retail_price"]
    autocomplete_fields = ["part"]
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.items_editable(timezone.localdate())

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "province", "effective_from", "effective_until", "is_active"]
    list_filter = ["is_active", "province"]
    search_fields = ["name"]
    inlines = [PriceListItemInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version"]
        if obj.items_editable(timezone.localdate()):
            return ["name", "version"]
        return ["name", "version", "effective_from", "province"]


class FeeStandardInline(admin.TabularInline):
    model = FeeStandard
    fields = [
        "kind",
        "product_line",
        "province",
        "distance_from_km",
        "distance_to_km",
        "unit",
        "amount",
        "note",
    ]
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.standards_editable(timezone.localdate())

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "effective_from",
        "effective_until",
        "is_active",
        "dealer",
        "approval_state",
    ]
    list_filter = ["is_active", "approval_state"]
    search_fields = ["code", "name"]
    inlines = [FeeStandardInline]
    # R30: a dealer's standard is decided on its page (approve / reject), never edited into approval.
    APPROVAL_FIELDS = [
        "dealer",
        "approval_state",
        "approval_note",
        "submitted_by",
        "decided_by",
        "decided_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.standards_editable(timezone.localdate()):
            return list(self.APPROVAL_FIELDS)
        return ["code", "effective_from", *self.APPROVAL_FIELDS]
