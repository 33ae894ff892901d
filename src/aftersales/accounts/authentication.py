"""The API's token sign-in: `Authorization: Bearer <key>` (or `Token <key>`, as clients of the
first API sent it). The key is checked against the database on every request, so a revoked or
expired token is refused at once; its last use is written at most every few minutes."""

from __future__ import annotations

import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken
from .services import KEY_MARK, api_token_digest, api_token_key_prefix, api_token_touch

KEYWORDS = (b"bearer", b"token")
SCHEME_NAME = "apiToken"


class ApiTokenAuthentication(BaseAuthentication):
    """Signs the request in as the token's user; `request.auth` is the ApiToken."""

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in KEYWORDS:
            return None  # not ours: the session (or nobody) signs the request in
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as `Authorization: Bearer <key>`."), code="token_invalid"
            )
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid") from error
        token = self._token_for(key)
        if token.is_expired(timezone.now()):
            raise exceptions.AuthenticationFailed(
                _("The token has expired; obtain a new one."), code="token_expired"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The user is inactive."), code="token_invalid")
        api_token_touch(token=token)
        return token.user, token

    def _token_for(self, key: str) -> ApiToken:
        if key.startswith(KEY_MARK):
            digest = api_token_digest(key)
            candidates = ApiToken.objects.select_related("user").filter(
                key_prefix=api_token_key_prefix(key), revoked_at__isnull=True
            )
            for token in candidates:
                if hmac.compare_digest(token.digest, digest):
                    return token
        raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid")

    def authenticate_header(self, request) -> str:
        """Answer an anonymous request with 401 and this challenge (not 403)."""
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The security scheme of the OpenAPI schema (drf-spectacular finds it by the class)."""

    target_class = ApiTokenAuthentication
    name = SCHEME_NAME

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "An API token from POST /api/auth/token/, sent as `Authorization: Bearer <key>` "
                    "(`Token <key>` also works). It expires (API_TOKEN_LIFETIME_DAYS) and can be "
                    "revoked; then the API answers 401."
                )
            ),
        }
