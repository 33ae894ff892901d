"""The Content-Security-Policy (issue 13): enforced on every page, in development too, and no page
carries inline script — no <script> without src, no on…= handler, no hx-on, no javascript: link —
nor a <style> element, so the policy can forbid both."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from aftersales.accounts.choices import Role

from .. import factories as f
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.PACKAGE_DIR) / "templates"


class InlineCodeFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts, handlers and style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":  # data
            self.found.append(f"<script> without src (line {self.getpos()[0]})")
        if tag == "style":
            self.found.append(f"<style> element (line {self.getpos()[0]})")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=…> handler (line {self.getpos()[0]})")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…> (line {self.getpos()[0]})")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.found


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_the_finder_finds_each_kind_of_inline_code():
    html = (
        '<script>alert(1)</script><button onclick="x()"></button><div hx-on:click="y()"></div>'
        '<a href="javascript:z()"></a><style>p{}</style><script src="/static/ok.js"></script>'
    )
    assert len(inline_code(html)) == 5


@pytest.fixture
def pages(world, line):
    """The main pages, with a work order, an engineer and a visit so their boards are not empty."""
    point = world.point_a
    engineer = world.engineer_a
    f.QualificationFactory(engineer=engineer, product_line=line)
    order = world.order_a
    return {
        "work-order list": reverse("workorders:list"),
        "work-order detail": reverse("workorders:detail", args=[order.pk]),
        "intake": reverse("workorders:intake"),
        "complaint form": reverse("complaints:complaint_register"),
        "dispatch board": reverse("field:dispatch_board"),
        "schedule board": f"{reverse('field:schedule')}?date=2026-11-24&service_point={point.pk}",
        "map of the day": f"{reverse('field:schedule_map')}?date=2026-11-24&service_point={point.pk}",
    }


@pytest.fixture
def line(db):
    return f.ProductLineFactory(code="PRN", name="Printers")


def test_main_pages_carry_no_inline_script_and_send_the_policy(client, make_user, pages):
    client.force_login(make_user(Role.HQ_ADMIN, is_superuser=True, is_staff=True))
    with frozen(at(2026, 11, 24, 9, 0)):
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            assert inline_code(response.content.decode()) == [], name
            policy = directives(response["Content-Security-Policy"])
            assert policy["script-src"] == ["'self'"], name
            assert policy["style-src-elem"] == ["'self'"], name
            assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], name
            assert "Content-Security-Policy-Report-Only" not in response, name
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"


def test_htmx_neither_injects_its_style_nor_evaluates_code(client, agent):
    client.force_login(agent)
    html = client.get(reverse("workorders:list")).content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>"""
        in html
    )
    app_css = (Path(settings.PACKAGE_DIR) / "static" / "aftersales" / "app.css").read_text()
    assert ".htmx-request .htmx-indicator" in app_css  # the indicator htmx no longer styles


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_carries_inline_script(template):
    """Every template, also the pages the test above does not open (printed forms, admin pages of
    our own, partials swapped in by htmx)."""
    assert inline_code(template.read_text()) == []


def test_api_docs_load_their_script_from_a_url(client, agent):
    client.force_login(agent)
    for url in (reverse("api-docs"), reverse("api-redoc")):
        response = client.get(url)
        assert response.status_code == 200
        assert inline_code(response.content.decode()) == [], url
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_the_map_tiles_host_is_allowed_as_an_image_source_with_its_placeholders_as_wildcards():
    from aftersales.config.settings import map_tile_sources

    assert map_tile_sources("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == [
        "https://*.tile.openstreetmap.org"
    ]
    assert map_tile_sources("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}") == [
        "https://*.is.autonavi.com"
    ]
    assert map_tile_sources("https://tiles.example.com/{z}/{x}/{y}.png") == ["https://tiles.example.com"]
    assert map_tile_sources("") == []
