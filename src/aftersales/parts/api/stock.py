"""The stock endpoints of the parts API."""


def register(router) -> None:
    """Add this area's viewsets to the project's router."""
