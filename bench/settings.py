"""Settings of the HTTP load benchmark (bench/http_load.py): the production settings, DEBUG off,
plus a middleware that counts the SQL statements of each request and returns the count in the
`X-SQL-Count` header, so the client sees the queries per request without a debug toolbar.
Only the benchmark uses it (DJANGO_SETTINGS_MODULE=bench.settings)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from aftersales.config.settings import *  # noqa: F403
from aftersales.config.settings import MIDDLEWARE

DEBUG = False
MIDDLEWARE = ["bench.settings.SqlCountMiddleware", *MIDDLEWARE]


class SqlCountMiddleware:
    """Outermost middleware: every statement of the request on any connection (sessions, auth,
    the view, the numbers connection) is counted; `X-SQL-Count` carries the total."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.db import connections

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response["X-SQL-Count"] = str(count)
        return response
