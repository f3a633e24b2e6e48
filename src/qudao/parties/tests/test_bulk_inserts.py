"""Bulk inserts for the import: all or nothing, no history rows, statements grow by batch only."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qudao.core.bulk import LOAD_BATCH
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties.models import Contact, Party, PartyKind
from qudao.parties.services import (
    ContactData,
    NewContact,
    PartyData,
    insert_contacts,
    insert_parties,
)
from qudao.parties.tests.factories import ContactFactory, CustomerFactory, TerritoryFactory
from qudao.tenancy.roles import Role


def _customers(count: int, *, start: int = 1, **values: object) -> list[PartyData]:
    return [
        PartyData(code=f"C{n:05d}", name=f"客户{n}", customer_type="retailer", **values)
        for n in range(start, start + count)
    ]


def test_parties_are_inserted_with_every_field_and_no_history(org, boss):
    # given
    territory = TerritoryFactory(org=org)
    rows = _customers(2, tier="A", territory_id=territory.pk, owner_id=boss.pk, phone="138")

    # when
    written = insert_parties(org=org, actor=boss, kind=PartyKind.CUSTOMER, rows=rows)

    # then
    assert written == 2
    assert list(
        Party.objects.order_by("code").values_list(
            "code", "name", "kind", "tier", "territory_id", "owner_id", "phone", "status"
        )
    ) == [
        ("C00001", "客户1", "customer", "A", territory.pk, boss.pk, "138", "active"),
        ("C00002", "客户2", "customer", "A", territory.pk, boss.pk, "138", "active"),
    ]
    assert Party.objects.get(code="C00001").created_at.date() is not None
    assert Party.history.count() == 0


def test_suppliers_never_get_a_customer_type_or_owner(org, boss):
    rows = [PartyData(code="S1", name="厂家", customer_type="retailer", owner_id=boss.pk)]

    insert_parties(org=org, actor=boss, kind=PartyKind.SUPPLIER, rows=rows)

    assert Party.objects.values_list("customer_type", "owner_id").get() == ("", None)


def test_a_code_already_used_refuses_the_whole_batch(org, boss):
    # given
    CustomerFactory(org=org, code="C00002")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        insert_parties(org=org, actor=boss, kind=PartyKind.CUSTOMER, rows=_customers(3))

    # then
    assert refused.value.code == "duplicate_code"
    assert list(Party.objects.values_list("code", flat=True)) == ["C00002"]


def test_a_code_repeated_in_the_batch_is_refused(org, boss):
    rows = _customers(2) + _customers(1)

    with pytest.raises(BusinessRuleViolation) as refused:
        insert_parties(org=org, actor=boss, kind=PartyKind.CUSTOMER, rows=rows)

    assert (refused.value.code, Party.objects.count()) == ("duplicate_code", 0)


def test_a_member_without_the_permission_cannot_insert(org, member):
    with pytest.raises(PermissionDenied):
        insert_parties(
            org=org, actor=member(Role.READONLY), kind=PartyKind.CUSTOMER, rows=_customers(1)
        )

    assert Party.objects.count() == 0


def test_inserts_take_the_same_statements_whatever_the_row_count(org, boss):
    # given
    def statements(rows: list[PartyData]) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            insert_parties(org=org, actor=boss, kind=PartyKind.CUSTOMER, rows=rows)
        return [query["sql"] for query in queries.captured_queries]

    # when: 3 rows, then 300 (both below one batch of LOAD_BATCH)
    few, many = statements(_customers(3)), statements(_customers(300, start=4))

    # then: the lookups and one INSERT run once per batch (PostgreSQL: one COPY, not logged)
    assert len(few) == len(many)
    inserts = [sql for sql in many if "INSERT" in sql]
    assert len(inserts) == (1 if connection.vendor == "sqlite" else 0)
    assert Party.objects.count() == 303 and 300 < LOAD_BATCH


def test_contacts_are_inserted_for_their_parties(org, boss):
    # given
    party = CustomerFactory(org=org)
    rows = [
        NewContact(party.pk, ContactData(name="张伟", is_primary=True, birthday=date(1985, 6, 18))),
        NewContact(party.pk, ContactData(name="李娜", email="lina@example.com")),
    ]

    # when
    written = insert_contacts(org=org, actor=boss, rows=rows)

    # then
    assert written == 2
    assert list(
        Contact.objects.order_by("name").values_list("party_id", "name", "is_primary", "birthday")
    ) == [
        (party.pk, "张伟", True, date(1985, 6, 18)),
        (party.pk, "李娜", False, None),
    ]


def test_a_second_primary_contact_refuses_the_batch(org, boss):
    # given
    existing = ContactFactory(org=org, is_primary=True)
    rows = [NewContact(existing.party_id, ContactData(name="王芳", is_primary=True))]

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        insert_contacts(org=org, actor=boss, rows=rows)

    # then
    assert refused.value.code == "primary_exists"
    assert Contact.objects.count() == 1


def test_a_rep_cannot_add_contacts_to_another_reps_customer(org, rep, member):
    other = CustomerFactory(org=org, owner=member(Role.SALES_REP))

    with pytest.raises(BusinessRuleViolation) as refused:
        insert_contacts(org=org, actor=rep, rows=[NewContact(other.pk, ContactData(name="赵"))])

    assert (refused.value.code, Contact.objects.count()) == ("unknown_party", 0)
