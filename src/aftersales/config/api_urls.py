"""One router for the whole API; each app registers its viewsets in its api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from aftersales.accounts.api import register as register_accounts
from aftersales.billing.api import register as register_billing
from aftersales.catalog.api import register as register_catalog
from aftersales.complaints.api import register as register_complaints
from aftersales.core.api import ID_PATTERN
from aftersales.core.autocomplete_api import autocomplete_urls
from aftersales.core.divisions_api import division_urls
from aftersales.core.lists_api import register as register_lists
from aftersales.core.privacy_api import register as register_privacy
from aftersales.customers.api import register as register_customers
from aftersales.devices.api import register as register_devices
from aftersales.feedback.api import register as register_feedback
from aftersales.field.api import register as register_field
from aftersales.notifications.api import register as register_notifications
from aftersales.parts.api import register as register_parts
from aftersales.returns.api import register as register_returns
from aftersales.servicing.api import register as register_servicing
from aftersales.sla.api import register as register_sla
from aftersales.workorders.api import register as register_workorders
from aftersales.workorders.api import register_unknown_actions


class Router(DefaultRouter):
    """The project's router. A record's id in an address is a whole number of at most 18 digits
    (below a 64-bit key's limit): `/api/customers/abc/` or a 30-digit id matches no route and is
    answered 404 like any unknown address (core.errorviews), never reaching a query that cannot
    take it. Apps above the work order add their own detail routes under `workorders`
    (`/api/workorders/<id>/appointments/`, `…/sla/`) with viewsets of their own: the API root links
    each prefix to the list of its first registration (the work orders' list)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._default_value_pattern = ID_PATTERN

    def get_api_root_view(self, api_urls=None):
        api_root_dict: dict[str, str] = {}
        list_name = self.routes[0].name
        for prefix, _viewset, basename in self.registry:
            api_root_dict.setdefault(prefix, list_name.format(basename=basename))
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = Router()
for register in (
    register_lists,
    register_accounts,
    register_notifications,
    register_privacy,
    register_catalog,
    register_customers,
    register_devices,
    register_workorders,
    register_feedback,
    register_complaints,
    register_servicing,
    register_field,
    register_billing,
    register_parts,
    register_returns,
    register_sla,
    register_unknown_actions,  # last: after every app's /workorders/<id>/<what>/ routes
):
    register(router)

urlpatterns = [
    path("auth/", include("aftersales.accounts.api_urls")),
    # The filters' choices of large sets, on demand (the lookups the apps registered).
    *autocomplete_urls(),
    # Provinces, cities and districts for the address pickers.
    *division_urls(),
    path("", include(router.urls)),
]
