"""A middleware for the benchmarks (bench/settings.py for ours, bench/peer_helpdesk.py for the
peer): every SQL statement of a request on any connection (sessions, auth, the view, a numbers
connection) is counted and the total returned in `X-SQL-Count`, so the load client sees the
statements per request without a debug toolbar. Imports nothing of either project."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any


class SqlCountMiddleware:
    """Outermost middleware: counts on every connection Django has configured."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.db import connections

        count = 0

        def counter(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response["X-SQL-Count"] = str(count)
        return response
