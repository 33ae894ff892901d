"""Request boundary: a request id for every request (logs, error pages, `X-Request-ID`), and text
with control characters refused before any view sees it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .api import problem_json
from .logging import request_id_var
from .text import CONTROL_CHARACTER_MESSAGE, control_character_paths, has_control_characters

# An id given by a proxy in front is kept when it looks like one (no log injection through it).
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """`request.request_id`, the `X-Request-ID` response header, and the id on every log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex[:16]
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _control_character_fields(request: HttpRequest) -> Iterator[str]:
    for key, values in request.GET.lists():
        if has_control_characters(key) or any(has_control_characters(v) for v in values):
            yield key
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return  # not JSON: the API's parser answers with its own error
        yield from control_character_paths(data)
        return
    for key, values in request.POST.lists():  # upload names: Django drops non-printables itself
        if has_control_characters(key) or any(has_control_characters(v) for v in values):
            yield key


class ControlCharacterMiddleware:
    """Text holding NUL or another C0 control character (tab and line breaks aside) is refused with
    400 at the boundary, naming the field: query strings (lists, look-ups), form posts, JSON
    bodies. Such text is never stored, so exports and pages never break on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = list(dict.fromkeys(_control_character_fields(request)))
        if not fields:
            return self.get_response(request)
        message = str(CONTROL_CHARACTER_MESSAGE)
        if is_api(request):
            errors: list[dict[str, str | None]] = [
                {"field": name, "code": "control_characters", "message": message} for name in fields
            ]
            return problem_json(400, _("Invalid input."), errors)
        return render(
            request,
            "errors/400.html",
            {"message": message, "fields": fields, "request_id": getattr(request, "request_id", "")},
            status=400,
        )
