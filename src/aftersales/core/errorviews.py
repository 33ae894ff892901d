"""Error pages: the user sees what went wrong and the request id to quote; the API gets the same
as a JSON problem. Django logs the traceback (with the same id) before these run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import NotFound

from .api import problem_json
from .middleware import is_api


def server_error(request: HttpRequest) -> HttpResponse:
    request_id = getattr(request, "request_id", "")
    if is_api(request):
        message = _("An unexpected error occurred; quote the request id %(id)s to support.") % {
            "id": request_id
        }
        return problem_json(
            500, _("Server error"), [{"field": None, "code": "server_error", "message": message}]
        )
    return render(request, "errors/500.html", {"request_id": request_id}, status=500)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address no URL pattern matches (`/api/workorders/abc/`): a problem for the API."""
    if is_api(request):
        message = str(NotFound.default_detail)  # DRF's words, as for an id that names nothing
        return problem_json(
            404, message, [{"field": None, "code": NotFound.default_code, "message": message}]
        )
    return defaults.page_not_found(request, exception)
