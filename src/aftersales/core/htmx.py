"""HTMX helpers: one URL serves the full page or, for an HTMX request, only its partial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_partial(request: HttpRequest) -> bool:
    """True for an HTMX request that swaps part of the page (not a boosted or history-restore one)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_partial(
    request: HttpRequest,
    *,
    page_template: str,
    partial_template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """The page, or only its partial for HTMX; caches keep the two apart through `Vary`."""
    template = partial_template if is_partial(request) else page_template
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
