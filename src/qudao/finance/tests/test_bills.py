"""Clearing received acceptance bills: the postings at maturity and on discount, the refusals,
the credit exposure, the list of bills, and the nightly integrity check."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.bills import BillStatus, bills_received, filter_bills
from qudao.finance.credit import credit_exposure
from qudao.finance.integrity import find_problems
from qudao.finance.models import BillClearing, ClearingKind, JournalLine
from qudao.finance.services import PaymentData, clear_bill, receive_payment
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role

D = Decimal
TODAY = timezone.localdate()


def bill(org, boss, customer, amount="1000.00", received=-40, matures=-10, number="BA-1"):
    payment, _created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=TODAY + datetime.timedelta(days=received),
            amount=D(amount),
            method="acceptance_bill",
            bill_number=number,
            bill_maturity=TODAY + datetime.timedelta(days=matures),
        ),
    )
    return payment


def lines(entry):
    return sorted(
        (line.account.code, line.debit, line.credit)
        for line in JournalLine.objects.filter(entry=entry).select_related("account")
    )


def test_a_bill_paid_at_maturity_moves_from_bills_receivable_to_the_bank(org, boss):
    # given: a bill of 1000, past maturity and not cleared: it still counts
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("1000.00"))
    paid = bill(org, boss, customer)
    assert credit_exposure(customer).bills_not_cleared == D("1000.00")

    # when
    clearing = clear_bill(org=org, actor=boss, payment=paid, kind=ClearingKind.MATURED, date=TODAY)

    # then
    assert lines(clearing.journal_entry) == [
        ("1002", D("1000.00"), D("0.00")),
        ("1121", D("0.00"), D("1000.00")),
    ]
    assert (clearing.face_amount, clearing.proceeds, clearing.discount_interest) == (
        D("1000.00"),
        D("1000.00"),
        D("0.00"),
    )
    assert credit_exposure(customer).bills_not_cleared == D("0.00")
    assert find_problems(org) == []


def test_a_discounted_bill_books_the_interest_as_a_financial_expense(org, boss):
    # given: a bill maturing in 60 days
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, amount="10000.00", received=-5, matures=60)

    # when: the bank pays out 9876.54 today
    clearing = clear_bill(
        org=org,
        actor=boss,
        payment=paid,
        kind=ClearingKind.DISCOUNTED,
        date=TODAY,
        proceeds=D("9876.54"),
        bank_reference="贴现-001",
    )

    # then
    assert lines(clearing.journal_entry) == [
        ("1002", D("9876.54"), D("0.00")),
        ("1121", D("0.00"), D("10000.00")),
        ("6603", D("123.46"), D("0.00")),
    ]
    assert clearing.discount_interest == D("123.46")
    # recourse: a discounted bill keeps counting until its maturity
    assert credit_exposure(customer).bills_not_cleared == D("10000.00")
    assert find_problems(org) == []


@pytest.mark.parametrize(
    ("kind", "received", "matures", "proceeds", "code"),
    [
        (ClearingKind.MATURED, -5, 10, None, "not_yet_mature"),
        (ClearingKind.DISCOUNTED, -40, -10, D("900.00"), "already_mature"),
        (ClearingKind.DISCOUNTED, -5, 10, D("1000.01"), "invalid_amount"),
        (ClearingKind.DISCOUNTED, -5, 10, None, "invalid_amount"),
    ],
)
def test_refusals_change_nothing(org, boss, kind, received, matures, proceeds, code):
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, received=received, matures=matures)
    lines_before = JournalLine.objects.count()

    with pytest.raises(BusinessRuleViolation) as refused:
        clear_bill(org=org, actor=boss, payment=paid, kind=kind, date=TODAY, proceeds=proceeds)

    assert refused.value.code == code
    assert (BillClearing.objects.count(), JournalLine.objects.count()) == (0, lines_before)


def test_a_bill_is_cleared_once_and_only_bills_are_cleared(org, boss):
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer)
    clear_bill(org=org, actor=boss, payment=paid, kind=ClearingKind.MATURED, date=TODAY)
    with pytest.raises(BusinessRuleViolation) as again:
        clear_bill(org=org, actor=boss, payment=paid, kind=ClearingKind.MATURED, date=TODAY)
    transfer, _created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(customer.pk, TODAY, D("5.00"), "bank_transfer"),
    )
    with pytest.raises(BusinessRuleViolation) as not_a_bill:
        clear_bill(org=org, actor=boss, payment=transfer, kind=ClearingKind.MATURED, date=TODAY)
    assert (again.value.code, not_a_bill.value.code) == ("bill_already_cleared", "not_a_bill")


def test_the_list_filters_by_status_and_maturity(org, boss):
    customer = CustomerFactory(org=org)
    overdue = bill(org, boss, customer, number="BA-OLD")
    soon = bill(org, boss, customer, received=-5, matures=20, number="BA-SOON")
    later = bill(org, boss, customer, received=-5, matures=120, number="BA-LATER")
    cleared = bill(org, boss, customer, number="BA-DONE")
    clear_bill(org=org, actor=boss, payment=cleared, kind=ClearingKind.MATURED, date=TODAY)
    every = bills_received(boss)

    def numbers(status="", due_within=None):
        found = filter_bills(every, status=status, due_within=due_within, today=TODAY)
        return sorted(found.values_list("bill_number", flat=True))

    assert numbers() == sorted(
        [overdue.bill_number, soon.bill_number, later.bill_number, "BA-DONE"]
    )
    assert numbers(BillStatus.OPEN) == ["BA-LATER", "BA-SOON"]
    assert numbers(BillStatus.OVERDUE) == ["BA-OLD"]
    assert numbers(BillStatus.CLEARED) == ["BA-DONE"]
    assert numbers(due_within=30) == ["BA-OLD", "BA-SOON"]


@pytest.mark.parametrize(
    ("role", "list_status", "clear_status"),
    [
        (Role.BOSS, 200, 302),
        (Role.FINANCE, 200, 302),
        (Role.READONLY, 200, 403),
        (Role.SALES_REP, 200, 403),
        (Role.WAREHOUSE, 403, 403),
    ],
)
def test_pages_by_role(org, boss, member, login, role, list_status, clear_status):
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer)
    client = login(member(role))

    listing = client.get(reverse("finance-bill-list") + "?due=30")
    cleared = client.post(
        reverse("finance-bill-clear", args=[paid.pk]),
        {"kind": "matured", "date": TODAY.isoformat()},
    )

    assert (listing.status_code, cleared.status_code) == (list_status, clear_status)
    assert BillClearing.objects.filter(payment=paid).exists() == (clear_status == 302)
