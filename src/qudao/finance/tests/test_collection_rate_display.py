"""The collection rate (回款率 = collected ÷ sales in the period) read honestly: money collected
for older invoices against tiny sales reads ">999%" with why, no sales reads "—" with why; the
definition itself does not change."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from qudao.finance import services
from qudao.finance.models import PeriodKind
from qudao.finance.targets import target_report
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory

D = datetime.date
TODAY = D(2026, 3, 20)


def pay(org, boss, customer, amount, day):
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(customer.pk, day, Decimal(amount), "bank_transfer"),
    )


def target(org, boss, rep):
    services.set_collection_target(
        org=org,
        actor=boss,
        period_kind=PeriodKind.MONTH,
        day=D(2026, 3, 1),
        amount=Decimal("5000.00"),
        rep=rep,
    )


def march_page(login, boss):
    return login(boss).get(reverse("finance-collection-targets") + "?period=month&day=2026-03-01")


def test_tiny_sales_against_old_money_read_beyond_999_percent_with_why(org, boss, rep, login):
    # given: 4745 collected in March (older invoices) against 100 of March sales
    customer = CustomerFactory(org=org, owner=rep)
    posted_invoice(org=org, actor=boss, customer=customer, amount=Decimal("100.00"), date=TODAY)
    pay(org, boss, customer, "4745.00", D(2026, 3, 10))
    target(org, boss, rep)

    # when
    [row] = target_report(boss, period_kind=PeriodKind.MONTH, day=TODAY, today=TODAY).reps
    response = march_page(login, boss)

    # then: the definition stands (4745 %), the page says it honestly
    assert (row.collection_rate, row.rate_beyond_shown, row.has_no_sales) == (
        Decimal("4745.0"),
        True,
        False,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "&gt;999%" in page
    assert "4745.0%" not in page
    assert "(mostly older invoices)" in page
    assert 'data-testid="collection-rate-why"' in page


def test_no_sales_in_the_period_reads_a_dash_with_why(org, boss, rep, login):
    # given: money collected in March, nothing invoiced in March
    customer = CustomerFactory(org=org, owner=rep)
    posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("800.00"), date=D(2026, 2, 2)
    )
    pay(org, boss, customer, "800.00", D(2026, 3, 10))
    target(org, boss, rep)

    # when
    [row] = target_report(boss, period_kind=PeriodKind.MONTH, day=TODAY, today=TODAY).reps
    page = march_page(login, boss).content.decode()

    # then
    assert (row.collection_rate, row.has_no_sales, row.rate_beyond_shown) == (None, True, False)
    assert "with no sales in the period: it paid older invoices." in page
    assert 'data-testid="collection-rate-why"' in page


def test_an_ordinary_rate_reads_as_it_is(org, boss, rep, login):
    # given: 450 collected against 900 of sales
    customer = CustomerFactory(org=org, owner=rep)
    posted_invoice(org=org, actor=boss, customer=customer, amount=Decimal("900.00"), date=TODAY)
    pay(org, boss, customer, "450.00", D(2026, 3, 10))
    target(org, boss, rep)

    # when
    page = march_page(login, boss).content.decode()

    # then
    assert "50.0%" in page
    assert 'data-testid="collection-rate-why"' not in page


def test_exactly_999_percent_is_still_shown(org, boss, rep):
    customer = CustomerFactory(org=org, owner=rep)
    posted_invoice(org=org, actor=boss, customer=customer, amount=Decimal("100.00"), date=TODAY)
    pay(org, boss, customer, "999.00", D(2026, 3, 10))
    target(org, boss, rep)

    [row] = target_report(boss, period_kind=PeriodKind.MONTH, day=TODAY, today=TODAY).reps

    assert (row.collection_rate, row.rate_beyond_shown) == (Decimal("999.0"), False)
