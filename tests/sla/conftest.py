"""Fixtures of the service-level tests."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from aftersales.accounts.choices import Role
from tests import factories as f


@pytest.fixture
def sla_defaults(transactional_db):
    """The default calendar and policies of the data migrations, for transactional tests: those
    start on tables that an earlier transactional test flushed, data migrations included."""
    for module, function in [
        ("0002_default_calendar", "create_default"),
        ("0004_default_policies", "create_policies"),
    ]:
        getattr(import_module(f"aftersales.sla.migrations.{module}"), function)(apps, None)


@pytest.fixture
def people(db):
    point = f.ServicePointFactory()
    return type(
        "People",
        (),
        dict(
            agent=f.UserFactory(role=Role.AGENT, username="agent"),
            supervisor=f.UserFactory(role=Role.SUPERVISOR, username="supervisor"),
            engineer=f.EngineerFactory(service_point=point),
            point=point,
        ),
    )
