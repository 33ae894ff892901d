"""Pages every app shares: the home page ("my queue"), to which the apps add their panels through
`register_home_panel` (core knows no domain app), and the view behind every lifecycle button."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .forms import REFUSALS, InputField, TransitionForm, error_messages, form_error_messages
from .transitions import Machine, Transition, transition_run

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


# --- lifecycle buttons -----------------------------------------------------------------------------


def transition_buttons(
    machine: Machine, obj, user, fields: Mapping[str, InputField]
) -> list[tuple[Transition, TransitionForm]]:
    """The buttons a page shows for `obj`: each transition the user may run now, with its form."""
    initial = {"version": obj.version} if machine.versioned else {}
    return [
        (
            transition,
            TransitionForm(machine=machine, transition=transition, fields=fields, user=user, initial=initial),
        )
        for transition in machine.available(obj, user)
    ]


class TransitionView(LoginRequiredMixin, View):
    """`POST .../<pk>/do/<action>/`: run one transition from a page's button, then back to the page.

    A subclass names the `machine`, the form `fields` of its inputs, how to read the object in the
    user's scope (`get_object`: 404 outside it) and where to go afterwards (`redirect_to`). A
    refusal (wrong state, role, missing input) comes back as a message, never a 500."""

    http_method_names = ["post"]
    machine: Machine
    fields: Mapping[str, InputField] = {}

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        raise NotImplementedError

    def redirect_to(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return redirect(obj.get_absolute_url())

    def run(self, request: HttpRequest, obj: Any, transition: Transition, form: TransitionForm) -> Any:
        return transition_run(
            self.machine, pk=obj.pk, action=transition.name, actor=request.user, **form.run_kwargs()
        )

    def done_message(self, obj: Any, transition: Transition) -> str:
        display = getattr(obj, f"get_{self.machine.state_field}_display")()
        return _("%(action)s: done. %(record)s is now “%(state)s”.") % {
            "action": transition.label,
            "record": obj,
            "state": display,
        }

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        obj = self.get_object(request, pk)
        transition = self.machine.transitions.get(action)
        if transition is None:
            raise Http404
        form = TransitionForm(
            request.POST,
            request.FILES,
            machine=self.machine,
            transition=transition,
            fields=self.fields,
            user=request.user,
        )
        if not form.is_valid():
            form_error_messages(request, form)
            return self.redirect_to(request, obj)
        try:
            obj = self.run(request, obj, transition, form)
        except REFUSALS as error:
            error_messages(request, error)
            return self.redirect_to(request, obj)
        messages.success(request, self.done_message(obj, transition))
        return self.redirect_to(request, obj)
