"""Forms of the accounts pages: sign-in (throttled: accounts.backends)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .backends import lockout_message, lockout_of


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
