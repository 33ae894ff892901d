"""The pages of the parts app, one module of routes per area."""

from django.urls import include, path

app_name = "parts"

urlpatterns = [
    path("", include("aftersales.parts.urls_stock")),
    path("dealers/", include("aftersales.parts.urls_dealers")),
    path("old-parts/", include("aftersales.parts.urls_old_parts")),
]
