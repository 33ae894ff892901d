"""Signing in and out of the API (`/api/auth/`); the tokens themselves are a viewset (api.py)."""

from django.urls import path

from .api import LogoutView, MeView, TokenObtainView

urlpatterns = [
    path("token/", TokenObtainView.as_view(), name="api-token"),
    path("logout/", LogoutView.as_view(), name="api-logout"),
    path("me/", MeView.as_view(), name="api-me"),
]
