"""Grades and the suggested limit: average monthly sales × term in months × grade
coefficient × behaviour factors, with the reasoning spelled out."""

from __future__ import annotations

import datetime
from decimal import Decimal

from qudao.finance.credit import average_days_late, limit_suggestion, monthly_sales, suggest_limit
from qudao.finance.services import AllocationPart, PaymentData, receive_payment
from qudao.finance.tests.credit_helpers import give_policy
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory

D = Decimal


def test_a_growing_well_used_aa_customer():
    suggestion = suggest_limit(
        monthly_sales=[D("10000.00")] * 3 + [D("13000.00")] * 3,
        term_days=30,
        grade="AA",
        average_days_late=D("0"),
        utilisation=D("0.95"),
    )

    # 11500.00 × 1.00 × 1.2 × 1.00 × 1.10 × 1.10 = 16698.00
    assert suggestion.amount == D("16698.00")
    assert (suggestion.average_monthly_sales, suggestion.term_months) == (D("11500.00"), D("1.00"))
    assert dict(suggestion.factors) == {
        "days_late": D("1.00"),
        "utilisation": D("1.10"),
        "trend": D("1.10"),
    }
    assert suggestion.reasons == (
        "Average monthly sales over the last 6 months: 11500.00.",
        "Payment term of 30 days on average: 1.00 months.",
        "Grade AA: coefficient 1.2.",
        "Pays 0 days late on average: factor 1.00.",
        "Uses 95% of the current limit: factor 1.10.",
        "Recent sales are 1.30 times the earlier months: factor 1.10.",
        "Suggested limit: 11500.00 × 1.00 × 1.2 × 1.00 × 1.10 × 1.10 = 16698.00.",
    )


def test_a_late_payer_with_falling_sales_gets_less():
    suggestion = suggest_limit(
        monthly_sales=[D("10000.00")] * 3 + [D("7000.00")] * 3,
        term_days=30,
        grade="B",
        average_days_late=D("20"),
        utilisation=D("0.20"),
    )

    # 8500.00 × 1.00 × 0.6 × 0.75 × 0.90 × 0.90 = 3098.25 → 3098
    assert suggestion.amount == D("3098.00")
    assert [f for _n, f in suggestion.factors] == [D("0.75"), D("0.90"), D("0.90")]


def test_grade_coefficients():
    amounts = {
        grade: suggest_limit(
            monthly_sales=[D("1000.00")] * 6,
            term_days=60,
            grade=grade,
            average_days_late=None,
            utilisation=None,
        ).amount
        for grade in ("AAA", "AA", "A", "B", "C", "")
    }

    assert amounts == {
        "AAA": D("3000.00"),
        "AA": D("2400.00"),
        "A": D("2000.00"),
        "B": D("1200.00"),
        "C": D("0.00"),
        "": D("2000.00"),
    }


def test_grade_c_says_prepay_only():
    suggestion = suggest_limit(
        monthly_sales=[D("1000.00")] * 6,
        term_days=30,
        grade="C",
        average_days_late=None,
        utilisation=None,
    )

    assert suggestion.reasons[-1] == "Grade C customers pay in advance: no credit is suggested."


def _pay(org, actor, customer, invoice, on):
    receive_payment(
        org=org,
        actor=actor,
        data=PaymentData(
            customer_id=customer.pk, date=on, amount=invoice.total, method="bank_transfer"
        ),
        allocations=[AllocationPart(invoice.pk, invoice.total)],
    )


def test_the_suggestion_reads_sales_terms_and_behaviour_from_the_books(org, boss):
    # given 1000 a month from January to June 2026, each paid on its due date, net 30, grade A
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, payment_term_days=30, grade="A")
    for month in range(1, 7):
        invoice = posted_invoice(
            org=org,
            actor=boss,
            customer=customer,
            amount=D("1000.00"),
            date=datetime.date(2026, month, 5),
        )
        _pay(org, boss, customer, invoice, invoice.due_date)

    # when
    suggestion = limit_suggestion(customer, today=datetime.date(2026, 7, 15))

    # then
    assert monthly_sales(customer, today=datetime.date(2026, 7, 15)) == [D("1000.00")] * 6
    assert suggestion.amount == D("1000.00")
    assert suggestion.reasons[3] == "Pays 0.0 days late on average: factor 1.00."


def test_average_days_late_weighs_paid_and_still_open_invoices_by_amount(org, boss):
    # given one invoice paid 10 days late, another open 20 days past due
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, payment_term_days=0)
    paid = posted_invoice(org=org, actor=boss, customer=customer, date=datetime.date(2026, 3, 1))
    _pay(org, boss, customer, paid, datetime.date(2026, 3, 11))
    posted_invoice(org=org, actor=boss, customer=customer, date=datetime.date(2026, 3, 20))

    # then (100 × 10 + 100 × 20) ÷ 200
    assert average_days_late(customer, today=datetime.date(2026, 4, 9)) == D("15.0")
