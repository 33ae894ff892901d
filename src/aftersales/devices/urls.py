from django.urls import path

from . import views

app_name = "devices"
urlpatterns = [
    path("", views.DeviceListView.as_view(), name="list"),
    path("export/", views.DeviceExportView.as_view(), name="export"),
    path("import/", views.device_import, name="import"),
    path("import/template/", views.device_import_template, name="import_template"),
    path("<int:pk>/", views.device_detail, name="detail"),
    path("<int:pk>/history/", views.device_history, name="history"),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/export.xlsx", views.ContractExportView.as_view(), name="contract_export"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/do/<str:action>/", views.contract_detail, name="contract_transition"),
    path("contracts/<int:pk>/plans/", views.plan_create, name="plan_create"),
    path("contracts/<int:pk>/plans/<int:plan_pk>/toggle/", views.plan_toggle, name="plan_toggle"),
]
