from django.urls import path
from django.views.generic import RedirectView

from . import printing, views

app_name = "servicing"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="servicing:repairs"), name="index"),
    path("repairs/", views.DepotRepairListView.as_view(), name="repairs"),
    path("repairs/export.xlsx", views.DepotRepairExportView.as_view(), name="repairs_export"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/print/", printing.repair_record_view, name="repair_print"),
    path("repairs/<int:pk>/log/", views.depot_repair_log_view, name="depot_log"),
    path("repairs/<int:pk>/parts/", views.depot_repair_part_view, name="depot_part_add"),
    path(
        "repairs/<int:pk>/parts/<int:part_pk>/remove/",
        views.depot_repair_part_remove_view,
        name="depot_part_remove",
    ),
    path(
        "repairs/<int:pk>/do/<str:action>/",
        views.DepotRepairTransitionView.as_view(),
        name="depot_transition",
    ),
    path("external/", views.ExternalRepairListView.as_view(), name="external"),
    path("external/export.xlsx", views.ExternalRepairExportView.as_view(), name="external_export"),
    path("external/<int:pk>/follow-up/", views.external_repair_follow_up_view, name="follow_up"),
    path(
        "external/<int:pk>/do/<str:action>/",
        views.ExternalRepairTransitionView.as_view(),
        name="external_transition",
    ),
    path("vendors/", views.VendorListView.as_view(), name="vendors"),
    path("vendors/export.xlsx", views.VendorExportView.as_view(), name="vendors_export"),
    path("workorders/<int:pk>/plan/", views.plan_form_view, {"mode": "create"}, name="plan_create"),
    path("workorders/<int:pk>/remote/", views.remote_session_start_view, name="remote_start"),
    path("workorders/<int:pk>/repair/", views.depot_repair_receive_view, name="depot_receive"),
    path(
        "workorders/<int:pk>/warranty/exclusions/", views.warranty_exclusion_view, name="warranty_exclusion"
    ),
    path("workorders/<int:pk>/warranty/overrides/", views.warranty_override_view, name="warranty_override"),
    path("workorders/<int:pk>/warranty/proofs/", views.purchase_proof_view, name="purchase_proof"),
    path("plans/<int:pk>/edit/", views.plan_form_view, {"mode": "edit"}, name="plan_edit"),
    path("plans/<int:pk>/revise/", views.plan_form_view, {"mode": "revise"}, name="plan_revise"),
    path(
        "plans/<int:pk>/do/<str:action>/", views.ServicePlanTransitionView.as_view(), name="plan_transition"
    ),
    path(
        "remote/<int:pk>/do/<str:action>/",
        views.RemoteSessionTransitionView.as_view(),
        name="remote_transition",
    ),
]
