from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="complaint_list"),
    path("export.xlsx", views.ComplaintExportView.as_view(), name="complaint_export"),
    path("new/", views.ComplaintRegisterView.as_view(), name="complaint_register"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("<int:pk>/do/<str:action>/", views.ComplaintDetailView.as_view(), name="complaint_transition"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/export.xlsx", views.CaseExportView.as_view(), name="case_export"),
    path("cases/proposals/", views.CaseProposalsView.as_view(), name="case_proposals"),
    path("cases/open/<int:work_order_pk>/", views.CaseOpenView.as_view(), name="case_open"),
    path("cases/settings/", views.CaseSettingsView.as_view(), name="case_settings"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/do/<str:action>/", views.CaseDetailView.as_view(), name="case_transition"),
]
