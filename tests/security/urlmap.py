"""The site's URL map as routes with their ids (tests/security/test_idor.py): every route of the
pages and of the API, its path with `{name}` for each id, its view and the methods it takes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

_GROUP = re.compile(r"\(\?P<(\w+)>")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(pattern: str) -> str:
    """A route as a path with `{name}` for each id: `api/workorders/{pk}/accept/` for both
    `path()` routes and the routers' regular expressions."""
    out, i = [], 0
    while i < len(pattern):
        group = _GROUP.match(pattern, i)
        if group is None:
            out.append(pattern[i])
            i += 1
            continue
        depth, i = 1, group.end()
        while depth:  # skip the group's expression, whatever its own brackets
            depth += {"(": 1, ")": -1}.get(pattern[i], 0)
            i += 1
        out.append("{" + group.group(1) + "}")
    path = "".join(out).replace("^", "").replace("$", "").replace("\\", "")
    return _CONVERTER.sub(r"{\1}", path)


_UUID = re.compile(r"<uuid:(\w+)>|\(\?P<(\w+)>\[0-9a-f-\]\{36\}\)")


@dataclass(frozen=True)
class Route:
    path: str  # "api/workorders/{pk}/accept/"
    callback: Callable
    pattern: str  # as declared: "workorders/files/<uuid:key>/"

    @property
    def ids(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def uuid_ids(self) -> set[str]:
        """The ids that are a record's random `uuid` (files, photos: R41), not its number."""
        return {a or b for a, b in _UUID.findall(self.pattern)}

    @property
    def methods(self) -> list[str]:
        """The methods the view takes: a viewset's mapped actions, a class view's handlers, and
        GET and POST for a function view (the pages use no other; a 405 is then an answer too)."""
        actions = getattr(self.callback, "actions", None)
        if actions:  # HEAD is the GET's view
            return sorted(method.upper() for method in actions if method != "head")
        view = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        if view is None:
            return ["GET", "POST"]
        allowed = getattr(view, "http_method_names", ())
        return [
            m.upper() for m in ("get", "post", "put", "patch", "delete") if m in allowed and hasattr(view, m)
        ]


def walk(patterns, prefix: str = "") -> Iterator[Route]:
    """Every route under `patterns`, depth first."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            yield Route(_template(pattern), entry.callback, pattern)


def routes_with_ids() -> list[Route]:
    """Every route naming something by a path parameter, but the format-suffix twins of the API's
    routes (the same view) and Django's admin (`test_r37_the_admin_is_closed_to_dealers`)."""
    seen, found = set(), []
    for route in walk(get_resolver().url_patterns):
        if not route.ids or "format" in route.ids or route.path.startswith("admin/") or route.path in seen:
            continue
        seen.add(route.path)
        found.append(route)
    return found


def admin_routes() -> list[Route]:
    """The pages of Django's admin that name a record (not its lists, by app)."""
    return [
        route
        for route in walk(get_resolver().url_patterns)
        if route.path.startswith("admin/") and route.ids and "app_label" not in route.ids
    ]
