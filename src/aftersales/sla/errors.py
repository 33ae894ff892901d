"""The error codes of the service-level context (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "official_year_known": (
            "R34: the installed holiday package already has that year's official schedule; change a "
            "single day with a working-calendar exception instead."
        ),
        "default_required": (
            "R34: the company default calendar or service-level policy stays the default until "
            "another one is made the default (which takes the flag from it)."
        ),
        "default_inactive": (
            "R34: the default service-level policy applies when no other matches; it stays active."
        ),
        "hours_required": "R34: a working calendar needs at least one working period in its week.",
        "period_reversed": "R34: a working period ends before it starts (an end of 00:00 is midnight).",
        "stop_on_start": "R34: a milestone cannot stop on the event that starts it.",
        "period_overlap": (
            "R34: two working periods of the same weekday overlap (`field` names the later one)."
        ),
    }
)
