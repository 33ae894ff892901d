"""Domain errors: raised by services, mapped once to form messages (pages) and JSON problems (API)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request. `code` is stable; `field` names the input at fault."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class TransitionNotAllowed(DomainError):
    """The object is not in a state from which this action may run."""

    status = 409
    default_code = "transition_not_allowed"


class ConcurrentUpdate(DomainError):
    """Someone else saved the object since it was read (optimistic locking)."""

    status = 409
    default_code = "stale_version"


class IdempotencyKeyReused(DomainError):
    """The same idempotency key came back with a different request: it is not a replay (422)."""

    status = 422
    default_code = "idempotency_key_reused"


class IdempotencyKeyInvalid(DomainError):
    """The Idempotency-Key header is not 1 to 255 printable ASCII characters (400)."""

    default_code = "idempotency_key_invalid"


class IdempotencyRequestInProgress(DomainError):
    """A request with the same Idempotency-Key is still running and did not finish in time (409)."""

    status = 409
    default_code = "idempotency_request_in_progress"


class StillInUse(DomainError):
    """The record is still in use (others refer to it, or others rely on it as the default) and
    is kept (409): `protected`, as for a delete the database refuses."""

    status = 409
    default_code = "protected"


class NotPermitted(DomainError):
    """The actor's role may not perform this action."""

    status = 403
    default_code = "permission_denied"


# --- the stable codes of refusals -----------------------------------------------------------------
# Integrators branch on `code`, so every code a service raises is declared once with what it means
# (the API schema lists them all; tests/core/test_error_codes.py finds any undeclared one). Each app
# declares its own in its `errors.py`; these are the platform's.
ERROR_CODES: dict[str, str] = {}


def register_error_codes(codes: dict[str, str]) -> None:
    """Declare error codes and their meaning (a code means one thing across the whole API)."""
    for code, meaning in codes.items():
        if ERROR_CODES.get(code, meaning) != meaning:
            raise ValueError(f"error code {code!r} already means {ERROR_CODES[code]!r}")
        ERROR_CODES[code] = meaning


register_error_codes(
    {
        "invalid": "The input is not valid; `field` names it.",
        "required": "A required input is missing; `field` names it.",
        "transition_not_allowed": "The record is not in a state from which this action may run (409).",
        "stale_version": "Someone saved the record since the `version` you sent was read (409).",
        "permission_denied": "Your role may not do this, or not on this record (403).",
        "unknown_action": "There is no such action.",
        "unknown_field": "The input has a key the endpoint does not take (state changes only by actions).",
        "control_characters": "The text holds control characters (NUL, C0); remove them.",
        "protected": "The record is still in use and cannot be deleted (409).",
        "server_error": "An unexpected error; quote the request id in the message to support (500).",
        "invalid_phone": "Not a valid Chinese mobile or landline number.",
        "inactive": "The person chosen is not active.",
        "idempotency_key_reused": "The Idempotency-Key was used before with a different request (422).",
        "idempotency_key_invalid": "The Idempotency-Key header is not 1 to 255 printable ASCII characters.",
        "idempotency_request_in_progress": (
            "A request with this Idempotency-Key is still running; send it again a little later (409)."
        ),
        "invalid_cursor": "The cursor was not given by this list's pages in this sort; start without it.",
        "empty": "The file uploaded is empty.",
        "import_row_invalid": (
            "A row of the uploaded file is invalid (`field` is `rows[<row>].<column>`); nothing was saved."
        ),
        "import_file_invalid": (
            "The uploaded file cannot be read, lacks a required column or has no data rows; nothing "
            "was saved."
        ),
        "cursor_with_page": "A list asked for by page number and by cursor at once: give one.",
        "unsupported_ordering": "Cursor pages cannot follow this sort (a computed column); sort by another.",
    }
)
