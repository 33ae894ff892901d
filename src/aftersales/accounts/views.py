"""Sign-in, sign-out and the language switch (remembered on the user)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .forms import LoginForm
from .models import User

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LoginView(auth_views.LoginView):
    """Sign in; the user's own language (user.language) applies from the first page on."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language in LANGUAGE_CODES:
            _set_language_cookie(response, language)
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (cookie, via Django's view) and remember it on the user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and language in LANGUAGE_CODES
        and translation.check_for_language(language)
    ):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
