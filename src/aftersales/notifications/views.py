"""The bell and the "my notifications" page. Thin views over the selectors (always the user's own
notices) and the services; opening a notice marks it read and follows its link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .models import Notification
from .selectors import notification_get, notification_list, notification_unread_count
from .services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 25
# HTMX stops polling on this status (the session ended: no bell to refresh).
HTMX_STOP_POLLING = 286


@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count, fetched by HTMX on page load and every minute after."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    return render(
        request,
        "notifications/_bell.html",
        {"unread": notification_unread_count(user=request.user)},
    )


@login_required
@require_GET
def notification_list_view(request: HttpRequest) -> HttpResponse:
    """My notifications, unread first, 25 a page."""
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": notification_unread_count(user=request.user)},
    )


@login_required
@require_POST
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and open its link (back to the list when it has none)."""
    try:
        notification = notification_get(user=request.user, notification_id=pk)
    except Notification.DoesNotExist as error:
        raise Http404 from error
    notification_mark_read(notification_id=notification.pk, actor=request.user)
    safe = url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if notification.url and safe else "notifications:list")


@login_required
@require_POST
def notification_mark_all_read_view(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(actor=request.user)
    return redirect("notifications:list")
