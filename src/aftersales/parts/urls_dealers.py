"""The dealers pages of the parts app (R28-R31): part requests, dealer accounts and statements."""

from django.urls import path

from . import views_dealers as views

urlpatterns = [
    path("requests/", views.PartRequestListView.as_view(), name="part_request_list"),
    path("requests/new/", views.part_request_create_view, name="part_request_create"),
    path("requests/<int:pk>/", views.part_request_detail, name="part_request_detail"),
    path("requests/<int:pk>/lines/", views.part_request_line_add_view, name="part_request_line_add"),
    path("requests/<int:pk>/confirm/", views.part_request_confirm_view, name="part_request_confirm"),
    path("requests/<int:pk>/print/", views.part_request_print_view, name="part_request_print"),
    path(
        "requests/<int:pk>/do/<str:action>/",
        views.PartRequestTransitionView.as_view(),
        name="part_request_transition",
    ),
    path("request-lines/<int:pk>/", views.part_request_line_update_view, name="part_request_line_update"),
    path(
        "request-lines/<int:pk>/remove/", views.part_request_line_remove_view, name="part_request_line_remove"
    ),
    path("accounts/", views.DealerAccountListView.as_view(), name="account_list"),
    path("accounts/<int:pk>/", views.AccountLedgerView.as_view(), name="account_detail"),
    path("accounts/<int:pk>/payments/", views.account_payment_view, name="account_payment"),
    path("accounts/<int:pk>/credit-limit/", views.account_credit_limit_view, name="account_credit_limit"),
    path("accounts/<int:pk>/statement/", views.account_statement_view, name="account_statement"),
    path(
        "accounts/<int:pk>/statement/print/",
        views.account_statement_print_view,
        name="account_statement_print",
    ),
    path("entries/<int:pk>/reverse/", views.account_entry_reverse_view, name="account_entry_reverse"),
]
