from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# Redoc styles itself with <style> elements it writes at run time and parses in a worker of its own.
redoc_view = csp_update({"style-src-elem": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", include("aftersales.core.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("customers/", include("aftersales.customers.urls")),
    path("devices/", include("aftersales.devices.urls")),
    path("catalog/", include("aftersales.catalog.urls")),
    path("workorders/", include("aftersales.workorders.urls")),
    path("field/", include("aftersales.field.urls")),
    path("sla/", include("aftersales.sla.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("servicing/", include("aftersales.servicing.urls")),
    path("feedback/", include("aftersales.feedback.urls")),
    path("complaints/", include("aftersales.complaints.urls")),
    path("billing/", include("aftersales.billing.urls")),
    path("parts/", include("aftersales.parts.urls")),
    path("returns/", include("aftersales.returns.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own "change password" is the app's page, which revokes the user's API tokens.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/", include("aftersales.config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", redoc_view, name="api-redoc"),
]

handler404 = "aftersales.core.errorviews.page_not_found"
handler500 = "aftersales.core.errorviews.server_error"
