from django.urls import path

from . import views

app_name = "devices"
urlpatterns = [
    path("", views.DeviceListView.as_view(), name="list"),
    path("export/", views.DeviceExportView.as_view(), name="export"),
    path("import/", views.device_import, name="import"),
    path("import/template/", views.device_import_template, name="import_template"),
    path("<int:pk>/", views.device_detail, name="detail"),
]
