"""A credit refusal names every failing condition, not only the first; its code stays the
first problem's, so API clients keep matching on it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.credit import can_confirm
from qudao.finance.models import CreditCommitment
from qudao.finance.services import reserve_credit
from qudao.finance.tests.credit_helpers import give_policy
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event

D = Decimal
OVERDUE = "好邻居便利店 has 100.00 overdue by more than 0 days, above the tolerated 0.00."
OVER_LIMIT = (
    "The credit limit of 好邻居便利店 would be exceeded: limit 1000.00, already used 100.00, "
    "this order 950.00, available 900.00."
)


@pytest.fixture
def customer(org):
    return CustomerFactory(org=org, name="好邻居便利店")


def _overdue_and_over_the_limit(org, boss, customer, on_exceeded: str) -> None:
    """100 overdue since 2026-01-10 (none tolerated) and a limit of 1000."""
    give_policy(
        org=org, actor=boss, customer=customer, credit_limit="1000.00", on_exceeded=on_exceeded
    )
    posted_invoice(org=org, actor=boss, customer=customer)


def test_a_blocked_order_names_the_overdue_and_the_limit(org, boss, customer):
    # given
    _overdue_and_over_the_limit(org, boss, customer, "block")

    # when
    decision = can_confirm(customer=customer, amount=D("950.00"))

    # then
    assert (decision.allowed, decision.code) == (False, "overdue_blocked")
    assert decision.message == f"{OVERDUE} {OVER_LIMIT}"
    assert [p.code for p in decision.problems] == ["overdue_blocked", "credit_limit_exceeded"]


def test_an_order_for_approval_names_every_reason(org, boss, customer):
    _overdue_and_over_the_limit(org, boss, customer, "approve")

    decision = can_confirm(customer=customer, amount=D("950.00"))

    assert (decision.allowed, decision.code) == (False, "approval_required")
    assert decision.message == f"This order needs credit approval: {OVERDUE} {OVER_LIMIT}"


def test_one_failing_condition_reads_as_before(org, boss, customer):
    _overdue_and_over_the_limit(org, boss, customer, "block")

    decision = can_confirm(customer=customer, amount=D("1.00"))

    assert (decision.code, decision.message) == ("overdue_blocked", OVERDUE)


def test_the_refusal_names_both_and_reserves_nothing(org, boss, customer):
    # given
    _overdue_and_over_the_limit(org, boss, customer, "block")
    events = Event.objects.count()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_credit(org=org, customer=customer, amount=D("950.00"), reference="so:1")

    # then
    assert refused.value.code == "overdue_blocked"
    assert refused.value.message == f"{OVERDUE} {OVER_LIMIT}"
    assert not CreditCommitment.objects.exists()
    assert Event.objects.count() == events
