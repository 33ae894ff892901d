"""Text stored now and shown later in the reader's language (timelines, notices).

A stored message is its untranslated source (the msgid) and its parameters; parameters that are
themselves translatable (a state's label, a transition's name) are stored the same way. Shown, it
is translated into the active language, so an English screen reads English whatever language was
active when it was written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

# How a stored value says what it is.
MSGID = "msgid"
DATETIME = "datetime"


def stored_value(value: Any) -> Any:
    """A parameter as JSON: lazy translations as their msgid, times as ISO text, the rest as is."""
    if isinstance(value, Promise):
        with translation.override(None):
            return {MSGID: str(value)}
    if isinstance(value, datetime):
        return {DATETIME: value.isoformat()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): stored_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stored_value(item) for item in value]
    return value


def stored_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(key): stored_value(value) for key, value in (params or {}).items()}


def shown_value(value: Any) -> Any:
    """A stored parameter as the reader sees it: translated, times in local time, lists joined."""
    if isinstance(value, dict) and set(value) == {MSGID}:
        return gettext(value[MSGID]) if value[MSGID] else ""
    if isinstance(value, list):
        return ", ".join(str(shown_value(item)) for item in value)
    if isinstance(value, dict) and set(value) == {DATETIME}:
        moment = datetime.fromisoformat(value[DATETIME])
        return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
    return value


def shown_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: shown_value(value) for key, value in (params or {}).items()}


def render(template: str | Promise, params: Mapping[str, Any] | None) -> str:
    """`template` (a msgid, translated now) filled with the stored parameters; a template that
    names a parameter the row does not have shows untranslated parts rather than failing."""
    text = gettext(str(template)) if not isinstance(template, Promise) else str(template)
    try:
        return text % shown_params(params)
    except (KeyError, TypeError, ValueError):
        return text
