"""Shared fixtures: one user per role, a dealer world with two dealers, API clients."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role

from . import factories as f

# AFTERSALES_TEST_NOW=2027-12-31T23:30 runs the whole suite as if the machine's clock said so (the
# clock keeps ticking from there): a test that passes only on some days fails at once. `.ci/run`
# runs the suite on a few such days; tests that need an exact moment still freeze it themselves.
_TRAVEL = os.environ.get("AFTERSALES_TEST_NOW", "").strip()


def pytest_configure(config):
    _log_directory_claim(config)
    _own_cache_keys()
    if not _TRAVEL:
        return
    moment = datetime.fromisoformat(_TRAVEL)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    config._aftersales_travel = time_machine.travel(moment, tick=True)
    config._aftersales_travel.start()


def pytest_report_header(config):
    if _TRAVEL:
        return f"clock moved to {_TRAVEL} (AFTERSALES_TEST_NOW)"
    return None


# --- one worker for a group of tests (--dist loadgroup) -----------------------------------------
# The demo tests share one seeded company (tests/demo/conftest.py): under `-n`, `--dist loadgroup`
# (pyproject.toml) should send every test marked `xdist_group("demo")` to one worker. pytest 9.2
# keeps node ids structured, and pytest-xdist 3.8 still writes the group into the old `_nodeid`
# field, so the group is silently lost (pytest-xdist#1386, open). This scheduler also groups the
# tests of the packages named here by their path, which needs no node id to change.
XDIST_GROUPS_BY_PATH = {"tests/demo/": "demo"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class PathGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS_BY_PATH.items():
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

    return PathGroupScheduling(config, log)


# --- personal data never reaches the logs (R41) -------------------------------------------------
# Every process of the run writes what the application logs, through the production formatter, to
# a file of one shared directory; when the run ends, the process that made the directory searches
# them all for the test worlds' personal data (tests/factories.py) and unmasked phone numbers, and
# fails the run if any is there.
_LOG_DIRECTORY = "AFTERSALES_TEST_LOG_DIR"
_UNMASKED_PHONE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")


def _own_cache_keys() -> None:
    """Each test process keeps its own keys in the cache, which is shared under `.ci/run` (Redis):
    another worker saving a service point must not make this one's reference data reload in the
    middle of a test that counts queries (core/reference.py)."""
    from django.conf import settings

    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"


def _log_directory_claim(config) -> None:
    if os.environ.get(_LOG_DIRECTORY):
        return  # an xdist worker: the controller made it
    os.environ[_LOG_DIRECTORY] = tempfile.mkdtemp(prefix="aftersales-test-logs-")
    config._aftersales_log_owner = True


@pytest.fixture(scope="session", autouse=True)
def _application_log_file():
    """This process's logs as production writes them (after Django configured logging)."""
    from aftersales.core.logging import MaskingFormatter, RequestIdFilter

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    handler = logging.FileHandler(Path(os.environ[_LOG_DIRECTORY]) / f"{worker}.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(MaskingFormatter("%(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(), logging.getLogger("django.request")]  # the latter does not propagate
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    handler.close()


def personal_data_in_logs(directory: Path) -> list[str]:
    from tests.factories import PERSONAL_DATA_CANARIES

    leaks = []
    for path in sorted(directory.glob("*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if any(canary in line for canary in PERSONAL_DATA_CANARIES) or _UNMASKED_PHONE.search(line):
                leaks.append(f"{path.name}: {line[:300]}")
    return leaks


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if not getattr(config, "_aftersales_log_owner", False):
        return
    directory = Path(os.environ.pop(_LOG_DIRECTORY))
    leaks = personal_data_in_logs(directory)
    shutil.rmtree(directory, ignore_errors=True)
    if leaks:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        lines = ["personal data found in the application logs (R41):", *leaks[:20]]
        if reporter is not None:
            reporter.write_sep("!", "log canaries")
            for line in lines:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config):
    travel = getattr(config, "_aftersales_travel", None)
    if travel is not None:
        travel.stop()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    """A cheap password hasher (the default costs ~0.5 s per user), and Celery tasks run
    in-process even when REDIS_URL is set; the worker test opts out of eager mode itself. Queued
    messages are handed to the (eager) job queue on commit, as with a broker, so tests see them
    delivered; tests/core/test_boundary.py proves the embedded mode's flush."""
    from aftersales.config.celery import app as celery_app

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OUTBOX_SEND_ON_COMMIT = True
    # Signed service forms are rendered by the (eager) job on commit, as with a broker (R15).
    settings.FIELD_SIGNED_FORM_ON_COMMIT = True
    # Numbers are taken inside the test's transaction, so they roll back with it (the PostgreSQL
    # path that takes them on their own connection is proved by tests/core/test_numbers.py).
    settings.NUMBERS_OUTSIDE_TRANSACTION = False
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """Reference data kept in memory (core/reference.py) is read afresh by every test: the rows
    an earlier test saw were rolled back without a signal."""
    from aftersales.core.reference import reference_caches_clear

    reference_caches_clear()


@pytest.fixture(autouse=True)
def _english():
    """Tests read English messages. Chinese, the default for real users, is proven by the tests
    that ask for it without a language (tests/pages/test_i18n.py, the browser test)."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def make_user(db):
    def make(role: str = Role.AGENT, **kwargs):
        return f.UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, username="agent")


@pytest.fixture
def dispatcher(make_user):
    return make_user(Role.DISPATCHER, username="dispatcher")


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def clerk(make_user):
    return make_user(Role.CLERK, username="clerk")


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="finance")


@pytest.fixture
def world(db):
    """Two dealers, each with a service point and an engineer, and a work order at each."""
    dealer_a, dealer_b = f.DealerFactory(code="DA"), f.DealerFactory(code="DB")
    point_a = f.ServicePointFactory(dealer=dealer_a)
    point_b = f.ServicePointFactory(dealer=dealer_b)
    engineer_a = f.EngineerFactory(service_point=point_a, user__username="eng_a")
    engineer_b = f.EngineerFactory(service_point=point_b, user__username="eng_b")
    staff_a = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer_a, username="dealer_a")
    staff_b = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer_b, username="dealer_b")
    order_a = f.WorkOrderFactory(service_point=point_a)
    order_b = f.WorkOrderFactory(service_point=point_b)
    return type(
        "World",
        (),
        dict(
            dealer_a=dealer_a,
            dealer_b=dealer_b,
            point_a=point_a,
            point_b=point_b,
            engineer_a=engineer_a,
            engineer_b=engineer_b,
            staff_a=staff_a,
            staff_b=staff_b,
            order_a=order_a,
            order_b=order_b,
        ),
    )


@pytest.fixture
def api_client():
    def client_for(user):
        client = APIClient()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_authenticate(user)
        return client

    return client_for


def uses_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


# On PostgreSQL a list's count runs under its own time limit (core.lists._bounded_count): inside a
# test's transaction that is a savepoint, SET LOCAL, the reset and the release around the COUNT.
COUNT_GUARD_STATEMENTS = 4 if uses_postgres() else 0
