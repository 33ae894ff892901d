from django.urls import path
from django.views.generic import RedirectView

from . import printing, views

app_name = "servicing"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="servicing:repairs"), name="index"),
    path("repairs/", views.repair_list, name="repairs"),
    path("repairs/export.xlsx", views.repair_export, name="repairs_export"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/print/", printing.repair_record_view, name="repair_print"),
    path("external/", views.external_list, name="external"),
    path("external/export.xlsx", views.external_export, name="external_export"),
    path("vendors/", views.vendor_list, name="vendors"),
    path("vendors/export.xlsx", views.vendor_export, name="vendors_export"),
    path("workorders/<int:pk>/plan/", views.plan_form_view, {"mode": "create"}, name="plan_create"),
    path("plans/<int:pk>/edit/", views.plan_form_view, {"mode": "edit"}, name="plan_edit"),
    path("plans/<int:pk>/revise/", views.plan_form_view, {"mode": "revise"}, name="plan_revise"),
    path("<str:kind>/<int:pk>/do/<str:action>/", views.action_view, name="action"),
]
