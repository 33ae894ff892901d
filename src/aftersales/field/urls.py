from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("dispatch/", views.dispatch_board, name="dispatch_board"),
    path("dispatch/<int:pk>/assign/", views.dispatch_assign_view, name="dispatch_assign"),
]
