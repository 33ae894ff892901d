"""A small dispatch world: points in Shanghai and Jiangsu, a product line, engineers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State

from .. import factories as f


@pytest.fixture
def line(db):
    return f.ProductLineFactory(code="PRN", name="Printers")


@pytest.fixture
def model(line):
    return f.ProductModelFactory(product_line=line)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def qualify(line, today):
    """A qualification valid for years before today, so tests that dispatch on a fixed day of
    2026 still find the engineer qualified whatever the machine's date."""

    def make(engineer, *, expires_on=None, certified_on=None, product_line=None):
        return f.QualificationFactory(
            engineer=engineer,
            product_line=product_line or line,
            certified_on=certified_on or today - timedelta(days=3650),
            expires_on=expires_on or today + timedelta(days=365),
        )

    return make


@pytest.fixture
def customer(db):
    return f.CustomerFactory(province="上海市", city="上海市", district="徐汇区")


@pytest.fixture
def order(customer, model):
    return f.WorkOrderFactory(
        customer=customer, product_model=model, service_point=None, state=State.ACCEPTED
    )


@pytest.fixture
def point(db):
    def make(**kwargs):
        kwargs.setdefault("province", "上海市")
        kwargs.setdefault("city", "上海市")
        kwargs.setdefault("district", "")
        return f.ServicePointFactory(**kwargs)

    return make


@pytest.fixture
def dealer_staff(db):
    def make(dealer, username):
        return f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username=username)

    return make


# Visits, sign-off and supervision cards (R12, R15-R17, R19).
from .visit_factories import field_engineer, field_supervisor, field_wo, other_engineer  # noqa: E402, F401
