"""Sign-in pages. No namespace: `login` and `logout` are the names Django's settings use."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language_set"),
]
