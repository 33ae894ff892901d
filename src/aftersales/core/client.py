"""Who is at the other end of a request: the client's address, for the sign-in throttle and the
personal-data access log (R41)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    """The address the request came from ("" if unknown). Behind TRUSTED_PROXY_COUNT proxies, the
    address the outermost of them saw (X-Forwarded-For, counted from the right: a client can
    prepend whatever it likes, never append). DRF's request wrapper is read through."""
    meta = getattr(request, "_request", request).META
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
        return forwarded[-proxies]
    return meta.get("REMOTE_ADDR") or ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
