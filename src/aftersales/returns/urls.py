from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.ReturnListView.as_view(), name="list"),
    path("new/", views.return_create_view, name="create"),
    path("rules/", views.policy_view, name="policy"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/edit/", views.return_edit_view, name="edit"),
    path("<int:pk>/delete/", views.return_delete_view, name="delete"),
    path("<int:pk>/photos/", views.return_photo_view, name="photo_add"),
    path("<int:pk>/print/", views.return_print_view, name="print"),
    path("<int:pk>/do/<str:action>/", views.ReturnTransitionView.as_view(), name="transition"),
    path("photos/<uuid:key>/", views.return_photo_file, name="photo"),  # by its random key (R41)
    path("photos/<int:pk>/remove/", views.return_photo_remove_view, name="photo_remove"),
]
