"""The parts app's API, one module per area; `register` adds them all to the project's router."""

from . import dealers, old_parts, stock


def register(router) -> None:
    for area in (stock, dealers, old_parts):
        area.register(router)
