"""Sign-in, sign-out, the language switch (remembered on the user), the user's password and their
API tokens, and the HQ admins' page of sign-in lock-outs. Signing out of the browser revokes no
API token."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from aftersales.core.forms import attempt
from aftersales.core.lists import Column, ObjectListView

from .filtersets import LoginLockoutFilterSet
from .forms import ApiTokenCreateForm, LoginForm, PasswordChangeForm
from .models import ApiToken
from .selectors import api_tokens_own
from .selectors_users import login_lockouts, manages_sign_ins
from .services import api_token_obtain, api_token_revoke, interface_languages, user_language_set
from .services_login import login_unlock

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
    """Sign out (POST only, as Django requires); the user's API tokens keep working."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change my password (the old one first); every API token of mine is revoked with it."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("api_token_list")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this browser signed in
        messages.success(self.request, _("Your password was changed; your API tokens were revoked."))
        return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (cookie, via Django's view) and remember it on the user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in interface_languages():
        user_language_set(user=request.user, language=language)
    return response


@never_cache
@login_required
def api_token_list_view(request: HttpRequest) -> HttpResponse:
    """My API tokens, and a form for a new one: its key is shown once, in the answer to that form
    (never put in a message or the session), and not cached by the browser."""
    form = ApiTokenCreateForm(request.POST or None)
    created = None
    if form.is_valid():
        created = attempt(
            form,
            lambda: api_token_obtain(
                request=request,
                username=request.user.get_username(),
                password=form.cleaned_data["password"],
                client=form.cleaned_data["client"],
            ),
        )
        if created is not None:
            form = ApiTokenCreateForm()
    context = {
        "tokens": api_tokens_own(request.user),
        "form": form,
        "created": created,
        "lifetime_days": settings.API_TOKEN_LIFETIME.days,
        "now": timezone.now(),
    }
    return render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of my tokens: the app using it is refused from its next request on."""
    try:
        token = api_tokens_own(request.user).get(pk=pk)
    except ApiToken.DoesNotExist as error:
        raise Http404 from error
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token of %(client)s was revoked.") % {"client": token.client})
    return redirect("api_token_list")


# --- sign-in lock-outs (HQ admins) -----------------------------------------------------------------

LOCKOUT_COLUMNS = (
    Column(
        "username", gettext_lazy("Username"), value=lambda t, user: t.username, sort="username", fixed=True
    ),
    Column("ip_address", gettext_lazy("IP address"), value=lambda t, user: t.ip_address or "—"),
    Column("failures", gettext_lazy("Failures"), value=lambda t, user: t.failures, sort="failures"),
    Column("window_started_at", gettext_lazy("First failure at"), value=lambda t, user: t.window_started_at),
    Column(
        "locked_until",
        gettext_lazy("Locked until"),
        value=lambda t, user: t.locked_until,
        sort="locked_until",
        fixed=True,
    ),
    Column(
        "unlock",
        "",
        template="accounts/cells/_lockout_unlock.html",
        css="d-print-none",
        fixed=True,
        export=False,
    ),
)


class LoginLockoutListView(ObjectListView):
    """`/accounts/lockouts/`: the names and addresses locked out now after too many failed
    sign-ins, each with its unlock button; for HQ admins (as the admin site, the API and
    `manage.py login_unlock`)."""

    list_key = "login-lockouts"
    title = gettext_lazy("Sign-in lock-outs")
    filterset_class = LoginLockoutFilterSet
    columns = LOCKOUT_COLUMNS
    search_placeholder = gettext_lazy("Username or IP address")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not manages_sign_ins(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, request):
        return login_lockouts(request.user)


@login_required
@require_POST
def login_lockout_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Unlock one lock-out at once (logged with who did it); back to the list."""
    if not manages_sign_ins(request.user):
        raise PermissionDenied
    throttles = login_lockouts(request.user).filter(pk=pk)
    pair = throttles.values_list("username", "ip_address").first()
    if pair is None or not login_unlock(throttles=throttles, actor=request.user.username):
        raise Http404
    messages.success(
        request,
        _("The sign-in of %(username)s from %(address)s was unlocked.")
        % {"username": pair[0], "address": pair[1] or "—"},
    )
    return redirect("login_lockout_list")
