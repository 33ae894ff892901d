from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("parts/", views.PartListView.as_view(), name="part_list"),
    path("parts/import/", views.part_import, name="part_import"),
    path("parts/import/template/", views.part_import_template, name="part_import_template"),
    path("parts/<int:pk>/", views.part_detail, name="part_detail"),
]
