"""Phone numbers: validated and normalised for region CN, displayed and masked (who sees which:
`accounts.privacy`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import phonenumbers
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _


def phone_normalize(raw: str) -> str:
    """E.164 form (+8613812341234) of a Chinese mobile or landline number; raises ValidationError."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=8192)
def phone_display(e164: str) -> str:
    """National digits for Chinese numbers (13812341234), international form otherwise. Kept for
    the numbers seen lately: a list page shows dozens, and parsing one costs more than its row."""
    if not e164:
        return ""
    parsed = phonenumbers.parse(e164, "CN")
    if parsed.country_code == 86:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")
    return e164


def phone_mask(e164: str) -> str:
    """138****1234: the first three and last four digits stay readable (a value that is no phone
    number, as old history rows may hold, is masked whole)."""
    try:
        digits = phone_display(e164)
    except phonenumbers.NumberParseException:
        return "*" * len(e164)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


_PHONE_QUERY = re.compile(r"[\d+()\-. ]*")


def phone_search_digits(query: str) -> str:
    """The digits of a search query as they appear inside a stored E.164 number; none when the
    query holds anything a phone number does not (C00001 is a code, not the digits 0001)."""
    if not _PHONE_QUERY.fullmatch(query.strip()):
        return ""
    digits = "".join(ch for ch in query if ch.isdigit())
    return digits[1:] if digits.startswith("0") and len(digits) > 3 else digits


def validate_phone(value: str) -> None:
    phone_normalize(value)


def search_condition(value: str, *, text: Sequence[str], phones: Sequence[str] = ()) -> Q:
    """The search box of every list: the query inside any of the `text` fields, or its digits (four
    or more, trunk 0 dropped) inside any of the `phones` fields, which hold E.164 numbers."""
    condition = Q()
    for field in text:
        condition |= Q(**{f"{field}__icontains": value})
    digits = phone_search_digits(value)
    if len(digits) >= 4:
        for field in phones:
            condition |= Q(**{f"{field}__contains": digits})
    return condition
