"""`Idempotency-Key` on the API's create and money endpoints (issue 13).

A client that sends `Idempotency-Key: <key>` with a POST of a view method marked `@idempotent` may
send it again — a retry after a timeout, a double tap, several at once — and gets the first
response (status, body, `Location`, plus `Idempotent-Replayed: true`), while the rows are created
once:

- the key is stored per user (`IdempotencyKey`, unique on user and key) in the transaction of the
  rows the request creates, with the response: a crash leaves both or neither;
- concurrent requests race on that unique insert: the later one waits for the first one's
  transaction (on PostgreSQL at most `IDEMPOTENCY_WAIT_SECONDS`, then 409
  `idempotency_request_in_progress`), then answers with its stored response;
- the same key with another method, path or body is refused with 422 `idempotency_key_reused`;
- only successes (2xx) are kept: a refused request (400, 404, 409 ...) rolls back with its key and
  may be corrected and sent again under the same key;
- keys are kept at least 24 hours (`core.tasks.purge_idempotency_keys`, hourly).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.status import is_success
from rest_framework.utils.encoders import JSONEncoder

from .errors import IdempotencyKeyInvalid, IdempotencyKeyReused, IdempotencyRequestInProgress
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
# Set on a response that is the stored answer to an earlier request.
REPLAYED_HEADER = "Idempotent-Replayed"
# Printable ASCII, as header values are.
KEY_FORMAT = re.compile(r"[\x20-\x7e]{1,255}")
# The response headers replayed with the body.
KEPT_HEADERS = ("Location",)
# PostgreSQL's "lock_not_available": lock_timeout passed.
LOCK_NOT_AVAILABLE = "55P03"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    # KEY_FORMAT, without the spaces at either end that HTTP drops from a header's value.
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[!-~]([ -~]{0,253}[!-~])?$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Optional, 1 to 255 printable ASCII characters, unique per request you mean (a UUID): the "
        "same key and body sent again, also while the first is running, is answered with the first "
        "response (header Idempotent-Replayed: true) and creates nothing more; the same key with "
        "another body is 422 idempotency_key_reused. Per user, kept 24 hours."
    ),
)

ViewMethod = Callable[..., Response]


def idempotent(view_method: ViewMethod) -> ViewMethod:
    """Make a DRF view method that creates something or moves money honour `Idempotency-Key` on
    POST (its GET, if any, is untouched). Put it right above the `def`, under `@action` and
    `@extend_schema`; the schema then documents the header and the 409/422 (`core.api.AutoSchema`)."""

    @functools.wraps(view_method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key, user = request.headers.get(HEADER), request.user
        if key is None or request.method != "POST" or isinstance(user, AnonymousUser):
            return view_method(view, request, *args, **kwargs)
        return idempotent_response(request, user, key, lambda: view_method(view, request, *args, **kwargs))

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


def is_idempotent(view_method: Any) -> bool:
    """Whether a view method was marked with `@idempotent`."""
    return getattr(view_method, "idempotent", False)


def idempotent_response(request: Request, user, key: str, respond: Callable[[], Response]) -> Response:
    """The stored response to the user's `key`, or `respond()` run and its response stored with it,
    in one transaction (the services' own transactions nest in it)."""
    if not KEY_FORMAT.fullmatch(key):
        raise IdempotencyKeyInvalid(
            _("The Idempotency-Key header must be 1 to 255 printable ASCII characters."), field=HEADER
        )
    this_request = IdempotencyKey(
        user=user,
        key=key,
        method=request.method or "",
        path=request.path,
        fingerprint=request_fingerprint(request),
    )
    with transaction.atomic():
        record = _claim(this_request)
        if record.response_status is not None:
            if (record.method, record.path, record.fingerprint) != (
                this_request.method,
                this_request.path,
                this_request.fingerprint,
            ):
                raise IdempotencyKeyReused(
                    _("This Idempotency-Key was used for another request; use a new key."), field=HEADER
                )
            return Response(
                json.loads(record.response_body),
                status=record.response_status,
                headers={**record.response_headers, REPLAYED_HEADER: "true"},
            )
        response = respond()
        if not is_success(response.status_code):
            record.delete()  # not an answer to replay: the request may be corrected and sent again
            return response
        record.response_status = response.status_code
        record.response_body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
        record.response_headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        record.save(update_fields=["response_status", "response_body", "response_headers"])
        return response


def _claim(row: IdempotencyKey) -> IdempotencyKey:
    """This request's row inserted (no response yet), or the row of the earlier request with its key.

    The insert does nothing on a conflict, and waits while another transaction holds the key
    uncommitted: concurrent requests are served one after the other. A committed row always has
    its response (it is written in the same transaction), so an empty response is ours."""
    with _lock_wait_bounded():
        IdempotencyKey.objects.bulk_create([row], ignore_conflicts=True)
    return IdempotencyKey.objects.get(user_id=row.user_id, key=row.key)


@contextmanager
def _lock_wait_bounded() -> Iterator[None]:
    """On PostgreSQL, a wait for another request's key longer than IDEMPOTENCY_WAIT_SECONDS ends in
    409; the transaction's lock timeout is restored afterwards, for the view's own row locks.
    (SQLite has one writer at a time: there the wait is its busy timeout.)"""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
            [f"{int(settings.IDEMPOTENCY_WAIT_SECONDS * 1000)}ms"],
        )
        previous = cursor.fetchone()[0]
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise IdempotencyRequestInProgress(
            _("A request with this Idempotency-Key is still running; send it again a little later."),
            field=HEADER,
        ) from error
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def request_fingerprint(request: Request) -> str:
    """SHA-256 of the parsed body in a canonical form: JSON with sorted keys, form fields with all
    their values, an uploaded file as its name and content digest (a multipart body's boundary
    changes from one send to the next, its content does not)."""
    canonical = json.dumps(_canonical(request.data), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, MultiValueDict):
        return {name: [_canonical(item) for item in value.getlist(name)] for name in value}
    if isinstance(value, dict):
        return {name: _canonical(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return value
