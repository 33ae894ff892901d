"""Customers with their contacts and addresses in the admin."""

from django.contrib import admin

from .models import Address, Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "phone", "province", "city", "dealer"]
    list_filter = ["kind", "dealer", "province"]
    search_fields = ["code", "name", "phone", "email", "contacts__name", "contacts__phone"]
    list_select_related = ["dealer"]
    autocomplete_fields = ["dealer"]
    inlines = [ContactInline, AddressInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "phone", "title", "is_primary"]
    search_fields = ["name", "phone", "customer__name", "customer__code"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
