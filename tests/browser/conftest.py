"""Playwright driving Debian's Chromium (never a downloaded browser).

Where /usr/bin/chromium is absent the browser tests are skipped with the reason; in CI (CI=true,
where .ci/run installs it) its absence is a failure, so they can never pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser):
    """A new page in its own browser context (its own cookies: one signed-in user each); every
    context is closed when the test ends, so no connection to the live server outlives it. What
    the Content-Security-Policy blocked on any of its pages (an inline script or handler, a style
    element) fails the test: Chromium reports each on the console."""
    contexts = []
    blocked: list[str] = []

    def note_blocked(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            blocked.append(message.text)

    def open_(*, width: int = 1280, height: int = 900, phone: bool = False):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", note_blocked)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert blocked == [], "blocked by the Content-Security-Policy"


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, stopped before the test database is dropped (it is set up
    after it), with request threads that close their connections after each request, so
    PostgreSQL can drop the test database at the end of the run."""
    from django.db import connection

    connection.settings_dict["CONN_MAX_AGE"] = 0
    return live_server
