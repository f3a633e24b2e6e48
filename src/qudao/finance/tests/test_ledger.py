"""The ledger: balanced posting, refusals that change nothing, red-ink reversal, append-only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.models import BANK, CASH, RECEIVABLE, REVENUE, Account, JournalEntry, JournalLine
from qudao.finance.selectors import party_balance
from qudao.finance.services import Posting, ensure_chart, post_entry, reverse_entry
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role

DAY = datetime.date(2026, 3, 1)


def test_ensure_chart_creates_the_standard_accounts_once(org):
    # when
    first = ensure_chart(org)
    second = ensure_chart(org)

    # then
    assert {"1122", "2202", "1002", "1001", "1121", "2203", "2241", "6001", "22210102"} <= set(
        first
    )
    assert first.keys() == second.keys()
    assert Account.objects.count() == len(first)


def test_a_balanced_entry_is_posted_with_a_gapless_number(org, boss):
    # given
    customer = CustomerFactory(org=org)

    # when
    entry = post_entry(
        org=org,
        actor=boss,
        date=DAY,
        memo="opening",
        postings=[
            Posting(RECEIVABLE, debit=Decimal("50.00"), party=customer),
            Posting(REVENUE, credit=Decimal("50.00")),
        ],
    )
    second = post_entry(
        org=org,
        actor=boss,
        date=DAY,
        memo="cash",
        postings=[Posting(CASH, debit=Decimal("1.00")), Posting(BANK, credit=Decimal("1.00"))],
    )

    # then
    assert (entry.number, second.number) == ("JE2026-000001", "JE2026-000002")
    assert entry.lines.count() == 2
    assert party_balance(customer) == Decimal("50.00")


@pytest.mark.parametrize(
    ("postings", "code"),
    [
        ([], "empty_entry"),
        (
            [Posting(CASH, debit=Decimal("10.00")), Posting(BANK, credit=Decimal("9.99"))],
            "unbalanced_entry",
        ),
        (
            [Posting(CASH, debit=Decimal("-10.00")), Posting(BANK, debit=Decimal("10.00"))],
            "invalid_amount",
        ),
        (
            [Posting(CASH, debit=Decimal("1.001")), Posting(BANK, credit=Decimal("1.001"))],
            "invalid_amount",
        ),
        (
            [Posting(CASH, debit=Decimal("1"), credit=Decimal("1"))],
            "invalid_amount",
        ),
        (
            [Posting("9999", debit=Decimal("1")), Posting(BANK, credit=Decimal("1"))],
            "unknown_account",
        ),
    ],
)
def test_a_bad_entry_is_refused_and_nothing_is_written(org, boss, postings, code):
    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        post_entry(org=org, actor=boss, date=DAY, memo="bad", postings=postings)

    # then
    assert refused.value.code == code
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == (0, 0)


def test_a_sales_rep_cannot_post(org, rep):
    with pytest.raises(PermissionDenied):
        post_entry(
            org=org,
            actor=rep,
            date=DAY,
            memo="x",
            postings=[Posting(CASH, debit=Decimal("1")), Posting(BANK, credit=Decimal("1"))],
        )
    assert JournalEntry.objects.count() == 0


def test_reversal_is_a_red_ink_copy_and_cancels_the_balance(org, boss):
    # given
    customer = CustomerFactory(org=org)
    entry = post_entry(
        org=org,
        actor=boss,
        date=DAY,
        memo="wrong",
        postings=[
            Posting(RECEIVABLE, debit=Decimal("80.00"), party=customer),
            Posting(REVENUE, credit=Decimal("80.00")),
        ],
    )

    # when
    reversal = reverse_entry(org=org, actor=boss, entry=entry, reason="typed twice")

    # then
    assert reversal.reverses_id == entry.pk
    assert sorted(reversal.lines.values_list("debit", "credit")) == sorted(
        (-d, -c) for d, c in entry.lines.values_list("debit", "credit")
    )
    assert party_balance(customer) == Decimal("0.00")
    with pytest.raises(BusinessRuleViolation) as again:
        reverse_entry(org=org, actor=boss, entry=entry, reason="again")
    assert again.value.code == "not_reversible"
    with pytest.raises(BusinessRuleViolation) as of_reversal:
        reverse_entry(org=org, actor=boss, entry=reversal, reason="again")
    assert of_reversal.value.code == "not_reversible"
    assert JournalEntry.objects.count() == 2


def test_a_reversal_needs_a_reason(org, boss):
    entry = post_entry(
        org=org,
        actor=boss,
        date=DAY,
        memo="x",
        postings=[Posting(CASH, debit=Decimal("1")), Posting(BANK, credit=Decimal("1"))],
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        reverse_entry(org=org, actor=boss, entry=entry, reason="  ")
    assert refused.value.code == "reason_required"
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column}", "DELETE FROM {table}"])
@pytest.mark.parametrize("model", [JournalLine, JournalEntry])
def test_the_database_refuses_to_change_a_posted_row(org, boss, statement, model):
    # given
    post_entry(
        org=org,
        actor=boss,
        date=DAY,
        memo="x",
        postings=[Posting(CASH, debit=Decimal("1.00")), Posting(BANK, credit=Decimal("1.00"))],
    )
    table = model._meta.db_table
    column = "debit = 999" if model is JournalLine else "memo = 'changed'"
    sql = statement.format(table=table, column=column)

    # when
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    # then
    assert "append-only" in str(refused.value)
    assert sorted(JournalLine.objects.values_list("debit", flat=True)) == [
        Decimal("0.00"),
        Decimal("1.00"),
    ]
    assert JournalEntry.objects.get().memo == "x"


def test_every_staff_role_but_boss_and_finance_is_refused_posting(org, member):
    for role in (Role.SALES_REP, Role.WAREHOUSE, Role.READONLY, Role.AFTERSALES):
        with pytest.raises(PermissionDenied):
            post_entry(
                org=org,
                actor=member(role),
                date=DAY,
                memo="x",
                postings=[Posting(CASH, debit=Decimal("1")), Posting(BANK, credit=Decimal("1"))],
            )
