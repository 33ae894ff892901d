"""Helpers of the API tests: JSON problem assertions and sample file contents."""

from __future__ import annotations

# A 1x1 PNG: recognised as image/png by its content.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_problem(response, status: int, *, field: str | None = "__any__", code: str | None = None):
    """The response is a JSON problem with this status, naming the field (and code) given."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
    if field != "__any__":
        assert field in [error["field"] for error in body["errors"]], body
    if code is not None:
        assert code in [error["code"] for error in body["errors"]], body
    return body
