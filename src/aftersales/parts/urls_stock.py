"""The stock pages of the parts app (R32): on hand, moves, warehouses, transfers, counts, alerts,
reorder rules, and the shortage help."""

from django.urls import path

from . import views_stock as stock
from . import views_stock_documents as documents

urlpatterns = [
    path("stock/", stock.OnHandListView.as_view(), name="stock_list"),
    path("moves/", stock.MoveListView.as_view(), name="move_list"),
    path("warehouses/", stock.WarehouseListView.as_view(), name="warehouse_list"),
    path("warehouses/<int:pk>/", stock.WarehouseStockView.as_view(), name="warehouse_detail"),
    path("warehouses/<int:pk>/receive/", stock.receipt_view, name="warehouse_receive"),
    path("warehouses/<int:pk>/scrap/", stock.scrap_view, name="warehouse_scrap"),
    path("alternatives/", stock.alternatives_view, name="alternatives"),
    path("alerts/", stock.AlertListView.as_view(), name="alert_list"),
    path("reorder-rules/", stock.ReorderRuleListView.as_view(), name="rule_list"),
    path("reorder-rules/new/", stock.rule_create_view, name="rule_create"),
    path("reorder-rules/<int:pk>/", stock.rule_edit_view, name="rule_edit"),
    path("transfers/", documents.TransferListView.as_view(), name="transfer_list"),
    path("transfers/new/", documents.transfer_create_view, name="transfer_create"),
    path("transfers/<int:pk>/", documents.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/lines/", documents.transfer_line_add_view, name="transfer_line_add"),
    path("transfers/<int:pk>/print/", documents.transfer_print_view, name="transfer_print"),
    path(
        "transfers/<int:pk>/do/<str:action>/",
        documents.TransferTransitionView.as_view(),
        name="transfer_transition",
    ),
    path("transfer-lines/<int:pk>/remove/", documents.transfer_line_remove_view, name="transfer_line_remove"),
    path("counts/", documents.CountListView.as_view(), name="count_list"),
    path("counts/new/", documents.count_create_view, name="count_create"),
    path("counts/<int:pk>/", documents.count_detail, name="count_detail"),
    path("counts/<int:pk>/lines/", documents.count_lines_view, name="count_lines"),
    path("counts/<int:pk>/import/", documents.count_import_view, name="count_import"),
    path(
        "counts/<int:pk>/do/<str:action>/", documents.CountTransitionView.as_view(), name="count_transition"
    ),
]
