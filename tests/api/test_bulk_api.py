"""Issue 13: every list page with bulk actions offers them through the API (`POST /api/<list>/bulk/`,
`core.bulk`), described in the schema: the request body with its required fields and what each
action asks for, one result per id, the 400 and 403 problems. The endpoints' behaviour is tested
beside each list's page tests (tests/field/test_supervision.py, tests/parts/test_old_parts_views.py,
tests/complaints/test_lists.py, tests/servicing/test_views.py, tests/api/test_documents_api.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BULK = {
    "/api/workorders/bulk/": {"assign": {"engineer"}, "priority": {"priority"}, "close": set()},
    "/api/supervision-cards/bulk/": {"verify": set()},
    "/api/old-parts/bulk/": {"report": set()},
    "/api/complaints/bulk/": {"close": set()},
    "/api/difficult-cases/bulk/": {"close": set()},
    "/api/external-repairs/bulk/": {"follow_up": {"note"}},
}


def test_the_schema_describes_every_lists_bulk_endpoint_one_body_per_action(api_client, agent):
    schema = api_client(agent).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]

    def resolved(ref_or_schema: dict) -> dict:
        ref = ref_or_schema.get("$ref")
        return components[ref.rsplit("/", 1)[-1]] if ref else ref_or_schema

    for path, actions in BULK.items():
        post = schema["paths"][path]["post"]
        assert {"200", "400", "403"} <= set(post["responses"]), path
        assert "application/problem+json" in post["responses"]["403"]["content"], path
        assert post["requestBody"]["required"] is True, path
        body = resolved(post["requestBody"]["content"]["application/json"]["schema"])
        assert body["discriminator"]["propertyName"] == "action", path
        by_action = {name: resolved({"$ref": ref}) for name, ref in body["discriminator"]["mapping"].items()}
        assert set(by_action) == set(actions), path
        for name, needed in actions.items():
            one = by_action[name]
            # what the action's form requires is required in its body, and nothing else is taken
            assert set(one["required"]) == {"action", "ids", *needed}, (path, name)
            assert set(one["properties"]) == {"action", "ids", *needed}, (path, name)
            assert one["properties"]["action"]["pattern"] == f"^{name}$", (path, name)
            assert one["additionalProperties"] is False, (path, name)
        result = resolved(post["responses"]["200"]["content"]["application/json"]["schema"])
        assert {"action", "done", "refused", "not_found", "results"} <= set(result["properties"]), path
