"""`{% notification_bell %}`: the bell in the navbar. It renders without a query; HTMX fetches the
unread count on page load and every minute, so list pages keep their query counts."""

from django import template

register = template.Library()

POLL_SECONDS = 60


@register.inclusion_tag("notifications/_bell_poll.html")
def notification_bell() -> dict:
    return {"poll_seconds": POLL_SECONDS}
