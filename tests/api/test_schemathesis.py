"""The OpenAPI schema matches the API (issue 13): Schemathesis sends every operation of the schema
its examples, coverage cases and fuzzed cases, valid and invalid, as an agent and as dealer staff
signed in with an API token, against the demo company, and runs all of its checks on every response:
no server error; status codes, content types, headers and bodies as documented; invalid input
refused; authentication required; undocumented methods refused; valid input accepted.

Every operation of the schema is tested, including the ones added later. Each example runs in a
savepoint that is rolled back, so no example sees what an earlier one wrote; the generation is
derandomized and the clock stands at the demo's moment, so a run repeats exactly.

Valid input accepted: a request the schema allows may still be refused with 400 for what no schema
can say, and only for that: an id that names no record the user may see (`does_not_exist`, or
`invalid_choice` of an id or of text chosen among values read from the data), or a business rule,
whose code is declared in `core.errors.ERROR_CODES` (a number the service does not recognise, a
state that forbids it ...). The generic codes (`invalid`, `required`, `blank` ...) say the input's
shape is wrong: a 400 with one of them for a valid request is a failure, as Schemathesis has it."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from aftersales.accounts.models import User
from aftersales.accounts.services import api_token_create
from aftersales.core.errors import ERROR_CODES
from aftersales.core.reference import reference_caches_clear
from tests.demo.company import DEMO_NOW, demo_company
from tests.timeutil import frozen

# The run takes minutes: CI runs it (.ci/run sets SCHEMATHESIS=1 on its SQLite pass), as does
# `make test-schema`; a plain `make test` skips it before building the schema.
if not os.environ.get("SCHEMATHESIS"):
    pytest.skip("the schema run: make test-schema (SCHEMATHESIS=1)", allow_module_level=True)

# Examples per operation and generation mode in the fuzzing phase; the examples and coverage
# phases add their own (deterministic) cases.
MAX_EXAMPLES = 5

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
        "checks": {"enabled": True},
    }
)

# Codes that say the input's shape is wrong (DRF's and the boundary's), which the schema describes.
SHAPE_CODES = frozenset({"invalid", "required", "blank", "null", "control_characters", "unknown_field"})
# A valid id that names no record the user may see.
REFERENCE_CODES = frozenset({"does_not_exist"})


def openapi_document() -> dict:
    """The schema `/api/schema/` serves (in English), built without a request."""
    with translation.override("en"):
        document = SchemaGenerator().get_schema(request=None, public=True)
        return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
if os.environ.get("SCHEMATHESIS_OPERATIONS"):
    # While fixing: only the operations whose label ("GET /api/parts/") matches this expression.
    schema = schema.include(name_regex=os.environ["SCHEMATHESIS_OPERATIONS"])
schema.app = get_wsgi_application()


def _text_without_choices(schema: dict) -> bool:
    return schema.get("type") == "string" and "enum" not in schema and "format" not in schema


def _refused_beyond_the_schema(case, response) -> bool:
    """The 400 names only references to records the user may not see and business rules."""
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    # Inputs naming a row: an id, or text among choices read from the data (a region that has
    # price lists: the schema cannot list them).
    references = {
        parameter.name
        for parameter in case.operation.query
        if parameter.definition.get("schema", {}).get("type") == "integer"
        or _text_without_choices(parameter.definition.get("schema", {}))
    }
    body = case.body if isinstance(case.body, dict) else {}
    id_inputs = references | {name for name, value in body.items() if type(value) is int}
    return bool(errors) and all(
        error["code"] in REFERENCE_CODES
        or (error["code"] == "invalid_choice" and error["field"] in id_inputs)
        or (error["code"] in ERROR_CODES and error["code"] not in SHAPE_CODES)
        for error in errors
    )


def _empty_files_dropped(case, response) -> bool:
    """The 400 names only files sent empty: Django's multipart parser drops an empty file part, so
    the server is told of no file (`required`); a binary schema cannot ask for one byte."""
    body = case.body if isinstance(case.body, dict) else {}
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(errors) and all(
        error["code"] == "required" and body.get(error["field"]) in (b"", "") for error in errors
    )


def valid_data_accepted(ctx, response, case):
    """Schemathesis' `positive_data_acceptance`, but for the refusals no schema can express (the
    module's docstring)."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400 and (
            _refused_beyond_the_schema(case, response) or _empty_files_dropped(case, response)
        ):
            return None
        raise


def _sent_as_other_text(value) -> bool:
    """A generated query value that leaves as some other text: an object or a nested list becomes
    its Python text (`{'a': 1}`), valid where any text is; None is not sent at all."""
    if isinstance(value, list):
        return any(_sent_as_other_text(item) or isinstance(item, list) for item in value)
    return value is None or isinstance(value, dict)


def invalid_data_refused(ctx, response, case):
    """Schemathesis' `negative_data_rejection`, for what can be sent. A case negated only in its
    headers is skipped: the test signs every request in with its own token (an Authorization header
    made invalid never leaves) and a server ignores headers it does not know. A case whose query
    holds a value that leaves as some other text is skipped too: the request sent is not the
    invalid one generated (Schemathesis reads it back from the URL only over HTTP)."""
    meta = case.meta
    if meta is None:
        return negative_data_rejection(ctx, response, case)
    elsewhere = (ParameterLocation.PATH, ParameterLocation.QUERY, ParameterLocation.BODY)
    only_headers = meta.is_negative_at(ParameterLocation.HEADER) and not any(
        meta.is_negative_at(location) for location in elsewhere
    )
    lost_in_sending = not meta.is_negative_at(ParameterLocation.BODY) and any(
        _sent_as_other_text(value) for value in (case.query or {}).values()
    )
    if only_headers or lost_in_sending:
        return None
    return negative_data_rejection(ctx, response, case)


@pytest.fixture(scope="module")
def company_media(tmp_path_factory):
    """Where the demo company's files (signatures, photos) are written, and read by every example."""
    return tmp_path_factory.mktemp("schemathesis-media")


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker, company_media):
    """The demo company, seeded once per worker: every kind of record the API serves exists."""
    with demo_company(django_db_blocker, company_media) as seeded:
        yield seeded


@pytest.fixture
def wsgi_in_test_transaction():
    """The test's transaction stays open across the WSGI calls: Django closes the database
    connection when a request starts and finishes (`close_old_connections`), which its test client
    prevents the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(request, company, company_media, settings, db, wsgi_in_test_transaction):
    """An API token of the demo user named by the test's `username`, the clock at the demo's
    moment, the demo's files at hand."""
    settings.MEDIA_ROOT = company_media
    user = User.objects.get(username=request.getfixturevalue("username"))
    _token, key = api_token_create(client="schemathesis", actor=user)
    with frozen(DEMO_NOW):
        yield {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("username", ["agent", "dealer"])
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, database=None)
def test_api_matches_schema(case, username, bearer):
    try:
        with transaction.atomic():
            try:
                case.call_and_validate(
                    headers=bearer,
                    excluded_checks=[positive_data_acceptance, negative_data_rejection],
                    additional_checks=[valid_data_accepted, invalid_data_refused],
                )
            finally:
                transaction.set_rollback(True)  # the next example starts from the same company
    finally:
        reference_caches_clear()  # nor from reference data read in the rolled-back savepoint
