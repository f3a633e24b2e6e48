"""The hand-written statements of the hot paths (`qudao.core.rows`) on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.core.rows import (
    atomic_step,
    execute_hot,
    fetch,
    insert_statement,
    lock_row,
    run_together,
    update_statement,
)
from qudao.tenancy.models import Event, Membership, Organization
from qudao.tenancy.services import event_statement, record_event


def test_fetch_builds_the_same_instances_as_the_orm_with_the_related_row_cached(
    org: Organization, boss: Membership
) -> None:
    event = record_event(
        org=org, actor=boss, subject=boss, verb="checked", data={"amount": "12.30", "n": [1]}
    )
    (read,) = fetch(Event, "t.id = %s AND t.org_id = %s", [event.pk, org.pk], related="actor")
    orm = Event.objects.select_related("actor").get(pk=event.pk)
    for f in Event._meta.concrete_fields:
        assert getattr(read, f.attname) == getattr(orm, f.attname), f.name
    assert read.data == {"amount": "12.30", "n": [1]}  # JSON decoded, as the ORM does
    assert read.at == orm.at and read.at.tzinfo is not None
    assert Event.actor.is_cached(read)  # type: ignore[attr-defined]
    assert read.actor.role == boss.role and not read._state.adding


def test_fetch_with_a_lock_finds_nothing_for_another_org(
    org: Organization, other_org: Organization, boss: Membership
) -> None:
    with transaction.atomic():
        assert fetch(Membership, "t.id = %s AND t.org_id = %s", [boss.pk, org.pk], lock=True)
        assert not fetch(Membership, "t.id = %s AND t.org_id = %s", [boss.pk, other_org.pk])
        assert lock_row(Membership, boss.pk) and not lock_row(Membership, -1)


def test_run_together_writes_every_statement_and_returns_the_last_ones_rows(
    org: Organization, boss: Membership
) -> None:
    boss.is_active = False
    rows = run_together(
        [
            update_statement(boss, ["is_active"]),
            event_statement(org=org, actor=boss, subject=boss, verb="renamed", data={"x": 1}),
            insert_statement(
                Event,
                [
                    {
                        "org": org.pk,
                        "actor": None,
                        "subject_type": "tenancy.membership",
                        "subject_id": boss.pk,
                        "verb": "second",
                        "reason": "",
                        "data": {},
                        "at": timezone.now(),
                    }
                ],
                returning="id",
            ),
        ]
    )
    assert Membership.objects.get(pk=boss.pk).is_active is False
    assert Event.objects.get(verb="renamed").data == {"x": 1}
    assert [pk for (pk,) in rows] == [Event.objects.get(verb="second").pk]


def test_execute_hot_gives_the_same_answers_each_time(org: Organization) -> None:
    sql = "SELECT COUNT(*) FROM tenancy_organization WHERE id = %(org)s OR id = %(org)s"
    with connection.cursor() as cursor:
        answers = []
        for _ in range(3):  # prepared on the first call (PostgreSQL), executed after
            execute_hot(cursor, sql, {"org": org.pk})
            answers.append(cursor.fetchone()[0])
            execute_hot(cursor, "SELECT %s + 1", [41])
            answers.append(cursor.fetchone()[0])
    assert answers == [1, 42] * 3


@pytest.mark.postgres
def test_execute_hot_plans_a_statement_once_per_connection(org: Organization) -> None:
    sql = "SELECT id AS planned_once FROM tenancy_organization WHERE id = %s"
    with connection.cursor() as cursor:
        for _ in range(2):
            execute_hot(cursor, sql, [org.pk])
            assert cursor.fetchone() == (org.pk,)
        cursor.execute(
            "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%planned_once FROM tenancy_organization WHERE id = $1%"],
        )
        assert cursor.fetchone() == (1,)


@atomic_step
def _refuse_or_write(org: Organization, *, refuse: bool) -> None:
    if refuse:
        raise BusinessRuleViolation("no", code="no")
    record_event(org=org, actor=None, subject=org, verb="stepped")


def test_an_atomic_step_that_refuses_leaves_the_callers_transaction_usable(
    org: Organization,
) -> None:
    with transaction.atomic():
        with pytest.raises(BusinessRuleViolation):
            _refuse_or_write(org, refuse=True)
        _refuse_or_write(org, refuse=False)  # no savepoint, yet nothing is broken
    assert Event.objects.filter(verb="stepped").count() == 1


def test_a_hot_statement_is_one_query_the_first_time_too(
    org: Organization, django_assert_num_queries: Any
) -> None:
    sql = "SELECT id AS counted_once FROM tenancy_organization WHERE id = %s"
    for _ in range(2):
        with django_assert_num_queries(1), connection.cursor() as cursor:
            execute_hot(cursor, sql, [org.pk])
            assert cursor.fetchone() == (org.pk,)
