"""REST API of this app (filled by the API work)."""


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
