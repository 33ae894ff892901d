"""Product lines, models and the parts catalog in the admin."""

from django.contrib import admin

from .models import Part, PartSubstitute, ProductLine, ProductModel


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
