"""Sign-in pages and the user's own settings. No namespace: `login` and `logout` are the names
Django's settings use."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language_set"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.api_token_list_view, name="api_token_list"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("lockouts/", views.LoginLockoutListView.as_view(), name="login_lockout_list"),
    path("lockouts/<int:pk>/unlock/", views.login_lockout_unlock_view, name="login_lockout_unlock"),
]
