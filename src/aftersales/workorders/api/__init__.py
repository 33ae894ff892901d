"""REST API of work orders: CRUD under optimistic locking, one endpoint per transition, notes,
attachments, events and history. `register(router)` is called by config/api_urls.py."""

from __future__ import annotations

from .search import SearchViewSet
from .views import UnknownActionViewSet, WorkOrderViewSet, workorder_of_path


def register(router) -> None:
    """Add this app's viewsets to the project's router. The apps above the work order add their
    own `/api/workorders/<id>/<what>/` routes (visits, appointments, clocks) after these."""
    router.register(r"workorders", WorkOrderViewSet, basename="workorder")
    router.register(r"search", SearchViewSet, basename="search")


def register_unknown_actions(router) -> None:
    """The unknown-action catch-all, registered after every app's work-order routes (last in
    config/api_urls.py), so that `POST /api/workorders/<id>/<anything>/` answers a JSON 404
    problem rather than an HTML page."""
    router.register(
        r"workorders/(?P<work_order_pk>[^/.]+)/(?P<action_name>[^/.]+)",
        UnknownActionViewSet,
        basename="workorder-unknown-action",
    )


__all__ = ["workorder_of_path", "register", "register_unknown_actions"]
