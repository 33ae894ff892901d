"""Billing in the admin: the discount rules HQ configures (R35); quotes, settlements, payments and
invoice requests to look up (they change only through the pages and the API, which keep the
history)."""

from django.contrib import admin

from .models import DiscountRule, InvoiceRequest, Payment, Quote, Settlement


@admin.register(DiscountRule)
class DiscountRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "percent",
        "scope",
        "min_earlier_work_orders",
        "dealer",
        "under_contract",
        "is_active",
    ]
    list_filter = ["is_active", "scope", "under_contract"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "total", "customer_total", "created_at"]
    list_filter = ["state"]
    search_fields = ["work_order__number"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "customer_total", "amount_paid", "amount_waived", "created_at"]
    list_filter = ["state"]
    search_fields = ["work_order__number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "kind", "method", "amount", "created_at"]
    list_filter = ["kind", "method"]
    search_fields = ["receipt_number", "reference", "settlement__work_order__number"]


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "title", "amount", "state", "due_on", "invoice_number"]
    list_filter = ["state", "invoice_type"]
    search_fields = ["title", "tax_number", "invoice_number", "settlement__work_order__number"]
