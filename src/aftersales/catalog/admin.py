"""Product lines and models in the admin."""

from django.contrib import admin

from .models import ProductLine, ProductModel


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
