from django.urls import path

from . import finance, views

app_name = "billing"
urlpatterns = [
    path("finance/", finance.ReceivablesListView.as_view(), name="finance_receivables"),
    path("finance/payments/", finance.PaymentListView.as_view(), name="finance_payments"),
    path("finance/invoices/", finance.InvoiceListView.as_view(), name="finance_invoices"),
    path("finance/waivers/", finance.WaiverListView.as_view(), name="finance_waivers"),
    path("finance/unapproved-fees/", finance.UnapprovedFeeListView.as_view(), name="finance_unapproved_fees"),
    path("workorders/<int:pk>/quote/", views.quote_create_view, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/lines/", views.quote_line_add_view, name="quote_line_add"),
    path("quotes/<int:pk>/discounts/", views.quote_discounts_view, name="quote_discounts"),
    path("quotes/<int:pk>/visit-parts/", views.quote_visit_parts_view, name="quote_visit_parts"),
    path("quotes/<int:pk>/sign/", views.quote_sign_view, name="quote_sign"),
    path("quotes/<int:pk>/print/", views.quote_print_view, name="quote_print"),
    path("quotes/<int:pk>/do/<str:action>/", views.QuoteTransitionView.as_view(), name="quote_transition"),
    path("lines/<int:pk>/", views.quote_line_update_view, name="quote_line_update"),
    path("lines/<int:pk>/remove/", views.quote_line_remove_view, name="quote_line_remove"),
    path("workorders/<int:pk>/settle/", views.settlement_create_view, name="settlement_create"),
    path("settlements/<int:pk>/payments/", views.payment_view, name="payment"),
    path("settlements/<int:pk>/refunds/", views.refund_view, name="refund"),
    path("settlements/<int:pk>/waiver/", views.waiver_request_view, name="waiver_request"),
    path("waivers/<int:pk>/decide/", views.waiver_decide_view, name="waiver_decide"),
    path("settlements/<int:pk>/invoices/", views.invoice_request_view, name="invoice_request"),
    path(
        "invoices/<int:pk>/do/<str:action>/", views.InvoiceTransitionView.as_view(), name="invoice_transition"
    ),
    path("payments/<int:pk>/receipt/", views.receipt_view, name="receipt"),
    path("receipts/verify/<uuid:token>/", views.receipt_verify_view, name="receipt_verify"),
]
