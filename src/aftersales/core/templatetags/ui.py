"""Template helpers shared by every page: Bootstrap fields, state badges, personal values, sorting."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from aftersales.core.phones import phone_mask
from aftersales.core.privacy import PersonalValue

register = template.Library()

STATE_CLASSES = {
    "new": "text-bg-info",
    "accepted": "text-bg-primary",
    "assigned": "text-bg-primary",
    "in_service": "text-bg-warning",
    "waiting": "text-bg-secondary",
    "completed": "text-bg-success",
    "closed": "text-bg-dark",
    "cancelled": "text-bg-light border",
}
PRIORITY_CLASSES = {"low": "text-secondary", "high": "text-danger", "urgent": "text-danger fw-bold"}


@register.filter
def state_class(state: str) -> str:
    """Bootstrap badge colours of a lifecycle state."""
    return STATE_CLASSES.get(state, "text-bg-secondary")


@register.simple_tag
def state_badge(obj) -> str:
    """The badge of a work order's state (and waiting reason): on pages and, called directly,
    in the cells of long lists, where a template per cell would cost ten times as much."""
    waiting = label_of(obj, "waiting_reason") if obj.state == "waiting" and obj.waiting_reason else ""
    return format_html(
        '<span class="badge state-badge {}" data-testid="state" data-state="{}">{}{}</span>',
        state_class(obj.state),
        obj.state,
        label_of(obj, "state"),
        f" · {waiting}" if waiting else "",
    )


# The choices of the fields `label_of` was asked for, by (model label, field name).
_CHOICE_LABELS: dict[tuple[str, str], dict[str, Any]] = {}


def label_of(obj, field_name: str) -> str:
    """`obj.get_<field>_display()` for the cells of long lists: the field's choices are read once
    per model (the display method rebuilds them on every call), the label translated as usual."""
    key = (obj._meta.label, field_name)
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        choices = obj._meta.get_field(field_name).flatchoices
        labels = _CHOICE_LABELS[key] = {str(value): label for value, label in choices}
    value = getattr(obj, field_name)
    return str(labels.get(str(value), value))


@register.filter
def priority_class(priority: str) -> str:
    return PRIORITY_CLASSES.get(priority, "")


@register.filter
def phone_masked(e164: str) -> str:
    """138****1234: how every list shows a customer's number (R41)."""
    return phone_mask(e164) if e164 else ""


@register.inclusion_tag("core/_personal_value.html")
def personal(value: PersonalValue | str, testid: str = "") -> dict:
    """A phone number or address as the reader may see it: in full, or masked with a 显示 button
    that asks for a reason and reveals it in place (R41)."""
    if not isinstance(value, PersonalValue):
        value = PersonalValue(str(value or ""))
    return {"value": value, "testid": testid}


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


# The HTML of list filter fields already rendered, by what decides it (the field, its choices, its
# value, the language): a list page renders the same filters with the same values over and over,
# and Django's template-rendered widgets cost about a millisecond each (issue 9). Bounded.
_FILTER_FIELDS: dict[tuple, str] = {}
FILTER_FIELDS_CACHED = 512


def _filter_field_key(bound_field) -> tuple | None:
    """What a filter field's HTML depends on, or None when it must be rendered each time: with
    errors, or over rows (a model choice's options and an autocomplete's chosen labels depend on
    who looks)."""
    form_field, value = bound_field.field, bound_field.value()
    if bound_field.errors:
        return None
    if isinstance(form_field, forms.ModelChoiceField):
        if value or getattr(form_field.widget, "lookup", None) is None:
            return None
        choices: tuple = ()
    else:
        choices = tuple((str(k), str(v)) for k, v in getattr(form_field, "choices", ()))
    from django.utils.translation import get_language

    shown = tuple(value) if isinstance(value, list | tuple) else value
    form = bound_field.form
    return (
        type(form).__name__,
        form.prefix,
        bound_field.name,
        type(form_field),
        choices,
        repr(shown),
        get_language(),
    )


@register.simple_tag
def filter_field(bound_field) -> str:
    """A list's filter field (`field` with the "filter" test ids), its HTML kept for the next
    page that shows it the same (`_filter_field_key`)."""
    from django.template.loader import render_to_string

    key = _filter_field_key(bound_field)
    html = _FILTER_FIELDS.get(key) if key is not None else None
    if html is None:
        html = render_to_string("core/_field.html", field(bound_field, "filter"))
        if key is not None:
            if len(_FILTER_FIELDS) >= FILTER_FIELDS_CACHED:
                _FILTER_FIELDS.clear()
            _FILTER_FIELDS[key] = html
    return mark_safe(html)  # noqa: S308 - rendered by the field template, which escapes


@register.inclusion_tag("core/_field.html")
def field(bound_field, testid_prefix: str = "field", **attrs):
    """A form field the Bootstrap way: label, widget, help text and errors; `data-testid` for tests."""
    widget = bound_field.field.widget
    css = _widget_class(widget)
    if bound_field.errors:
        css += " is-invalid"
    widget_attrs = {"class": f"{css} {widget.attrs.get('class', '')}".strip()}
    widget_attrs["data-testid"] = f"{testid_prefix}-{bound_field.name}"
    widget_attrs.update({key.replace("_", "-"): value for key, value in attrs.items()})
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=widget_attrs),
        "is_check": css.startswith("form-check-input"),
        "is_hidden": bound_field.is_hidden,
    }


@register.simple_tag(takes_context=True)
def sort_url(context, key: str) -> str:
    """The current query with `ordering` toggled on `key` (first click ascending) and page reset."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    params = request.GET.copy()
    params["ordering"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def sort_icon(context, key: str) -> str:
    current = context["request"].GET.get("ordering", "")
    if current == key:
        return mark_safe('<i class="bi bi-caret-up-fill small" aria-hidden="true"></i>')
    if current == f"-{key}":
        return mark_safe('<i class="bi bi-caret-down-fill small" aria-hidden="true"></i>')
    return ""


@register.simple_tag(takes_context=True)
def panel(context, template_name: str, panel_context: dict):
    """`{% panel template ctx %}`: a panel registered by another app, rendered with its own
    context (and the request's, for the CSRF token and the user)."""
    from django.template.loader import render_to_string

    return render_to_string(template_name, panel_context, request=context.get("request"))


@register.filter
def add_class(bound_field, css: str):
    """A form field rendered with these CSS classes."""
    return bound_field.as_widget(attrs={"class": css})


def _cell(column, row, request, csrf_token) -> str:
    """One cell of a list (core.lists.Column): its HTML function, its template, or its value as
    text (dates in local time)."""
    from django.template.loader import get_template
    from django.utils import timezone
    from django.utils.html import conditional_escape

    user = request.user
    if column.html is not None:
        return column.html(row, user)
    if column.template:
        # Without the request: the context processors would run again for every cell of the page.
        cell = {"row": row, "user": user, "request": request, "csrf_token": csrf_token}
        return get_template(column.template).render(cell)
    value = column.value(row, user) if column.value is not None else ""
    if value is None or value == "":
        return "—"
    # numeric formats, the same in every language: strftime, many times faster than date_format
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return conditional_escape(value)


@register.simple_tag(takes_context=True)
def list_rows(context, rows, columns, ticks: bool = False):
    """The `<tr>` of a list's rows, built here rather than by template loops: a page of 25 rows
    and a dozen columns is a few hundred cells, and each template node costs more than the cell
    (issue 9: the list page's time was mostly template rendering)."""
    from django.utils.translation import gettext

    request, csrf_token = context["request"], context.get("csrf_token")
    list_view = context["list_view"]
    tick = gettext("Tick")
    labelled = [(column, str(column.label)) for column in columns]
    html = []
    for row in rows:
        css = list_view.row_css(row)
        # data-label: on a phone the rows are cards, each cell with its column's name (app.css)
        cells = "".join(
            format_html(
                '<td class="{}" data-label="{}">{}</td>',
                column.css,
                label,
                _cell(column, row, request, csrf_token),
            )
            for column, label in labelled
        )
        box = (
            format_html(
                '<td class="d-print-none"><input type="checkbox" class="form-check-input" name="ids" '
                'value="{}" form="bulk-form" aria-label="{} {}"></td>',
                row.pk,
                tick,
                row,
            )
            if ticks
            else ""
        )
        html.append(
            format_html(
                '<tr data-testid="list-row" data-pk="{}" data-key="{}"{}>{}{}</tr>',
                row.pk,
                row,
                format_html(' class="{}"', css) if css else "",
                box,
                mark_safe(cells),  # noqa: S308 - every cell is escaped above
            )
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every row is built with format_html


@register.filter
def everyday_actions(actions) -> list:
    """The (transition, form) pairs of a page's lifecycle buttons that are not destructive."""
    return [(transition, form) for transition, form in actions or () if not transition.destructive]


@register.filter
def destructive_actions(actions) -> list:
    """The destructive ones (cancel ...): set apart in a menu of their own, in red."""
    return [(transition, form) for transition, form in actions or () if transition.destructive]
