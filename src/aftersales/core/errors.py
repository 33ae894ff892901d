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


class NotPermitted(DomainError):
    """The actor's role may not perform this action."""

    status = 403
    default_code = "permission_denied"
