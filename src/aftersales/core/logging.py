"""Logging that helps on call and keeps personal data out (R41, PIPL): every line carries the
request id the user was shown, and phone numbers, e-mail addresses and resident ID-card numbers
are masked in whatever is written, tracebacks included. Names, addresses and message bodies are
never passed to a logger."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# Resident ID cards (18 characters, the last a digit or X; the old 15-digit ones), Chinese mobiles
# (optionally +86 / 86), landlines with an area code, and e-mail addresses.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})(?:\d{11}|\d{8})([\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_personal_data(text: str) -> str:
    """110101***********X, 138****1234, 021****5678, s***@example.cn."""
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(0)) - 7)}{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(2)}****{m.group(4)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the id of the request being served, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class MaskingFormatter(logging.Formatter):
    """Masks personal data in the whole formatted record, message and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return mask_personal_data(super().format(record))
