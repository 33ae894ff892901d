from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("export/", views.CustomerExportView.as_view(), name="export"),
    path("new/", views.customer_create_view, name="create"),
    path("import/", views.customer_import, name="import"),
    path("import/template/", views.customer_import_template, name="import_template"),
    path("<int:pk>/", views.customer_detail, name="detail"),
]
