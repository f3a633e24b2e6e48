"""Fixtures shared by every test: an organization in scope, members of each role, clients."""

from __future__ import annotations

import decimal
import importlib
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def _trap_float_money() -> Iterator[None]:
    """Decimal(0.1) or Decimal < float fails the test: money never meets a float."""
    context = decimal.getcontext()
    context.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = False


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assertions read the English source strings; tests of Chinese ask for it explicitly."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db: None) -> Iterator[Organization]:
    """An organization, with its scope open for the whole test."""
    organization = OrganizationFactory(name="测试商贸有限公司", code="test-org")
    with org_scope(organization):
        yield organization


@pytest.fixture
def other_org(db: None) -> Organization:
    return OrganizationFactory(name="别家商贸有限公司", code="other-org")


@pytest.fixture
def member(org: Organization) -> Callable[..., Membership]:
    """member(Role.FINANCE) → a membership of `org` with that role (external ones get a party)."""

    def make(role: str = Role.BOSS, **kwargs: object) -> Membership:
        return MembershipFactory(org=org, role=role, **kwargs)

    return make


@pytest.fixture
def boss(member: Callable[..., Membership]) -> Membership:
    return member(Role.BOSS)


@pytest.fixture
def rep(member: Callable[..., Membership]) -> Membership:
    return member(Role.SALES_REP)


@pytest.fixture
def login() -> Callable[[Membership], Client]:
    """login(membership) → a test client logged in and working in that membership's org."""

    def make(membership: Membership) -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(membership.user)
        session = client.session
        session["qudao_org_id"] = membership.org_id
        session.save()
        return client

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped, not failed, when the suite runs on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: make test runs it on a private server")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


APPEND_ONLY = (  # the migrations whose triggers refuse UPDATE and DELETE on posted rows
    "qudao.finance.migrations.0002_ledger_is_append_only",
    "qudao.inventory.migrations.0002_stockmove_append_only",
)


@pytest.fixture
def append_only_flushable(transactional_db: None) -> Iterator[None]:
    """On SQLite the end-of-test flush DELETEs rows, which the append-only triggers of the
    ledger and the stock moves refuse (PostgreSQL TRUNCATEs, which they allow): for tests
    that commit such rows, flush here without the triggers, then put them back."""
    yield
    if connection.vendor != "sqlite":
        return
    migrations = [importlib.import_module(name) for name in APPEND_ONLY]
    with connection.schema_editor() as editor:
        for migration in migrations:
            migration.allow_changes(None, editor)
    try:
        call_command("flush", verbosity=0, interactive=False)
    finally:
        with connection.schema_editor() as editor:
            for migration in migrations:
                migration.forbid_changes(None, editor)
