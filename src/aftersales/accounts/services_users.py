"""Writes of user management (issue 13): HQ admins create staff users, change their role, dealer
and details, deactivate them (never delete: their work, history and audit name them) and set
their passwords. Every change is kept in the user's history (core.ChangeRecord, R41); the API
and the admin site apply the same model rules (`User.clean`: R37)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import NotPermitted
from aftersales.core.phones import phone_normalize
from aftersales.core.services import changes_record, snapshot

from .choices import TokenRevocation
from .models import Dealer, ServicePoint, User
from .services import api_tokens_revoke_all, user_password_recorded, user_password_set

# What the history keeps of a user (never the password's value: `user_password_recorded`).
USER_AUDITED_FIELDS = (
    "username",
    "last_name",
    "first_name",
    "email",
    "phone",
    "role",
    "dealer",
    "service_point",
    "language",
    "is_active",
)
# What an update may change (the username stays: sign-in audits and lock-outs name it).
USER_EDITABLE_FIELDS = frozenset(USER_AUDITED_FIELDS) - {"username"}


def _phone(raw: str) -> str:
    try:
        return phone_normalize(raw)
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from None


def _password_checked(password: str, user: User) -> None:
    """AUTH_PASSWORD_VALIDATORS, as the password pages apply them; the field at fault named."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None


def _may_change(actor: User, user: User) -> None:
    """A user who may use the administration site is changed only by a superuser: an HQ admin
    setting a superuser's password would become one."""
    if (user.is_staff or user.is_superuser) and not actor.is_superuser:
        raise NotPermitted(
            _("Only a superuser may change an account that uses the administration site."),
            code="admin_account",
        )


def _username_free(username: str) -> None:
    """Names differing only in case are one name to sign-in throttling (`login_key`): one user."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": ValidationError(_("A user with that username already exists."), code="unique")}
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    actor: User,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    dealer: Dealer | None = None,
    service_point: ServicePoint | None = None,
    language: str | None = None,
    password: str | None = None,
) -> User:
    """A new staff user, active, with the initial password given (checked by the password
    validators) or none: then no password signs them in until one is set. Recorded in the new
    user's history as changes from nothing."""
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=_phone(phone),
        dealer=dealer,
        service_point=service_point,
        language=language or User._meta.get_field("language").get_default(),
    )
    if password is None:
        user.set_unusable_password()
    else:
        _password_checked(password, user)
        user.set_password(password)
    user.full_clean()
    _username_free(user.username)
    user.save()
    changes_record(instance=user, before={}, after=snapshot(user, USER_AUDITED_FIELDS), actor=actor)
    user_password_recorded(user=user, usable=password is not None, actor=actor)
    return user


@transaction.atomic
def user_update(*, user_id: int, actor: User, **changes: Any) -> User:
    """Change a user's details, role, dealer, service point, language or whether they are active
    (`USER_EDITABLE_FIELDS`), each change in the history. Nobody changes their own role or
    deactivates themselves (no HQ without an admin by mistake). Deactivating ends the user's
    API tokens and browser sessions at once (`user_deactivated`)."""
    unknown = set(changes) - USER_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user_id)
    _may_change(actor, user)
    if user.pk == actor.pk:
        if changes.get("role", user.role) != user.role:
            raise NotPermitted(_("You may not change your own role."), code="own_account", field="role")
        if changes.get("is_active", True) is False:
            raise NotPermitted(_("You may not deactivate yourself."), code="own_account", field="is_active")
    if "phone" in changes:
        changes["phone"] = _phone(changes["phone"])
    was_active = user.is_active
    before = snapshot(user, changes)
    for name, value in changes.items():
        setattr(user, name, value)
    if set(changes) - {"is_active"}:  # (de)activating alone never waits for older data to be fixed
        user.full_clean()
    user.save()
    changes_record(instance=user, before=before, after=snapshot(user, changes), actor=actor)
    if was_active and not user.is_active:
        user_deactivated(user=user, actor=actor)
    return user


def user_deactivate(*, user_id: int, actor: User) -> User:
    """Deactivate instead of delete: the user signs in no more, in any way (see `user_update`)."""
    return user_update(user_id=user_id, actor=actor, is_active=False)


def user_deactivated(*, user: User, actor: User | None) -> None:
    """An inactive user's API tokens are revoked and their browser sessions deleted: nothing
    they signed in with before goes on working."""
    api_tokens_revoke_all(user=user, reason=TokenRevocation.REVOKED, actor=actor)
    user_sessions_end(user=user)


def user_sessions_end(*, user: User) -> int:
    """Delete the user's stored browser sessions (database-backed session engines; with another
    engine Django's check of the user's `is_active` on every request refuses them anyway).
    Returns how many there were."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    ended = 0
    for key, data in sessions.values_list("session_key", "session_data").iterator():
        if store().decode(data).get(SESSION_KEY) == str(user.pk):
            store(session_key=key).delete()
            ended += 1
    return ended


@transaction.atomic
def user_password_reset(*, user_id: int, password: str | None, actor: User) -> User:
    """An HQ admin gives a user a new password (checked by the password validators), or turns
    password sign-in off (None); the user's API tokens are revoked with it (`user_password_set`).
    Their own password they change on the password page, which asks for the current one."""
    user = User.objects.select_for_update().get(pk=user_id)
    _may_change(actor, user)
    if user.pk == actor.pk:
        raise NotPermitted(
            _("Change your own password on the password page: it asks for the current one."),
            code="own_account",
            field="password",
        )
    if password is not None:
        _password_checked(password, user)
    return user_password_set(user=user, password=password, actor=actor)
