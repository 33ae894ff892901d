"""What pages share about forms: where a refused write's message goes (one place: on the form
field it names, or as a page message), and the small form behind every lifecycle button."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .transitions import Machine, Transition

# The refusals of a write: a rule of the domain, or invalid input.
REFUSALS = (DomainError, ValidationError)


def form_add_errors(form: forms.Form, error: Exception, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's DomainError or ValidationError on the form: on the field it names when the
    form shows that field (`aliases` maps service names to form names), otherwise on top."""
    aliases = aliases or {}

    def target(name: str | None) -> str | None:
        name = aliases.get(name or "", name)
        if name in form.fields and not form.fields[name].widget.is_hidden:
            return name
        return None  # unknown or hidden fields: the message goes on top, where the user sees it

    if isinstance(error, DomainError):
        form.add_error(target(error.field), error.message)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            form.add_error(target(None if name == "__all__" else name), texts)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:  # pragma: no cover - only refusals are passed in
        raise error


def error_messages(request: HttpRequest, error: Exception) -> None:
    """A refused write as messages on the next page (for actions posted from a button)."""
    if isinstance(error, DomainError):
        messages.error(request, error.message)
    elif isinstance(error, ValidationError):
        for text in error.messages:
            messages.error(request, text)
    else:  # pragma: no cover - only refusals are passed in
        raise error


def form_error_messages(request: HttpRequest, form: forms.Form) -> None:
    """An invalid small form as messages on the next page, each with its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def attempt(form: forms.Form, call: Callable[[], Any], aliases: Mapping[str, str] | None = None) -> Any:
    """Run a write for a form: its result, or None with the refusal put on the form."""
    try:
        return call()
    except REFUSALS as error:
        form_add_errors(form, error, aliases)
        return None


# --- lifecycle buttons ----------------------------------------------------------------------------

# A form field for an input of a transition, made for the user who sees the form (choices scoped).
InputField = Callable[[Any], forms.Field]


def text_input(label) -> InputField:
    return lambda user: forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def line_input(label, max_length: int = 255) -> InputField:
    return lambda user: forms.CharField(label=label, required=False, max_length=max_length)


def choice_input(label, choices) -> InputField:
    return lambda user: forms.ChoiceField(label=label, required=False, choices=[("", "—"), *choices])


class TransitionForm(forms.Form):
    """The small form behind one lifecycle button: the inputs the transition declares, nothing
    required here (the transition itself says what is missing, naming the input), and the hidden
    version of a versioned object."""

    def __init__(
        self,
        *args: Any,
        machine: Machine,
        transition: Transition,
        fields: Mapping[str, InputField],
        user,
        **kwargs: Any,
    ):
        kwargs.setdefault("auto_id", f"id_{transition.name}_%s")
        super().__init__(*args, **kwargs)
        self.transition = transition
        if machine.versioned:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        for name in sorted(transition.inputs, key=lambda n: list(fields).index(n) if n in fields else 99):
            if name in fields:
                self.fields[name] = fields[name](user)
        if "note" in transition.needs and "note" in self.fields:
            self.fields["note"].label = _("Reason")

    def run_kwargs(self) -> dict[str, Any]:
        """`expected_version` and `inputs` for `transition_run`."""
        data = dict(self.cleaned_data)
        version = data.pop("version", None)
        return {"expected_version": version, "inputs": {k: v for k, v in data.items() if v not in ("", None)}}


# --- addresses: province, city and district picked in cascade (core.divisions) ------------------


class DivisionSelect(forms.Select):
    """A select of divisions (values are names, as addresses store them) whose options carry their
    codes, so the page's script (divisions.js) loads the next level's choices from the API."""

    def __init__(self, level: str, group: str, codes: Mapping[str, str] | None = None) -> None:
        super().__init__(attrs={"data-division": level, "data-division-group": group})
        self.codes: Mapping[str, str] = codes or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.codes:
            option["attrs"]["data-code"] = self.codes[value]
        return option


class AddressFields:
    """The province, city, district and street fields `<prefix>province` ... of a form, picked in
    cascade; the choices of each level follow the level above as the form was given (so a form
    shown again with errors keeps them) and `clean_address()` checks that they fit together."""

    def __init__(self, prefix: str, *, street_field: str = "address") -> None:
        self.prefix, self.street_field = prefix, street_field

    def fields(self) -> dict[str, forms.Field]:
        group = self.prefix.rstrip("_") or "address"
        return {
            f"{self.prefix}province": forms.ChoiceField(
                label=_("Province"), required=False, widget=DivisionSelect("province", group)
            ),
            f"{self.prefix}city": forms.ChoiceField(
                label=_("City"), required=False, widget=DivisionSelect("city", group)
            ),
            f"{self.prefix}district": forms.ChoiceField(
                label=_("District / county"), required=False, widget=DivisionSelect("district", group)
            ),
            f"{self.prefix}{self.street_field}": forms.CharField(
                label=_("Street address"), max_length=255, required=False
            ),
        }

    def bind(self, form: forms.Form) -> None:
        """Set each level's choices from what the form holds (data, else initial)."""
        from . import divisions

        def chosen(level: str) -> str:
            name = f"{self.prefix}{level}"
            source = form.data if form.is_bound else form.initial
            return (source.get(name) or "").strip()

        rows = divisions.provinces()
        for level in ("province", "city", "district"):
            field: Any = form.fields[f"{self.prefix}{level}"]  # a ChoiceField (fields() above)
            field.choices = [("", "—"), *((row.name, row.name) for row in rows)]
            field.widget.codes = {row.name: row.code for row in rows}
            picked = divisions.find(chosen(level), rows)
            rows = divisions.children(picked.code) if picked is not None else []

    def clean_address(self, form: forms.Form, *, required: bool) -> None:
        """Errors on the fields: a required address needs a province, a city and (where the city
        has them) a district that belong together (R5: dispatch routes by them)."""
        from . import divisions

        data = form.cleaned_data
        parts = [data.get(f"{self.prefix}{level}") or "" for level in ("province", "city", "district")]
        if not any(parts) and not required:
            return
        for level, message in divisions.address_errors(*parts).items():
            form.add_error(f"{self.prefix}{level}", message)
