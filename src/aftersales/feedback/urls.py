from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.ReturnVisitListView.as_view(), name="list"),
    path("export.xlsx", views.ReturnVisitExportView.as_view(), name="export"),
    path("<int:pk>/", views.ReturnVisitView.as_view(), name="visit"),
    path("<int:pk>/record/", views.ReturnVisitActionView.as_view(), {"step": "record"}, name="record"),
    path(
        "<int:pk>/call-failed/",
        views.ReturnVisitActionView.as_view(),
        {"step": "call_failed"},
        name="call_failed",
    ),
    path("workorders/<int:pk>/callback/", views.callback_request_view, name="callback"),
    path("report/", views.ReturnVisitReportView.as_view(), name="report"),
    path("report.xlsx", views.ReturnVisitReportExportView.as_view(), name="report_export"),
    path("report/print/", views.ReturnVisitReportPrintView.as_view(), name="report_print"),
]
