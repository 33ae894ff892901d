"""Choices of large sets (engineers, service points, customers, dealers) loaded on demand.

A list page must not grow with the data: a filter over a large set does not render every row as
an `<option>`. Its widget renders only the chosen values (their labels read for those ids alone)
and a combobox (static/aftersales/autocomplete.js) asks the API for the rows matching what the
user types: `/api/autocomplete/<lookup>/?q=…` (core.autocomplete_api), at most
AUTOCOMPLETE_LIMIT rows, scoped exactly like the lists (R37).

A reference app registers a `Lookup` (its scope, search and labels) once, from its selectors;
filters name it: `engineer = autocomplete_filter("engineers", label=_("Engineer"))`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

# Rows one search returns at most; ids whose labels one request reads at most.
AUTOCOMPLETE_LIMIT = 20
AUTOCOMPLETE_MAX_IDS = 50


@dataclass(frozen=True)
class Lookup:
    """A large set a filter chooses from: `scope(user)` is what the user may see (ordered),
    `search(rows, text)` narrows it to what was typed, `label`/`detail` name a row."""

    name: str
    scope: Callable[[Any], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    label: Callable[[Any], str] = str
    detail: Callable[[Any], str] = field(default=lambda obj: "")
    # What the search matches, for the API's description.
    searches: str = ""

    def item(self, obj: Model) -> dict[str, Any]:
        return {"id": obj.pk, "label": self.label(obj), "detail": self.detail(obj)}


lookups: dict[str, Lookup] = {}


def register_lookup(lookup: Lookup) -> Lookup:
    lookups[lookup.name] = lookup
    return lookup


def lookup_get(name: str) -> Lookup:
    return lookups[name]


def lookup_search(lookup: Lookup, user: Any, text: str, limit: int = AUTOCOMPLETE_LIMIT) -> tuple[list, bool]:
    """The first `limit` rows in the user's scope matching `text` (all when empty) and whether more
    match: one query whatever the size of the set."""
    rows = lookup.scope(user)
    text = (text or "").strip()
    if text:
        rows = lookup.search(rows, text)
    found = list(rows[: limit + 1])
    return found[:limit], len(found) > limit


def lookup_selected(lookup: Lookup, user: Any, ids: Iterable[int]) -> list:
    """The rows of the given ids that the user may see (others are silently left out), in the
    order of the ids."""
    wanted = list(dict.fromkeys(ids))[:AUTOCOMPLETE_MAX_IDS]
    if not wanted:
        return []
    found = {obj.pk: obj for obj in lookup.scope(user).filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found]


# --- the widget -----------------------------------------------------------------------------------


def _ids(values: Sequence[Any]) -> list[int]:
    ids = []
    for value in values:
        text = str(getattr(value, "pk", value) or "").strip()
        if text.isdigit():
            ids.append(int(text))
    return ids


class AutocompleteSelect(forms.Select):
    """A `<select>` holding only the chosen rows (their labels read for those ids only: constant
    cost), turned into an accessible combobox by static/aftersales/autocomplete.js. Without
    JavaScript the form still submits the chosen ids. The field's queryset (scoped to the user)
    decides which chosen ids are shown."""

    allow_multiple_selected = False

    def __init__(self, lookup: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.lookup = lookup

    def _chosen(self, value: list[Any]) -> list[tuple[str, str, str]]:
        """(id, label, detail) of the chosen rows the field's queryset holds."""
        ids = _ids(value)
        if not ids:
            return []
        lookup = lookup_get(self.lookup)
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return []
        rows = {obj.pk: obj for obj in queryset.filter(pk__in=ids[:AUTOCOMPLETE_MAX_IDS])}
        return [(str(pk), lookup.label(rows[pk]), lookup.detail(rows[pk])) for pk in ids if pk in rows]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        values = self.format_value(value)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        options = format_html_join(
            "",
            '<option value="{}" title="{}" selected>{}</option>',
            ((pk, detail, label) for pk, label, detail in self._chosen(values)),
        )
        empty = "" if self.allow_multiple_selected else format_html('<option value="">{}</option>', "—")
        select_attrs = forms.utils.flatatt(final)
        return format_html(
            '<div class="autocomplete" data-autocomplete-url="{}" data-multiple="{}" data-text-empty="{}" '
            'data-text-loading="{}" data-text-remove="{}" data-text-placeholder="{}" data-text-more="{}">'
            "<select{}>{}{}</select></div>",
            reverse(f"api-autocomplete-{self.lookup}"),
            "true" if self.allow_multiple_selected else "false",
            _("No matches"),
            _("Searching…"),
            _("Remove"),
            _("Type to search"),
            _("More match: type more to narrow the list."),
            select_attrs,
            empty,
            options,
        )


class AutocompleteSelectMultiple(AutocompleteSelect, forms.SelectMultiple):
    """Several chosen rows, shown as removable chips by the combobox."""

    allow_multiple_selected = True


# --- the filters ------------------------------------------------------------------------------


def _scoped(lookup_name: str, model: type[Model]) -> Callable[[Any], QuerySet]:
    """The filter's choices: the lookup's rows the request's user may see (none without one)."""

    def queryset(request: Any) -> QuerySet:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return model._default_manager.none()
        return lookup_get(lookup_name).scope(user)

    return queryset


def autocomplete_filter(
    lookup: str, *, model: type[Model], label: Any, multiple: bool = False, **kwargs: Any
) -> django_filters.Filter:
    """A filter on a row of a large set, chosen with the combobox; its choices are scoped to the
    request's user (another dealer's id is refused as an invalid choice, never shown)."""
    if multiple:
        kwargs.setdefault("distinct", False)
        return django_filters.ModelMultipleChoiceFilter(
            queryset=_scoped(lookup, model),
            label=label,
            widget=AutocompleteSelectMultiple(lookup),
            **kwargs,
        )
    return django_filters.ModelChoiceFilter(
        queryset=_scoped(lookup, model), label=label, widget=AutocompleteSelect(lookup), **kwargs
    )
