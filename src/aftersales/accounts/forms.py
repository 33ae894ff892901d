"""Forms of the accounts pages: sign-in (throttled: accounts.backends), a new API token, and the
password forms (the page's and the admin's), which save through `user_password_set` so that a new
password revokes API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .backends import lockout_message, lockout_of
from .models import ApiToken
from .services import user_password_set


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def get_invalid_login_error(self) -> ValidationError:
        """A locked-out name and address are told so (the same words whether the name exists)."""
        until = lockout_of(self.request)
        if until is not None:
            return ValidationError(lockout_message(until), code="login_locked")
        return super().get_invalid_login_error()


class ApiTokenCreateForm(forms.Form):
    """A new token asks for the password again: a session left open must not mint lasting keys."""

    client = forms.CharField(
        label=_("App or device"),
        max_length=ApiToken._meta.get_field("client").max_length,
        help_text=_("e.g. 手机App-张三的iPhone. A new token for the same name replaces the old one."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordSavedByServiceMixin:
    """Django's password forms (`SetPasswordMixin`) save through the service instead of
    `user.set_password(); user.save()`, which would leave the user's API tokens working."""

    cleaned_data: dict

    def set_password_and_save(self, user, password_field_name="password1", commit=True):
        if not commit:  # the caller saves: it must call user_password_set itself
            return super().set_password_and_save(  # type: ignore[misc]
                user, password_field_name=password_field_name, commit=False
            )
        usable = self.cleaned_data.get("set_usable_password", True)
        return user_password_set(
            user=user,
            password=self.cleaned_data[password_field_name] if usable else None,
            actor=self.actor,
        )

    @property
    def actor(self):
        """Who changes the password, for the user's history (None: not known to the form)."""
        return None


class PasswordChangeForm(PasswordSavedByServiceMixin, auth_forms.PasswordChangeForm):
    """The user's own "Change password" page."""

    @property
    def actor(self):
        return self.user


class AdminPasswordChangeForm(PasswordSavedByServiceMixin, auth_forms.AdminPasswordChangeForm):
    """An administrator sets another user's password (or turns password sign-in off)."""
