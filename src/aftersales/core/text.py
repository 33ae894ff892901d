"""Text at the boundary: control characters refused on the way in, formulas and characters a
spreadsheet cannot hold neutralised on the way out to Excel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# NUL and the C0 range except tab, newline and carriage return (textareas send CR LF). Stored,
# they break XML exports (Excel) and can hide text from readers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A spreadsheet cell starting with one of these is read as a formula (CSV/Excel injection).
FORMULA_STARTS = ("=", "+", "-", "@")

CONTROL_CHARACTER_MESSAGE = _("Remove the invisible control characters from this text.")


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))


def validate_no_control_characters(value: Any) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_characters")


def control_character_paths(data: Any, path: str = "") -> Iterator[str]:
    """The paths (`contacts[0].name`) of every string, key included, in a parsed JSON document that
    holds a control character."""
    if isinstance(data, str):
        if has_control_characters(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and has_control_characters(key):
                yield name
            else:
                yield from control_character_paths(value, name)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from control_character_paths(value, f"{path}[{index}]")


def spreadsheet_text(value: str) -> tuple[str, bool]:
    """The text as a cell may hold it (characters Excel refuses dropped), and whether it must be
    written as literal text because it would otherwise be read as a formula."""
    text = CONTROL_CHARACTERS.sub("", value)
    return text, text.startswith(FORMULA_STARTS)
