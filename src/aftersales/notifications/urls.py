from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("bell/", views.notification_bell, name="bell"),
    path("<int:pk>/open/", views.notification_open_view, name="open"),
    path("read-all/", views.notification_mark_all_read_view, name="mark_all_read"),
]
