"""Parts in the admin: the warehouses HQ sets up (R32); everything else to look up only. Stock,
documents and accounts change through the pages and the API, whose services keep the ledger, the
balances and the history together (R41); reorder rules too (a change is checked against stock at
once)."""

from django.contrib import admin

from .models import (
    AccountEntry,
    ClaimLine,
    DealerAccount,
    OldPart,
    OldPartShipment,
    PartRequest,
    PartRequestLine,
    ReimbursementClaim,
    ReorderRule,
    StockAlert,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockTransfer,
    TransferLine,
    Warehouse,
)


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "service_point", "engineer", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "service_point__name"]
    autocomplete_fields = ["service_point", "engineer"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a warehouse with a history is closed (`is_active`), never deleted


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "part", "on_hand", "in_transit", "reserved", "value", "updated_at"]
    list_filter = ["warehouse__kind"]
    search_fields = ["part__number", "part__name", "warehouse__code", "warehouse__name"]
    list_select_related = ["warehouse", "part"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = [
        "posted_at",
        "warehouse",
        "part",
        "kind",
        "quantity",
        "value",
        "quantity_after",
        "reference",
    ]
    list_filter = ["kind", "warehouse__kind"]
    search_fields = ["part__number", "reference", "work_order__number"]
    list_select_related = ["warehouse", "part"]
    date_hierarchy = "posted_at"


@admin.register(ReorderRule)
class ReorderRuleAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "part", "minimum", "target"]
    search_fields = ["part__number", "warehouse__code", "warehouse__name"]
    list_select_related = ["warehouse", "part"]


@admin.register(StockAlert)
class StockAlertAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "warehouse",
        "part",
        "projected",
        "minimum",
        "suggested_quantity",
        "resolved_at",
    ]
    search_fields = ["part__number", "warehouse__code"]
    list_select_related = ["warehouse", "part"]


class TransferLineInline(ReadOnlyInline):
    model = TransferLine


@admin.register(StockTransfer)
class StockTransferAdmin(ReadOnlyAdmin):
    list_display = ["number", "source", "destination", "state", "created_at", "shipped_at", "received_at"]
    list_filter = ["state"]
    search_fields = ["number", "tracking_number"]
    inlines = [TransferLineInline]


class StockCountLineInline(ReadOnlyInline):
    model = StockCountLine


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ["number", "warehouse", "state", "created_at", "approved_at"]
    list_filter = ["state"]
    search_fields = ["number", "warehouse__code"]
    inlines = [StockCountLineInline]


@admin.register(DealerAccount)
class DealerAccountAdmin(ReadOnlyAdmin):
    list_display = ["dealer", "balance", "credit_limit", "updated_at"]
    search_fields = ["dealer__name", "dealer__code"]


@admin.register(AccountEntry)
class AccountEntryAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "account", "kind", "amount", "balance_after", "reference"]
    list_filter = ["kind"]
    search_fields = ["reference", "account__dealer__name"]


class PartRequestLineInline(ReadOnlyInline):
    model = PartRequestLine


@admin.register(PartRequest)
class PartRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "dealer", "service_point", "state", "total", "created_at"]
    list_filter = ["state"]
    search_fields = ["number", "dealer__name"]
    inlines = [PartRequestLineInline]


@admin.register(OldPart)
class OldPartAdmin(ReadOnlyAdmin):
    list_display = ["number", "part", "work_order", "service_point", "state", "report_due", "reported_at"]
    list_filter = ["state", "inspection_result"]
    search_fields = ["number", "part__number", "work_order__number", "serial_number"]


@admin.register(OldPartShipment)
class OldPartShipmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "service_point", "state", "tracking_number", "shipped_at", "received_at"]
    list_filter = ["state"]
    search_fields = ["number", "tracking_number"]


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine


@admin.register(ReimbursementClaim)
class ReimbursementClaimAdmin(ReadOnlyAdmin):
    list_display = ["number", "dealer", "month", "state", "claimed_total", "approved_total", "credited_at"]
    list_filter = ["state"]
    search_fields = ["number", "dealer__name"]
    inlines = [ClaimLineInline]
