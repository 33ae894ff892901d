"""Peer benchmark: django-helpdesk's ticket-create API under gunicorn on this machine, so our create
throughput can be compared with the peer's in the same session (the issue's target: create via API
at c=4 at least 1.25 x django-helpdesk's figure of the same run).

    .venv/bin/python bench/peer_helpdesk.py                         # or: make bench-peer
    .venv/bin/python bench/peer_helpdesk.py --tickets 2000 --requests 50
    .venv/bin/python bench/peer_helpdesk.py --reset --setup-only    # drop, seed again, no load

Why a separate virtualenv: django-helpdesk brings its own Django and DRF, which must not meet ours.
The script makes `bench/.peer-venv/` (the machine's python3.11, every package pinned in PEER_PINS),
then runs itself there (`--peer-setup`) to create, migrate and seed the PostgreSQL database of
PEER_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/helpdesk_bench): 50 staff users,
4 queues, `--tickets` tickets over three years with about 3 follow-ups each, written with COPY
(bench/seed_copy.py) and kept in the table `bench_seed`, so a later run of the same size reuses them
(`--reset`, or another size, drops the database first).

The Django project is this file: `peer_settings()` is given to `settings.configure()`, the module
is ROOT_URLCONF (its `urlpatterns` made when Django asks), with bench/sql_count.py's middleware
returning each request's SQL statements in `X-SQL-Count`, as for us; gunicorn loads it as
`peer_helpdesk:wsgi_application()`. The load itself is bench/http_load.py's: its `Server` (2 sync
workers on a free port), `run_phase` (a closed loop of client threads), `RssSampler`, `summarise`.
Writes bench/results/peer_helpdesk-<time>.json; exits 1 on any unexpected HTTP status. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
PEER_VENV = BENCH_DIR / ".peer-venv"
# django-helpdesk 2.6.1 (the newest on PyPI when this was written) and everything it pulls in,
# resolved once and pinned, so two machines benchmark the same code.
PEER_PINS = (
    "django-helpdesk==2.6.1",
    "Django==5.2.20",
    "djangorestframework==3.18.3",
    "gunicorn==27.0.1",
    "psycopg[binary]==3.3.9",
    "psycopg-binary==3.3.9",
    "asgiref==3.13.0",
    "sqlparse==0.6.1",
    "django-cleanup==9.0.0",
    "django-model-utils==5.0.0",
    "email-reply-parser==0.5.12",
    "Markdown==3.11.4",
    "beautifulsoup4==4.15.0",
    "soupsieve==4.1.4",
    "nh3==0.3.8",
    "oauthlib==4.0.1",
    "requests-oauthlib==2.0.0",
    "requests==2.34.2",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "idna==3.21",
    "urllib3==2.8.0",
    "typing_extensions==4.16.0",
)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helpdesk_bench"
SEED = 20270301
SEED_TABLE = "bench_seed"
PASSWORD = "bench-pass"  # every seeded user's (one hash, computed once)
STAFF = 50  # helpdesk agents; every active user is read for the "assigned to" choices of a create
QUEUES = (  # title, slug, share of the tickets
    ("Printers and copiers", "printers", 0.45),
    ("Network and e-mail", "network", 0.25),
    ("Accounts and access", "accounts", 0.20),
    ("Field service", "field", 0.10),
)
CUSTOMERS = 5_000  # distinct submitter addresses (submitters are not users, as in most helpdesks)
PRODUCTS = ("LaserJet M404", "ColorJet 2200", "OfficeJet 9130", "ScanPro 410", "RouterX 12", "NAS 4-bay")
FAULTS = (
    ("paper jams on tray {n}", "Paper jams after a few pages; the panel shows error 13.B{n}."),
    ("prints blank pages", "Pages come out blank since the toner was replaced yesterday."),
    ("cannot reach the network", "The device lost its IP address after the power cut and stays offline."),
    ("scanner stops at {n} %", "Scanning to e-mail stops at {n} % and the job is dropped."),
    ("login fails for a new user", "A new colleague cannot log in; the account was created on Monday."),
    ("slow Wi-Fi on floor {n}", "Wi-Fi on floor {n} drops to a few Mbit/s every afternoon."),
)
REPLIES = (
    "Thank you, we are looking into it and will call you back today.",
    "Could you send a photo of the error on the panel and the serial number?",
    "An engineer is booked for tomorrow morning between 9 and 12.",
    "The part has been ordered; it should arrive within two working days.",
    "Replaced the fuser unit and ran 50 test pages without a jam.",
    "Reset the network settings and reassigned the fixed address.",
)


# --- the peer Django project (imported by gunicorn and by --peer-setup in the peer virtualenv) ---


def database_url() -> str:
    return os.environ.get("PEER_DATABASE_URL", DEFAULT_DATABASE_URL)


def peer_settings(url: str) -> dict[str, Any]:
    """django-helpdesk's documented settings (its apps, SITE_ID, teams off as pinax-teams is not
    installed), PostgreSQL with persistent connections (CONN_MAX_AGE=60, like ours), DEBUG off,
    DRF with token authentication (a password per request would time PBKDF2, not the helpdesk),
    mail rendered but not sent (the dummy backend)."""
    db = urlsplit(url)
    return {
        "DEBUG": False,
        "SECRET_KEY": "peer-benchmark-only-not-a-secret",
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.sites",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "django.contrib.humanize",
            "rest_framework",
            "rest_framework.authtoken",
            "helpdesk",
        ],
        "MIDDLEWARE": [
            "sql_count.SqlCountMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "peer_helpdesk",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": db.path.lstrip("/"),
                "USER": unquote(db.username or "postgres"),
                "PASSWORD": unquote(db.password or ""),
                "HOST": db.hostname or "127.0.0.1",
                "PORT": str(db.port or 5432),
                "CONN_MAX_AGE": 60,
            }
        },
        "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "SITE_ID": 1,
        "STATIC_URL": "/static/",
        "MEDIA_ROOT": str(PEER_VENV / "media"),
        "LOGIN_URL": "/login/",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DEFAULT_FROM_EMAIL": "helpdesk@example.com",
        "HELPDESK_TEAMS_MODE_ENABLED": False,
        "HELPDESK_API_ENABLED": True,  # the default; /api/tickets/ and the rest of its router
        "REST_FRAMEWORK": {
            "DEFAULT_AUTHENTICATION_CLASSES": [
                "rest_framework.authentication.TokenAuthentication",
                "rest_framework.authentication.SessionAuthentication",
            ],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        },
    }


def configure_django() -> None:
    """Django set up from `peer_settings()`: no settings module to keep beside this file."""
    import django
    from django.conf import settings

    settings.configure(**peer_settings(database_url()))
    django.setup()


def wsgi_application() -> Any:
    """Gunicorn's application factory (`peer_helpdesk:wsgi_application()`), once per worker."""
    configure_django()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def peer_urlpatterns() -> list[Any]:
    """django-helpdesk at the site's root, as its docs show; the admin it links to."""
    from django.contrib import admin
    from django.urls import include, path

    return [path("admin/", admin.site.urls), path("", include("helpdesk.urls", namespace="helpdesk"))]


def __getattr__(name: str) -> Any:
    """This module is ROOT_URLCONF: `urlpatterns` is made when Django first asks, after setup
    (the module itself is imported before Django is configured)."""
    if name == "urlpatterns":
        return peer_urlpatterns()
    raise AttributeError(name)


# --- the database (--peer-setup, in the peer virtualenv) -----------------------------------------


def prepare_database(url: str, tickets: int, reset: bool) -> bool:
    """Create the database when missing; drop it first on `--reset` or when it was seeded with
    another size. True when it has to be seeded."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("helpdesk"):  # never drop a database of ours by a mistyped URL
        raise SystemExit(f"PEER_DATABASE_URL: the database name must start with 'helpdesk' ({name!r})")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reset:
            with psycopg.connect(url, autocommit=True) as conn:
                seeded = conn.execute("SELECT to_regclass(%s)", [SEED_TABLE]).fetchone()[0]
                row = conn.execute(f"SELECT tickets FROM {SEED_TABLE}").fetchone() if seeded else None
            if row and row[0] == tickets:
                return False
            reset = True
        if exists and reset:
            print(f"dropping {name}", file=sys.stderr, flush=True)
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def ticket_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """Creation times over three years, in order (ids grow with time), more in the last year as
    a helpdesk's use grows, none at night."""
    span = 3 * 365 * 86400
    times = []
    for _ in range(count):
        age = span * (rng.random() ** 1.3)  # denser towards now
        moment = now - timedelta(seconds=age)
        times.append(min(now, moment.replace(hour=7 + moment.hour % 11)))  # 07:00-17:59 UTC
    return sorted(times)


def ticket_status(rng: random.Random, age: timedelta) -> int:
    """A backlog's shape: new tickets open, most older ones closed or resolved."""
    if age < timedelta(days=3):
        return rng.choices((1, 2, 3), (85, 5, 10))[0]
    if age < timedelta(days=30):
        return rng.choices((1, 2, 3, 4), (40, 5, 30, 25))[0]
    return rng.choices((1, 3, 4, 5), (2, 13, 80, 5))[0]


def seed(tickets: int) -> dict[str, Any]:
    """Staff, queues, then `tickets` tickets and their follow-ups written with COPY in batches of
    10,000 (a minute or less for 100,000), VACUUM ANALYZE, and the size in `bench_seed`."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from helpdesk.models import FollowUp, Queue, Ticket
    from seed_copy import Copier, raw_cursor, reset_sequence

    started = time.perf_counter()
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    password = make_password(PASSWORD)
    staff = [
        User.objects.create(
            username="bench_agent" if n == 0 else f"agent{n:02d}",
            email=f"agent{n:02d}@helpdesk.example.com",
            first_name=f"Agent {n:02d}",
            password=password,
            is_staff=True,
        ).pk
        for n in range(STAFF)
    ]
    queues = []
    for title, slug, _ in QUEUES:
        queue = Queue(title=title, slug=slug, email_address=f"{slug}@helpdesk.example.com")
        queue.save()  # makes the queue's permission
        queues.append(queue.pk)
    shares = [share for *_, share in QUEUES]
    domains = ("example.com", "example.org", "mail.example.net")
    customers = [f"customer{n:04d}@{rng.choice(domains)}" for n in range(CUSTOMERS)]

    def rows(first: int, times: list[datetime]) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
        for offset, created in enumerate(times):
            pk = first + offset
            status = ticket_status(rng, now - created)
            n = rng.randrange(1, 20)
            summary, text = rng.choice(FAULTS)
            title = f"{rng.choice(PRODUCTS)}: {summary.format(n=n)}"
            description = text.format(n=n)
            agent = rng.choice(staff) if rng.random() < 0.9 else None
            date = created
            follow = [(date, "Ticket Opened", description, True, agent, None)]
            for _ in range(rng.choices((0, 1, 2, 3, 4), (10, 25, 30, 20, 15))[0]):
                date = min(now, date + timedelta(minutes=rng.randrange(5, 3 * 1440)))
                if rng.random() < 0.3:  # the submitter answers (by e-mail: no user)
                    follow.append((date, "Comment", rng.choice(REPLIES), True, None, None))
                else:
                    follow.append((date, "Comment", rng.choice(REPLIES), rng.random() < 0.7, agent, None))
            if status != 1:  # the last follow-up changed the status (one after the opening one)
                label = {2: "Reopened", 3: "Resolved", 4: "Closed", 5: "Duplicate"}[status]
                if len(follow) == 1:
                    date = min(now, date + timedelta(minutes=rng.randrange(30, 2 * 1440)))
                    follow.append((date, label, rng.choice(REPLIES), True, agent, status))
                else:
                    date, _, comment, public, user, _ = follow[-1]
                    follow[-1] = (date, label, comment, public, user or agent, status)
            ticket = (
                pk,
                title,
                queues[rng.choices(range(len(queues)), shares)[0]],
                created,
                date,
                rng.choice(customers),
                agent,
                status,
                False,
                description,
                rng.choice(REPLIES) if status in (3, 4) else None,
                rng.choices((1, 2, 3, 4, 5), (3, 12, 60, 15, 10))[0],
                created + timedelta(days=5) if rng.random() < 0.2 else None,
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            )
            yield ticket, [(pk, *f) for f in follow]

    times = ticket_times(rng, tickets, now)
    followup_id = 1
    with transaction.atomic():
        cursor = raw_cursor(connection)
        ticket_copier = Copier(
            cursor,
            Ticket,
            "title queue created modified submitter_email assigned_to status on_hold description "
            "resolution priority due_date secret_key",
        )
        followup_copier = Copier(cursor, FollowUp, "ticket date title comment public user new_status")
        for first in range(0, tickets, 10_000):
            batch_tickets, batch_followups = [], []
            for ticket, follow in rows(first + 1, times[first : first + 10_000]):
                batch_tickets.append(ticket)
                for f in follow:
                    batch_followups.append((followup_id, *f))
                    followup_id += 1
            ticket_copier.write(batch_tickets)
            followup_copier.write(batch_followups)
            done = min(first + 10_000, tickets)
            print(f"  {done:,} tickets, {followup_copier.rows:,} follow-ups", file=sys.stderr, flush=True)
        reset_sequence(cursor, Ticket)
        reset_sequence(cursor, FollowUp)
    with connection.cursor() as plain:
        plain.execute("VACUUM ANALYZE")
        plain.execute(
            f"CREATE TABLE {SEED_TABLE} (tickets integer, followups integer, seeded_at timestamptz, "
            "seconds real)"
        )
        seconds = time.perf_counter() - started
        plain.execute(
            f"INSERT INTO {SEED_TABLE} VALUES (%s, %s, now(), %s)", [tickets, followup_copier.rows, seconds]
        )
    return {"seed_seconds": round(seconds, 1)}


def peer_setup(tickets: int, reset: bool) -> int:
    """(In the peer virtualenv) the database made ready; prints for the client, as JSON: the API
    token, the queues, the counts and the versions."""
    started = time.perf_counter()
    must_seed = prepare_database(database_url(), tickets, reset)
    configure_django()
    from django.core.management import call_command
    from django.db import connection

    migrating = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - migrating
    result: dict[str, Any] = {"seeded_now": must_seed, "migrate_seconds": round(migrated, 1)}
    if must_seed:
        print(f"seeding {tickets:,} tickets", file=sys.stderr, flush=True)
        result |= seed(tickets)

    import django
    import rest_framework
    from django.contrib.auth.models import User
    from helpdesk.models import FollowUp, Queue, Ticket
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=User.objects.get(username="bench_agent"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tickets, followups, seeded_at FROM {SEED_TABLE}")
        seeded, seeded_followups, seeded_at = cursor.fetchone()
    server = connection.pg_version  # e.g. 150020
    result |= {
        "token": token.key,
        "queues": list(Queue.objects.order_by("id").values_list("id", flat=True)),
        "tickets": Ticket.objects.count(),
        "followups": FollowUp.objects.count(),
        "seeded": {"tickets": seeded, "followups": seeded_followups, "at": seeded_at.isoformat()},
        "database": f"PostgreSQL {server // 10000}.{server % 10000}",
        "versions": {
            "django-helpdesk": version("django-helpdesk"),
            "Django": django.get_version(),
            "djangorestframework": rest_framework.VERSION,
            "gunicorn": version("gunicorn"),
            "python": platform.python_version(),
        },
        "setup_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))
    return 0


# --- the benchmark (our virtualenv) --------------------------------------------------------------


def ensure_venv() -> tuple[Path, float]:
    """`bench/.peer-venv/` with PEER_PINS, made with the machine's python3.11 and reinstalled
    whenever the pins change; its python and the seconds it took (0 when it was ready)."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".installed"
    wanted = "\n".join(PEER_PINS) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python, 0.0
    started = time.perf_counter()
    if not python.exists():
        base = shutil.which("python3.11") or shutil.which("python3")
        if base is None:
            raise SystemExit("python3.11 (or python3) is needed on PATH for the peer virtualenv")
        print(f"creating {PEER_VENV.relative_to(PROJECT_DIR)} with {base}", flush=True)
        subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
    print("installing " + ", ".join(pin for pin in PEER_PINS[:4]) + " and their dependencies", flush=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEER_PINS],
        check=True,
    )
    stamp.write_text(wanted)
    return python, time.perf_counter() - started


def run_peer_setup(python: Path, tickets: int, reset: bool) -> dict[str, Any]:
    """This script's `--peer-setup` in the peer virtualenv (its Django, not ours); its JSON."""
    command = [str(python), str(Path(__file__).resolve()), "--peer-setup", f"--tickets={tickets}"]
    answer = subprocess.run(
        [*command, *(["--reset"] if reset else [])],
        env={**os.environ, "PEER_DATABASE_URL": database_url()},
        stdout=subprocess.PIPE,
        text=True,
    )
    if answer.returncode != 0:
        raise SystemExit(f"peer setup failed ({answer.returncode})")
    return json.loads(answer.stdout.strip().splitlines()[-1])


def create_scenario(setup: dict[str, Any]) -> Any:
    """POST /api/tickets/ as the staff agent with its token: what a support form or an integration
    sends (queue, title, description, submitter's address, priority); django-helpdesk answers 201."""
    from http_load import Scenario

    queues = setup["queues"]

    def make(i: int) -> tuple[str, str, bytes]:
        payload = {
            "queue": queues[i % len(queues)],
            "title": f"LaserJet M404: paper jams on tray 2 (load test {i})",
            "description": "Paper jams after a few pages; the panel shows error 13.B2 (load test).",
            "submitter_email": f"customer{i % CUSTOMERS:04d}@example.com",
            "priority": 3,
        }
        return "POST", "/api/tickets/", json.dumps(payload).encode()

    headers = {"Authorization": f"Token {setup['token']}", "Accept": "application/json"}
    return Scenario("create_api", make, headers, expect=201)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="seeded tickets (default 100000)")
    parser.add_argument("--reset", action="store_true", help="drop the peer database and seed again")
    parser.add_argument("--requests", type=int, default=300, help="per concurrency level (default 300)")
    parser.add_argument("--warmup", type=int, default=5, help="not timed (default 5)")
    parser.add_argument("--concurrency", default="1,4", help="comma-separated levels (default 1,4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--setup-only", action="store_true", help="virtualenv and database, no load")
    parser.add_argument("--peer-setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer_setup:
        return peer_setup(args.tickets, args.reset)
    levels = [int(level) for level in args.concurrency.split(",")]

    # Our helpers; imported here, as the peer virtualenv runs this file without them.
    from http_load import RssSampler, Server, free_port, print_row, run_phase, summarise

    python, venv_seconds = ensure_venv()
    started = time.perf_counter()
    setup = run_peer_setup(python, args.tickets, args.reset)
    setup_seconds = time.perf_counter() - started
    print(
        f"peer database ready in {setup_seconds:.0f} s "
        + (f"(seeded in {setup['seed_seconds']:.0f} s)" if setup["seeded_now"] else "(reused)")
        + f": {setup['tickets']:,} tickets, {setup['followups']:,} follow-ups",
        flush=True,
    )
    if args.setup_only:
        return 0

    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    server = Server(
        args.workers,
        free_port(),
        out_dir / f"peer_helpdesk-gunicorn-{stamp}.log",
        gunicorn=PEER_VENV / "bin" / "gunicorn",
        app="peer_helpdesk:wsgi_application()",
        env={
            "PATH": os.environ.get("PATH", ""),
            "PEER_DATABASE_URL": database_url(),
            "PYTHONPATH": str(BENCH_DIR),
        },
        chdir=BENCH_DIR,
        ready_path="/login/",
    )
    # Ctrl-C and SIGTERM end the run through `finally`, which stops gunicorn
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    scenario = create_scenario(setup)
    results = []
    try:
        server.wait_ready()
        sampler = RssSampler(server)
        sampler.start()
        print(
            f"\ndjango-helpdesk {setup['versions']['django-helpdesk']}, {setup['tickets']:,} tickets; "
            f"{args.requests} creates per level (after {args.warmup} warm-up), "
            f"gunicorn {args.workers} sync workers\n"
        )
        print(
            f"{'scenario':12} {'c':>2} {'p50':>8} {'p95':>8} {'p99':>8} {'req/s':>7} {'SQL':>5} {'err':>4}",
            end="",
        )
        print(f" {'RSS MB':>13}")
        run_phase(scenario, requests=args.warmup, concurrency=1, port=server.port)
        for level in levels:
            sampler.reset()
            samples, seconds = run_phase(
                scenario, requests=args.requests, concurrency=level, port=server.port
            )
            row = summarise(scenario.name, level, samples, seconds, sampler.peak(), scenario.expect)
            results.append(row)
            print_row(row, width=12)
        sampler.stopped.set()
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
    finally:
        server.stop()
    report = {
        "benchmark": "peer_helpdesk",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tickets": setup["tickets"],
        "followups": setup["followups"],
        "seeded": setup["seeded"],
        "database": setup["database"],
        "versions": setup["versions"],
        "server": f"gunicorn, {args.workers} sync workers, django-helpdesk (DEBUG off)",
        "request": "POST /api/tickets/ (queue, title, description, submitter_email, priority), token auth",
        "setup": {
            "venv_seconds": round(venv_seconds, 1),
            "database_seconds": round(setup_seconds, 1),
            "seed_seconds": setup.get("seed_seconds"),
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "results": results,
    }
    out = out_dir / f"peer_helpdesk-{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print(
        f"\nRSS: peak of the largest worker (of all workers together); written {out.relative_to(PROJECT_DIR)}"
    )
    failed = [f"c={r['concurrency']}: {r['error_statuses']}" for r in results if r["errors"]]
    if failed:
        print("HTTP errors: " + "; ".join(failed) + f" (see {server.log.name})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
