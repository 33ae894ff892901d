"""Settings of the HTTP load benchmark (bench/http_load.py): the production settings, DEBUG off,
plus a middleware that counts the SQL statements of each request and returns the count in the
`X-SQL-Count` header, so the client sees the queries per request without a debug toolbar.
Only the benchmark uses it (DJANGO_SETTINGS_MODULE=bench.settings)."""

from __future__ import annotations

from aftersales.config.settings import *  # noqa: F403
from aftersales.config.settings import MIDDLEWARE

DEBUG = False
MIDDLEWARE = ["bench.sql_count.SqlCountMiddleware", *MIDDLEWARE]
