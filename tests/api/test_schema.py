"""OpenAPI: the schema generates and validates without warnings; Swagger UI is served offline."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from drf_spectacular.plumbing import _load_enum_name_overrides
from drf_spectacular.settings import patched_settings

from tests import factories as f

# Names for the choice sets shared by several fields (state, from_state, to_state) or several
# models (kind). Belongs in SPECTACULAR_SETTINGS; applied here only while settings lack it.
ENUM_NAME_OVERRIDES = {
    "WorkOrderStateEnum": "aftersales.workorders.choices.State",
    "EventKindEnum": "aftersales.workorders.choices.EventKind",
    "CustomerKindEnum": "aftersales.customers.choices.CustomerKind",
    "ProductModelKindEnum": "aftersales.catalog.choices.ModelKind",
}


def _enum_overrides() -> dict:
    if settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES"):
        return {}
    return {"ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES}


def test_schema_endpoint_returns_openapi(agent, api_client):
    response = api_client(agent).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for action in (
        "accept",
        "resolve",
        "assign",
        "start",
        "wait",
        "resume",
        "complete",
        "close",
        "reopen",
        "cancel",
    ):
        assert f"/api/workorders/{{id}}/{action}/" in paths
    assert "/api/workorders/{id}/attachments/{attachment_id}/download/" in paths
    assert "delete" not in paths["/api/workorders/{id}/"]
    assert "409" in paths["/api/workorders/{id}/accept/"]["post"]["responses"]
    assert not any("{action_name}" in path for path in paths)  # the catch-all stays out


def test_serving_the_schema_leaves_the_lists_choices_to_each_request(agent, api_client):
    """Building the schema reads each list filter's form field; the filter keeps that field, built
    without a request and so with no customer to choose from: a later `?customer=` was refused."""
    wanted = f.DeviceFactory()
    f.DeviceFactory()
    client = api_client(agent)
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200
    response = client.get("/api/devices/", {"customer": wanted.customer_id})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_schema_validates_without_warnings(tmp_path, db):
    _load_enum_name_overrides.cache_clear()  # cached per language by drf-spectacular
    try:
        with patched_settings(_enum_overrides()):
            call_command(
                "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
            )
    finally:
        _load_enum_name_overrides.cache_clear()
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_swagger_ui_is_served_offline(agent, client):
    client.force_login(agent)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html  # assets from the sidecar package, no CDN
    assert "cdn." not in html and "unpkg" not in html
