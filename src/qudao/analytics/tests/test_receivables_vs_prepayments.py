"""The cash squeeze counts as receivables only what customers owe: a customer who paid ahead
does not lower what the others owe. Its money is a prepayment held (预收款), a liability shown
on its own line, and DSO uses the receivables alone."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from qudao.analytics.cash import ratios
from qudao.finance import services as finance
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory

D = Decimal
T = timezone.localdate()


def day(offset: int) -> datetime.date:
    return T + datetime.timedelta(days=offset)


def prepaid_and_owing(org, boss) -> None:
    """老王 owes 1000 from before the period and 2000 invoiced in it; 小李 paid 300 ahead
    before the period and 200 more in it, with nothing invoiced."""
    owing = CustomerFactory(org=org, name="老王超市")
    ahead = CustomerFactory(org=org, name="小李便利店")
    posted_invoice(org=org, actor=boss, customer=owing, amount=D("1000.00"), date=day(-60))
    posted_invoice(org=org, actor=boss, customer=owing, amount=D("2000.00"), date=day(-10))
    for date, amount in ((day(-40), "300.00"), (day(-5), "200.00")):
        finance.receive_payment(
            org=org,
            actor=boss,
            data=finance.PaymentData(ahead.pk, date, D(amount), "bank_transfer"),
        )


def test_a_prepayment_is_held_apart_and_does_not_lower_the_receivables(org, boss):
    # given
    prepaid_and_owing(org, boss)

    # when
    r = ratios(end=T, days=30)

    # then: receivables 1000 → 3000, prepayments held 300 → 500, never netted
    assert (r.receivables.opening, r.receivables.closing, r.receivables.average) == (
        D("1000.00"),
        D("3000.00"),
        D("2000.00"),
    )
    assert (r.prepayments_held.opening, r.prepayments_held.closing) == (D("300.00"), D("500.00"))
    # DSO on what customers owe: 2000 / 2000 × 30 (netted it would read 1600 / 2000 × 30 = 24)
    assert (r.sales, r.dso) == (D("2000.00"), D("30.0"))


def test_only_prepayments_read_as_no_receivables_not_negative_ones(org, boss):
    # given: money received ahead and nothing invoiced
    customer = CustomerFactory(org=org)
    finance.receive_payment(
        org=org,
        actor=boss,
        data=finance.PaymentData(customer.pk, day(-3), D("3181.00"), "bank_transfer"),
    )

    # when
    r = ratios(end=T, days=30)

    # then
    assert (r.receivables.closing, r.prepayments_held.closing, r.dso) == (
        D("0.00"),
        D("3181.00"),
        None,
    )


def test_the_page_shows_prepayments_held_on_their_own_line(org, boss, login):
    # given
    prepaid_and_owing(org, boss)

    # when
    response = login(boss).get(reverse("analytics-cash-squeeze") + "?days=30")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["r"].prepayments_held.closing == D("500.00")
    assert 'data-testid="prepayments-held-row"' in page
    assert "Receivables (what customers owe)" in page


def test_a_prepayment_to_one_supplier_does_not_lower_what_we_owe_another(org, boss, supplier, beer):
    # given: we owe 老厂 1000, and paid the beer's supplier 300 ahead on a purchase order
    from qudao.parties.tests.factories import SupplierFactory
    from qudao.purchasing import services as purchasing
    from qudao.purchasing.models import PaymentCondition
    from qudao.purchasing.tests.payables_factories import hand_invoice

    owed = SupplierFactory(org=org, name="老厂")
    hand_invoice(org=org, actor=boss, supplier=owed, amount=D("1000.00"), date=day(-10))
    terms = purchasing.OrderData(
        supplier_id=supplier.pk, payment_condition=PaymentCondition.PREPAYMENT
    )
    order = purchasing.create_order(org=org, actor=boss, data=terms)
    purchasing.set_order_line(
        org=org, actor=boss, order=order, product_id=beer.pk, quantity=D(10), unit="箱"
    )
    order = purchasing.confirm_order(org=org, actor=boss, order=order)
    purchasing.request_prepayment(org=org, actor=boss, order=order, amount=D("300.00"))
    purchasing.record_prepayment(
        org=org, actor=boss, order=order, amount=D("300.00"), paid_on=day(-2)
    )

    # when
    r = ratios(end=T, days=30)

    # then: payables are the 1000 we owe, not 700
    assert (r.payables.opening, r.payables.closing) == (D("0.00"), D("1000.00"))
