"""R37: no record of another dealer through any URL (IDOR), generated from the URL map.

Every route of the pages and of the API that names a record by its id (tests/security/urlmap.py) is
asked, with every method its view takes (a write with an empty body), for dealer A's record by
dealer B's staff, dealer B's engineer and an engineer of dealer A's other service point. The answer
is 404, or the route's deliberate answer (`REFUSALS`: a role refused with 403 before any record is
read, the same for an id no record has); it holds nothing of dealer A's data (`World.markers`); and
nothing was written. A route naming a record inside another (a visit's part) is also asked for
dealer A's inner record through dealer B's own outer one.

Which of dealer A's records a route is asked for is one line of `RECORDS` (by route prefix, the
longest wins) and, for its other ids, of `OTHER_IDS`. A new route with an id and no line there
fails here, by name: that is how the routes added later stay covered. Routes whose ids name the
whole company's reference data, or no record at all, are in `NOT_SCOPED`, each with its reason.

A control asks each route for the same ids as HQ's admin, who sees every dealer's records: no 404,
so the 404s above are the scope speaking, not a wrong id. The reveal of masked personal data
(R41), whose record is named in the body, and Django's admin are checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from .idor_world import World, build_world
from .urlmap import Route, admin_routes, routes_with_ids

# --- the registry: which of dealer A's records each route is asked for ----------------------------

# Route prefix -> the record (an attribute of `World`) the route's first id names.
RECORDS: dict[str, str] = {
    "lists/filters/": "saved_filter",
    "api/saved-filters/": "saved_filter",
    "accounts/tokens/": "api_token",
    "api/auth/tokens/": "api_token",
    "notifications/": "notification",
    "api/notifications/": "notification",
    "customers/": "customer",
    "api/customers/": "customer",
    "devices/": "device",
    "api/devices/": "device",
    "devices/contracts/": "contract",
    "api/contracts/": "contract",
    "catalog/fee-schedules/": "fee_schedule",
    "api/fee-schedules/": "fee_schedule",
    "workorders/": "work_order",
    "api/workorders/": "work_order",
    "workorders/files/": "attachment",
    "field/dispatch/": "work_order",
    "api/dispatch/": "work_order",
    "field/workorders/": "work_order",
    "field/appointments/": "appointment",
    "field/visits/": "visit",
    "api/visits/": "visit",
    "field/supervision/": "supervision_card",
    "api/supervision-cards/": "supervision_card",
    "servicing/workorders/": "work_order",
    "api/warranty/": "work_order",
    "servicing/remote/": "remote_session",
    "api/remote-sessions/": "remote_session",
    "servicing/plans/": "service_plan",
    "api/service-plans/": "service_plan",
    "servicing/repairs/": "depot_repair",
    "api/depot-repairs/": "depot_repair",
    "servicing/external/": "external_repair",
    "api/external-repairs/": "external_repair",
    "feedback/": "return_visit",
    "api/return-visits/": "return_visit",
    "feedback/workorders/": "work_order",
    "complaints/": "complaint",
    "api/complaints/": "complaint",
    "complaints/cases/": "difficult_case",
    "api/difficult-cases/": "difficult_case",
    "complaints/cases/open/": "work_order",
    "billing/workorders/": "work_order",
    "billing/quotes/": "quote",
    "api/quotes/": "quote",
    "billing/lines/": "quote_line",
    "api/quote-lines/": "quote_line",
    "billing/settlements/": "settlement",
    "api/settlements/": "settlement",
    "billing/payments/": "payment",
    "api/payments/": "payment",
    "billing/waivers/": "waiver",
    "api/waivers/": "waiver",
    "billing/invoices/": "invoice",
    "api/invoices/": "invoice",
    "parts/warehouses/": "store",
    "api/stock/warehouses/": "store",
    "api/stock/balances/": "balance",
    "api/stock/moves/": "move",
    "parts/reorder-rules/": "reorder_rule",
    "api/stock/reorder-rules/": "reorder_rule",
    "api/stock/alerts/": "alert",
    "parts/transfers/": "transfer",
    "api/stock/transfers/": "transfer",
    "parts/transfer-lines/": "transfer_line",
    "parts/counts/": "count",
    "api/stock/counts/": "count",
    "parts/dealers/requests/": "part_request",
    "api/part-requests/": "part_request",
    "parts/dealers/request-lines/": "part_request_line",
    "api/part-request-lines/": "part_request_line",
    "parts/dealers/accounts/": "dealer",
    "api/dealer-accounts/": "dealer",
    "parts/dealers/entries/": "account_entry",
    "api/account-entries/": "account_entry",
    "parts/old-parts/": "old_part",
    "api/old-parts/": "old_part",
    "parts/old-parts/shipments/": "shipment",
    "api/old-part-shipments/": "shipment",
    "parts/old-parts/claims/": "claim",
    "api/claims/": "claim",
    "parts/old-parts/claims/lines/": "claim_line",
    "api/claim-lines/": "claim_line",
    "returns/": "return_request",
    "api/returns/": "return_request",
    "returns/photos/": "return_photo",
    # the organisation and its configuration (issue 13's API)
    "api/dealers/": "dealer_org",
    "api/service-points/": "service_point",
    "api/service-areas/": "service_area",
    "api/engineers/": "engineer",
    "api/engineer-leave/": "leave",
    "api/users/": "staff",
    "api/appointments/": "appointment",
    "api/working-calendars/": "calendar",
    "api/calendar-exceptions/": "calendar_exception",
    "api/sla-policies/": "sla_policy",
    "api/login-lockouts/": "login_throttle",
    "accounts/lockouts/": "login_throttle",
    "api/login-failures/": "login_failure",
}

# (route prefix, id name) -> the record of a route's other ids.
OTHER_IDS: dict[tuple[str, str], str] = {
    ("devices/contracts/", "plan_pk"): "maintenance_plan",
    ("api/contracts/", "plan_id"): "maintenance_plan",
    ("field/visits/", "part_pk"): "visit_part",
    ("api/visits/", "part_id"): "visit_part",
    ("servicing/repairs/", "part_pk"): "depot_part",
    ("api/depot-repairs/", "part_id"): "depot_part",
    ("api/workorders/", "attachment_id"): "attachment",
    ("api/stock/transfers/", "line_id"): "transfer_line",
    ("parts/old-parts/shipments/", "old_part_pk"): "packed_old_part",
    ("api/returns/", "photo_id"): "return_photo",
    ("api/engineers/", "qualification_id"): "qualification",
}

# Route prefix -> the action a function view's `<action>` is asked to run (a `TransitionView`
# names its machine, whose first transition is asked).
ACTIONS: dict[str, str] = {"devices/contracts/": "cancel"}

# Route prefix -> why its ids are not scoped to a dealer.
NOT_SCOPED: dict[str, str] = {
    "lists/{list_key}/": "a list's key (workorders, customers ...) names a list, not a record; the "
    "columns and filters saved under it are the user's own",
    "api/list-columns/": "a list's key names a list, not a record; the columns are the user's own",
    "catalog/parts/": "the parts catalogue is the whole company's reference data",
    "api/parts/": "the parts catalogue is the whole company's reference data",
    "api/product-lines/": "product lines are the whole company's reference data",
    "api/product-models/": "product models are the whole company's reference data",
    "catalog/price-lists/": "price lists are HQ's, the same for every dealer (R30)",
    "api/price-lists/": "price lists are HQ's, the same for every dealer (R30)",
    "api/repair-vendors/": "repair vendors are the whole company's reference data (R14)",
    "api/case-levels/": "the difficult-case levels are the whole company's configuration (R27)",
    "api/complaint-response-policies/": "complaint response times are the whole company's "
    "configuration (R26)",
    "billing/receipts/verify/": "the receipt's QR code: its unguessable token is printed on the paper "
    "and shows only whether the receipt is genuine, never the customer",
}

# Who asks for dealer A's records: dealer B's staff and engineer, and an engineer of dealer A's
# other service point (R37: an engineer sees the work of their own point).
DEALER_STAFF, ENGINEER, ENGINEER_ELSEWHERE = "dealer_staff", "engineer", "engineer_of_another_point"
ACTORS = (DEALER_STAFF, ENGINEER, ENGINEER_ELSEWHERE)
ENGINEERS = frozenset({ENGINEER, ENGINEER_ELSEWHERE})
ANYONE = frozenset(ACTORS)
# The records a dealer's engineers share whatever their point: the dealer's customers with their
# contacts, addresses, devices and contracts (customers.selectors.customer_scope), the dealer's fees.
DEALER_WIDE = {
    "customer",
    "contact",
    "address",
    "device",
    "contract",
    "fee_schedule",
    "sla_policy",
    "dealer_org",
}


@dataclass(frozen=True)
class Refusal:
    """A route's answer to another dealer's people that comes before any record is read: the
    same for every id, so it tells nothing (the test checks it against an id no record has)."""

    status: int
    roles: frozenset[str]
    why: str


# (method or "*", route prefix) -> the route's deliberate answer other than 404. A role refused
# (403) before the record is read; a GET of a transition's URL sent to the record's page.
REFUSALS: dict[tuple[str, str], Refusal] = {
    ("POST", "feedback/{pk}/"): Refusal(
        403, ANYONE, "return visits are called by the service centre (R22-R24)"
    ),
    ("POST", "devices/contracts/{pk}/plans/"): Refusal(
        403, ANYONE, "maintenance plans are set up by HQ's clerks and supervisors (R35)"
    ),
    ("POST", "api/contracts/{pk}/plans/"): Refusal(
        403, ANYONE, "maintenance plans are set up by HQ's clerks and supervisors (R35)"
    ),
    ("PATCH", "api/contracts/{pk}/plans/"): Refusal(
        403, ANYONE, "maintenance plans are paused and resumed by HQ's clerks and supervisors (R35)"
    ),
    ("POST", "complaints/cases/open/"): Refusal(
        403, ANYONE, "difficult cases are opened by the service centre and supervisors (R27)"
    ),
    ("DELETE", "api/customers/"): Refusal(403, ANYONE, "only supervisors and HQ's admins delete customers"),
    ("DELETE", "api/devices/"): Refusal(403, ANYONE, "only supervisors and HQ's admins delete devices"),
    ("*", "field/dispatch/"): Refusal(403, ENGINEERS, "dispatch is for the dispatch roles (R5)"),
    ("*", "api/dispatch/"): Refusal(403, ENGINEERS, "dispatch is for the dispatch roles (R5)"),
    ("*", "parts/dealers/"): Refusal(
        403, ENGINEERS, "part requests and dealer accounts are the dealer's staff's, HQ's (R28)"
    ),
    ("*", "api/dealer-accounts/"): Refusal(
        403, ENGINEERS, "dealer accounts are read by the dealer's staff, HQ and finance (R28)"
    ),
    ("*", "api/account-entries/"): Refusal(
        403, ENGINEERS, "dealer accounts are read by the dealer's staff, HQ and finance (R28)"
    ),
    ("*", "parts/old-parts/shipments/"): Refusal(
        403, ENGINEERS, "old parts are packed for HQ by the dealer's staff (R29)"
    ),
    ("*", "parts/old-parts/claims/"): Refusal(
        403, ENGINEERS, "reimbursement claims are the dealer's staff's and HQ's (R31)"
    ),
    ("GET", "api/part-requests/{pk}/print/"): Refusal(
        403, ENGINEERS, "the printed request keeps its page's gate: the dealer's staff's, HQ's (R28)"
    ),
    ("GET", "api/claims/{pk}/print/"): Refusal(
        403, ENGINEERS, "the printed claim keeps its page's gate: the dealer's staff's and HQ's (R31)"
    ),
    ("GET", "api/claims/{pk}/export/"): Refusal(
        403,
        ENGINEERS,
        "the claim's lines in Excel keep their page's gate: the dealer's staff's and HQ's (R31)",
    ),
    ("GET", "api/old-part-shipments/{pk}/labels/"): Refusal(
        403,
        ENGINEERS,
        "a shipment's labels keep their page's gate: old parts are packed by the dealer's staff (R29)",
    ),
    ("POST", "parts/old-parts/shipments/{pk}/remove/"): Refusal(
        302,
        frozenset({DEALER_STAFF}),
        "an old part is looked for in the staff's own shipment only: one not in it is refused with a "
        "message on that shipment's page, whatever the id",
    ),
    ("*", "api/users/"): Refusal(403, ANYONE, "staff users are managed by HQ's admins, read by supervisors"),
    ("*", "api/login-lockouts/"): Refusal(403, ANYONE, "sign-in lock-outs are HQ's admins' (issue 13)"),
    ("*", "accounts/lockouts/"): Refusal(403, ANYONE, "sign-in lock-outs are HQ's admins' (issue 13)"),
    ("*", "api/login-failures/"): Refusal(403, ANYONE, "failed sign-ins are HQ's admins' (issue 13)"),
    ("GET", "complaints/{pk}/do/"): Refusal(
        302, ANYONE, "a transition's URL opened with GET goes to the record's page, which answers 404"
    ),
    ("GET", "complaints/cases/{pk}/do/"): Refusal(
        302, ANYONE, "a transition's URL opened with GET goes to the record's page, which answers 404"
    ),
}

WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Reference data and configuration HQ keeps (issue 13's API): read in scope, written by HQ only.
for _prefix, _who in (
    ("api/dealers/", "the organisation is kept by HQ's admins and supervisors"),
    ("api/service-points/", "the organisation is kept by HQ's admins and supervisors"),
    ("api/service-areas/", "the organisation is kept by HQ's admins and supervisors"),
    ("api/engineers/", "the organisation is kept by HQ's admins and supervisors"),
    ("api/working-calendars/", "working calendars are HQ's admins' (R34)"),
    ("api/calendar-exceptions/", "working calendars are HQ's admins' (R34)"),
    ("api/sla-policies/", "service-level policies are HQ's admins' (R34)"),
):
    REFUSALS.update({(method, _prefix): Refusal(403, ANYONE, _who) for method in WRITES})
REFUSALS.update(
    {
        (method, "api/engineer-leave/"): Refusal(403, ENGINEERS, "leave is recorded by the dispatch roles")
        for method in WRITES
    }
)

# (method or "*", route) -> why it answers 404 whatever the id: no control.
ALWAYS_NOT_FOUND: dict[tuple[str, str], str] = {
    ("*", "api/workorders/{work_order_pk}/{action_name}/"): "the API's catch-all for unknown actions",
    ("POST", "devices/contracts/{pk}/"): "a POST names its transition (`do/<action>/`): none is unknown",
    ("POST", "complaints/{pk}/"): "a POST names its transition (`do/<action>/`): none is unknown",
    ("POST", "complaints/cases/{pk}/"): "a POST names its transition (`do/<action>/`): none is unknown",
}
# The records only their own user finds (HQ's admin included): the control asks as dealer A's staff.
PERSONAL = {"saved_filter", "api_token", "notification"}

# The kind of record of a revealable personal field (core.privacy.REVEALABLE) -> the record asked for.
REVEALED_RECORDS = {
    "customer": "customer",
    "contact": "contact",
    "address": "address",
    "device": "device",
    "workorder": "work_order",
    "return_visit": "return_visit",
    "complaint": "complaint",
    "user": "staff",
}

# Bookkeeping a refused request may write: the session (its expiry slides, accounts.middleware)
# and the access log of personal data (R41).
BOOKKEEPING_TABLES = {"django_session", "core_accesslog"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
MISSING_ID, MISSING_UUID = 987654321, "00000000-0000-4000-8000-000000000000"


def _longest(prefixes, path: str) -> str | None:
    matches = [prefix for prefix in prefixes if path.startswith(prefix)]
    return max(matches, key=len) if matches else None


def _record_of(route: Route) -> str | None:
    prefix = _longest(RECORDS, route.path)
    return RECORDS[prefix] if prefix else None


def _scoped(route: Route) -> bool:
    """Not in NOT_SCOPED, or in RECORDS by a longer prefix."""
    record, not_scoped = _longest(RECORDS, route.path), _longest(NOT_SCOPED, route.path)
    return not_scoped is None or (record is not None and len(record) > len(not_scoped))


ROUTES = routes_with_ids()
SCOPED = [route for route in ROUTES if _scoped(route)]
NESTED = [
    route for route in SCOPED if any((_longest(RECORDS, route.path), name) in OTHER_IDS for name in route.ids)
]


# --- the world, built once per module -------------------------------------------------------------


@pytest.fixture(scope="module")
def _idor_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[World, Any]]:
    """Built once for the module in a transaction rolled back at its end (as tests/demo does); each
    test runs in a savepoint of it. The settings tests/conftest.py gives each test are given to the
    build here, and its files stay in their own media directory."""
    from aftersales.config.celery import app as celery_app

    media = tmp_path_factory.mktemp("idor-media")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media,
        NUMBERS_OUTSIDE_TRANSACTION=False,
    )
    try:
        with django_db_blocker.unblock(), settings, transaction.atomic():
            try:
                yield build_world(), media
            finally:
                transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def idor(_idor_world, db, _media_root, settings) -> World:
    """The world, in the test's savepoint, with its files in place."""
    built, media = _idor_world
    settings.MEDIA_ROOT = media
    built.files_restore()  # a control's request that removed a file was rolled back, not its file
    return built


# --- asking -------------------------------------------------------------------------------------


def _url(world: World, route: Route, *, through_own: bool = False, missing: bool = False) -> str:
    """The route asking for dealer A's record. `through_own`: its first id names dealer B's own
    record and the others dealer A's (a part of A's visit through B's visit ...). `missing`: the
    ids naming dealer A's records (the first one, or the others through B's own) name none."""
    prefix = _longest(RECORDS, route.path)
    assert prefix is not None, (
        f"{route.path} names a record by id and has no line in tests/security/test_idor.py: add its "
        "prefix to RECORDS (which of dealer A's records it is asked for; build one in idor_world.py "
        "if the world has none), or to NOT_SCOPED with the reason its ids are not a dealer's"
    )
    values: dict[str, Any] = {}
    for position, name in enumerate(route.ids):
        if name in ("action", "action_name"):
            values[name] = _action(route, prefix)
            continue
        record = RECORDS[prefix] if position == 0 else OTHER_IDS.get((prefix, name))
        assert record is not None, f"{route.path}: its id {name!r} has no line in OTHER_IDS"
        own = through_own and position == 0
        obj = world.b_records[record] if own else getattr(world, record)
        if missing and not own and (through_own or position == 0):
            values[name] = MISSING_UUID if name in route.uuid_ids else MISSING_ID
        else:
            values[name] = obj.uuid if name in route.uuid_ids else obj.pk
    url = "/" + route.path.format(**values)
    assert resolve(url).func == route.callback, f"{url} does not reach the view of {route.path}"
    return url


def _action(route: Route, prefix: str) -> str:
    """A real transition for `<action>`: a `TransitionView`'s machine's first, else ACTIONS'."""
    machine = getattr(getattr(route.callback, "view_class", None), "machine", None)
    if machine is not None:
        return next(iter(machine)).name
    if route.path.endswith("{action_name}/"):  # the API's unknown-action catch-all
        return "no-such-action"
    assert prefix in ACTIONS, f"{route.path}: name the action it is asked to run in ACTIONS"
    return ACTIONS[prefix]


def _refusal(route: Route, method: str, actor: str) -> Refusal | None:
    """The route's deliberate answer to the actor: the entry of the longest prefix naming them."""
    keys = [
        (m, prefix)
        for (m, prefix), refusal in REFUSALS.items()
        if m in (method, "*") and route.path.startswith(prefix) and actor in refusal.roles
    ]
    return REFUSALS[max(keys, key=lambda key: (len(key[1]), key[0] != "*"))] if keys else None


def _user(world: World, actor: str):
    return {
        DEALER_STAFF: world.b.staff,
        ENGINEER: world.b.engineer.user,
        ENGINEER_ELSEWHERE: world.a_elsewhere.user,
    }[actor]


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _table_rows(table: str) -> int:
    """A fingerprint of everything in the table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table name)
        return hash(tuple(sorted(map(repr, cursor.fetchall()))))


@dataclass
class Answer:
    status: int
    body: str
    changed: list[str]  # the tables the request changed


def _ask(client: Client, method: str, url: str, data: dict | None = None) -> Answer:
    """One request (a POST, PUT, PATCH or DELETE with an empty body unless `data`), in a savepoint
    rolled back after it, and the tables it changed: those it sent a write to (but the
    bookkeeping) whose rows differ from before it."""
    send = getattr(client, method.lower())
    sid = transaction.savepoint()
    try:
        with CaptureQueriesContext(connection) as queries:
            response = send(url) if method == "GET" else send(url, data=data or {})
        body = _body(response)
        written = {
            found.group(1)
            for query in queries.captured_queries
            if (found := _WRITE.match(query["sql"])) and found.group(1) not in BOOKKEEPING_TABLES
        }
        after = {table: _table_rows(table) for table in written}
    finally:
        transaction.savepoint_rollback(sid)
    changed = sorted(table for table in written if _table_rows(table) != after[table])
    return Answer(response.status_code, body, changed)


def _shown(world: World, answer: Answer) -> list[str]:
    return [marker for marker in world.markers if marker in answer.body]


def _problems(world: World, route: Route, actor: str, *, through_own: bool = False) -> list[str]:
    """What is wrong with each answer of the route to the actor (nothing, when all is well)."""
    client, problems = _client(_user(world, actor)), []
    url = _url(world, route, through_own=through_own)
    for method in route.methods:
        answer = _ask(client, method, url)
        refusal = _refusal(route, method, actor)
        expected = {404, 405} | ({refusal.status} if refusal else set())
        if answer.status not in expected:
            problems.append(f"{method} {url}: {answer.status}, not {sorted(expected)}: {answer.body[:300]!r}")
        elif refusal is not None and answer.status == refusal.status:
            # a deliberate answer does not depend on the record: the same for an id no record has
            missing = _ask(client, method, _url(world, route, through_own=through_own, missing=True))
            if missing.status != answer.status:
                problems.append(
                    f"{method} {url}: {answer.status}, but {missing.status} for an id no record has: the "
                    "answer tells the record exists (REFUSALS says it comes before the record is read)"
                )
        if shown := _shown(world, answer):
            problems.append(f"{method} {url}: the answer shows dealer A's {shown}")
        if answer.changed:
            problems.append(f"{method} {url}: changed {answer.changed}")
    return problems


# --- the tests ------------------------------------------------------------------------------------


def _id(route: Route) -> str:
    return route.path


def _askers() -> list:
    """Each scoped route for each actor, but dealer A's other engineer for the dealer-wide records."""
    return [
        pytest.param(route, actor, id=f"{route.path}-{actor}")
        for route in SCOPED
        for actor in ACTORS
        if not (actor == ENGINEER_ELSEWHERE and _record_of(route) in DEALER_WIDE)
    ]


@pytest.mark.parametrize(("route", "actor"), _askers())
def test_r37_another_dealers_record_is_not_found(idor, route, actor):
    """Dealer B's staff and engineer, and an engineer of dealer A's other point, ask each route,
    with each method it takes, for dealer A's record: 404 (or the route's deliberate answer,
    `REFUSALS`), none of dealer A's data, nothing written."""
    problems = _problems(idor, route, actor)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("actor", (DEALER_STAFF, ENGINEER))
@pytest.mark.parametrize("route", NESTED, ids=_id)
def test_r37_another_dealers_record_is_not_found_through_ones_own(idor, route, actor):
    """A route naming a record inside another (a visit's part, a transfer's line, a request's photo)
    asked by dealer B's people for dealer A's inner record through their own outer one: 404 (or the
    route's deliberate answer), none of dealer A's data, nothing written."""
    problems = _problems(idor, route, actor, through_own=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", SCOPED, ids=_id)
def test_r37_control_each_id_names_a_real_record(idor, route):
    """The control: HQ's admin, who sees every dealer's records (dealer A's staff for their own
    things), finds the record each route is asked for with each method (no 404; 405 for a method a
    page does not take), so the 404s above are the scope, not a wrong id."""
    client = _client(idor.a.staff if _record_of(route) in PERSONAL else idor.hq_admin)
    url = _url(idor, route)
    for method in route.methods:
        if ("*", route.path) in ALWAYS_NOT_FOUND or (method, route.path) in ALWAYS_NOT_FOUND:
            continue
        answer = _ask(client, method, url)
        idor.files_restore()  # a DELETE of a file's route rolled back, not its file (the GET is next)
        assert answer.status != 404, f"{method} {url}: {answer.body[:500]}"


def _reveals() -> list:
    from aftersales.core.privacy import REVEALABLE

    return [
        pytest.param(resource, field, actor, id=f"{resource}.{field}-{actor}")
        for resource, field in sorted(REVEALABLE)
        for actor in ACTORS
        if not (actor == ENGINEER_ELSEWHERE and REVEALED_RECORDS.get(resource) in DEALER_WIDE)
    ]


@pytest.mark.parametrize(("resource", "field", "actor"), _reveals())
def test_r37_r41_another_dealers_personal_data_is_not_revealed(idor, resource, field, actor):
    """The reveal of a masked phone or address names its record in the request's body: asked by
    dealer B's people (and dealer A's other engineer) for dealer A's record, on the page and in the
    API: 404, no value, nothing but the bookkeeping written. HQ's admin is given the value."""
    assert resource in REVEALED_RECORDS, f"{resource}.{field} is revealable: add it to REVEALED_RECORDS"
    record = getattr(idor, REVEALED_RECORDS[resource])
    data = {"resource": resource, "object_id": str(record.pk), "field": field, "reason": "identity"}
    client, control, problems = _client(_user(idor, actor)), _client(idor.hq_admin), []
    for url in ("/privacy/reveal/", "/api/privacy/reveal/"):
        assert _ask(control, "POST", url, data).status == 200, f"{url} {data}: HQ's admin is refused"
        answer = _ask(client, "POST", url, data)
        if answer.status != 404 or _shown(idor, answer) or answer.changed:
            problems.append(f"POST {url} {data}: {answer.status}, {_shown(idor, answer)}, {answer.changed}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("actor", ACTORS)
def test_r37_the_admin_is_closed_to_dealers(idor, actor):
    """Django's admin is HQ's (staff accounts only): every page of it that names a record sends
    dealer B's people and dealer A's other engineer to its sign-in, whatever the record."""
    client, problems = _client(_user(idor, actor)), []
    routes = admin_routes()
    assert routes
    for route in routes:
        url = "/" + route.path.format(**dict.fromkeys(route.ids, idor.a.work_order.pk))
        answer = _ask(client, "GET", url)
        if answer.status != 302 or _shown(idor, answer):
            problems.append(f"GET {url}: {answer.status} {answer.body[:200]!r}")
    assert not problems, "\n".join(problems)


def test_r37_the_registry_has_no_stale_line():
    """Each prefix of the registry still names a route: a renamed route is renamed here too."""
    paths = [route.path for route in ROUTES]
    prefixes = [*RECORDS, *NOT_SCOPED, *ACTIONS, *(prefix for _m, prefix in [*REFUSALS, *ALWAYS_NOT_FOUND])]
    prefixes += [prefix for prefix, _name in OTHER_IDS]
    assert not [prefix for prefix in prefixes if not any(path.startswith(prefix) for path in paths)]
