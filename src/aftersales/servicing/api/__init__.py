"""REST API of servicing (R6, R8, R13, R14, R36). `register(router)` is called by config/api_urls.py."""

from __future__ import annotations

from .documents import DepotRepairFormViewSet
from .views import (
    DepotRepairViewSet,
    ExternalRepairViewSet,
    RemoteSessionViewSet,
    ServicePlanViewSet,
    VendorViewSet,
    WarrantyViewSet,
)


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"remote-sessions", RemoteSessionViewSet, basename="remotesession")
    router.register(r"service-plans", ServicePlanViewSet, basename="serviceplan")
    router.register(r"depot-repairs", DepotRepairViewSet, basename="depotrepair")
    router.register(r"depot-repairs", DepotRepairFormViewSet, basename="depotrepair-form")
    router.register(r"external-repairs", ExternalRepairViewSet, basename="externalrepair")
    router.register(r"repair-vendors", VendorViewSet, basename="vendor")
    router.register(r"warranty", WarrantyViewSet, basename="warranty")


__all__ = ["register"]
