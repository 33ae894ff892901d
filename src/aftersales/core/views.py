"""The home page ("my queue"). Core knows no domain app: the apps add their panels to it through
`register_home_panel`, the way work-order pages get panels from `workorders.hooks`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

PanelContext = Callable[[HttpRequest], dict[str, Any]]


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: PanelContext
    order: int = 100


home_panels: list[HomePanel] = []


def register_home_panel(template: str, context: PanelContext, order: int = 100) -> None:
    """Show `template` on the home page, rendered with `context(request)` as `panel`."""
    if any(panel.template == template for panel in home_panels):
        return
    home_panels.append(HomePanel(template=template, context=context, order=order))
    home_panels.sort(key=lambda panel: panel.order)


class HomeView(LoginRequiredMixin, View):
    """`/`: the signed-in user's queue, one panel per app that registered one."""

    def get(self, request: HttpRequest) -> HttpResponse:
        panels = [(panel.template, panel.context(request)) for panel in home_panels]
        return render(request, "core/home.html", {"panels": panels})
