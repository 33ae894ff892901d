"""Writes of the accounts context: API tokens (issue, revoke) and password changes, which revoke
every token of the user. The pages, the API and the admin all go through these functions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, NotPermitted
from aftersales.core.services import changes_record

from . import errors  # noqa: F401  (declares the codes raised here)
from .choices import TokenRevocation
from .models import ApiToken, User
from .selectors import manages_tokens_of_others

# Keys read "as_" and 40 URL-safe characters (240 random bits); the first 11 characters are kept in
# the clear to find the row (and show the owner which key it is), the whole key only as a digest.
KEY_MARK = "as_"
KEY_RANDOM_BYTES = 30
PREFIX_LENGTH = len(KEY_MARK) + 8
# A token's last use is written at most this often: a read per request, not a write.
LAST_USED_PRECISION = timedelta(minutes=5)


def api_token_digest(key: str) -> str:
    """The stored form of a key: SHA-256 is enough for 240 random bits (no password to guess)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]


def credentials_check(*, request: HttpRequest, username: str, password: str) -> User:
    """The user these credentials sign in, through `authenticate()` like the sign-in page, so that
    every authentication backend (and login throttling) sees the attempt."""
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise DomainError(
            _("Unable to sign in with the user name and password given."), code="invalid_credentials"
        )
    return user


@transaction.atomic
def api_token_create(*, client: str, actor: User) -> tuple[ApiToken, str]:
    """A new token of `actor` for `client`, and its key (shown this once, stored only as a digest).
    The client's previous token, if any, is revoked: one token per client or device."""
    client = " ".join(client.split())
    if not client:
        raise DomainError(
            _("Name the app or device that will use the token."), code="required", field="client"
        )
    max_length = ApiToken._meta.get_field("client").max_length or 0
    if len(client) > max_length:
        raise DomainError(
            _("Use at most %(count)d characters.") % {"count": max_length}, code="invalid", field="client"
        )
    # One create at a time per user: two for the same client would both find none to replace.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    now = timezone.now()
    _revoke(
        ApiToken.objects.filter(user=actor, client=client),
        reason=TokenRevocation.REPLACED,
        actor=actor,
        now=now,
    )
    key = KEY_MARK + secrets.token_urlsafe(KEY_RANDOM_BYTES)
    token = ApiToken.objects.create(
        user=actor,
        client=client,
        key_prefix=api_token_key_prefix(key),
        digest=api_token_digest(key),
        created_at=now,
        expires_at=now + settings.API_TOKEN_LIFETIME,
    )
    return token, key


def api_token_obtain(
    *, request: HttpRequest, username: str, password: str, client: str
) -> tuple[ApiToken, str]:
    """Sign in with a user name and password and get a token for `client` (the API's
    `POST /api/auth/token/` and the "new token" form, which asks for the password again)."""
    user = credentials_check(request=request, username=username, password=password)
    return api_token_create(client=client, actor=user)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, reason: str = TokenRevocation.REVOKED) -> None:
    """Stop the token at once: the next request with it is refused (nothing caches its validity)."""
    if token.user_id != actor.pk and not manages_tokens_of_others(actor):
        raise NotPermitted(_("You may revoke only your own API tokens."))
    _revoke(ApiToken.objects.filter(pk=token.pk), reason=reason, actor=actor, now=timezone.now())
    token.refresh_from_db()


def api_tokens_revoke_all(*, user: User, reason: str, actor: User | None = None) -> int:
    """Revoke every token of the user still in force (a password change); how many there were."""
    return _revoke(
        ApiToken.objects.filter(user=user),
        reason=reason,
        actor=actor,
        now=timezone.now(),
    )


def _revoke(tokens: QuerySet[ApiToken], *, reason: str, actor: User | None, now: datetime) -> int:
    return tokens.filter(revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason, revoked_by=actor
    )


def api_token_touch(*, token: ApiToken) -> None:
    """Record a use of the token, at most once per LAST_USED_PRECISION (no write per request)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def interface_languages() -> set[str]:
    """The interface languages a user may choose (settings.LANGUAGES with their translations)."""
    return {code for code, _name in settings.LANGUAGES if translation.check_for_language(code)}


def user_language_set(*, user: User, language: str) -> User:
    """Remember the user's own interface language (the language switch of every page, and the API):
    it applies from their next sign-in on and to what they are sent. Another code is refused."""
    if language not in interface_languages():
        raise ValidationError(
            {
                "language": ValidationError(
                    _("Choose one of the interface's languages."), code="language_unknown"
                )
            }
        )
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


@transaction.atomic
def user_password_set(*, user: User, password: str | None, actor: User | None = None) -> User:
    """Give the user a new password (None: no password sign-in at all) and revoke all their API
    tokens: whoever held a key signed in with the old password must sign in again. The user's
    history says that it changed, and who changed it (never the password: R41)."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user, reason=TokenRevocation.PASSWORD_CHANGED, actor=actor)
    user_password_recorded(user=user, usable=password is not None, actor=actor)
    return user


def user_password_recorded(*, user: User, usable: bool, actor: User | None) -> None:
    """One history row for a password given or taken away; the value itself is never kept."""
    what = _("New password set") if usable else _("Password sign-in turned off")
    changes_record(instance=user, before={"password": ""}, after={"password": str(what)}, actor=actor)
