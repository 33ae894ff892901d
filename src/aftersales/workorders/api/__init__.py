"""REST API of work orders: CRUD under optimistic locking, one endpoint per transition, notes,
attachments, events and history. `register(router)` is called by config/api_urls.py."""

from __future__ import annotations

from .search import SearchViewSet
from .views import UnknownActionViewSet, WorkOrderViewSet, workorder_of_path


def register(router) -> None:
    """Add this app's viewsets to the project's router.

    The unknown-action catch-all comes after the work-order routes, so that
    `POST /api/workorders/<id>/<anything>/` answers a JSON 404 problem rather than an HTML page.
    """
    router.register(r"workorders", WorkOrderViewSet, basename="workorder")
    router.register(r"search", SearchViewSet, basename="search")
    router.register(
        r"workorders/(?P<work_order_pk>[^/.]+)/(?P<action_name>[^/.]+)",
        UnknownActionViewSet,
        basename="workorder-unknown-action",
    )


__all__ = ["workorder_of_path", "register"]
