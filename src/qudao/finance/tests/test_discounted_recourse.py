"""A bill discounted at a bank (贴现) keeps counting in the customer's credit exposure until its
maturity, like an endorsed one: the discounting bank has recourse to us (有追索权) until the
accepting bank pays. A bill paid by the bank at maturity stops counting at once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from qudao.finance.credit import credit_exposure
from qudao.finance.models import BillClearing, ClearingKind, Payment
from qudao.finance.services import PaymentData, clear_bill, receive_payment
from qudao.parties.tests.factories import CustomerFactory

D = Decimal
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def bill(org, actor, customer, amount="1000.00", received=-5, matures=30, number="BA-1"):
    payment, _created = receive_payment(
        org=org,
        actor=actor,
        data=PaymentData(
            customer_id=customer.pk,
            date=days(received),
            amount=D(amount),
            method="acceptance_bill",
            bill_number=number,
            bill_maturity=days(matures),
        ),
    )
    return payment


def discount(org, actor, paid, date=TODAY, proceeds="990.00"):
    return clear_bill(
        org=org,
        actor=actor,
        payment=paid,
        kind=ClearingKind.DISCOUNTED,
        date=date,
        proceeds=D(proceeds),
    )


def test_a_discounted_bill_counts_until_its_maturity_and_not_after(org, boss):
    # given: a bill of 1000 maturing in 30 days
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, matures=30)
    assert credit_exposure(customer).bills_not_cleared == D("1000.00")

    # when: discounted today
    discount(org, boss, paid)

    # then: it counts today and on its maturity day, not the day after
    assert credit_exposure(customer).bills_not_cleared == D("1000.00")
    assert credit_exposure(customer, today=days(30)).bills_not_cleared == D("1000.00")
    assert credit_exposure(customer, today=days(31)).bills_not_cleared == D("0.00")


def test_a_bill_discounted_earlier_and_now_past_maturity_no_longer_counts(org, boss):
    # given: one bill discounted 20 days ago that matured yesterday, one discounted and open
    customer = CustomerFactory(org=org)
    matured = bill(org, boss, customer, amount="400.00", received=-40, matures=-1, number="BA-OLD")
    running = bill(org, boss, customer, amount="600.00", matures=10, number="BA-RUN")

    # when
    discount(org, boss, matured, date=days(-20), proceeds="395.00")
    discount(org, boss, running, proceeds="590.00")

    # then: only the one still maturing counts
    assert credit_exposure(customer).bills_not_cleared == D("600.00")


def test_a_bill_paid_by_the_bank_stops_counting_at_once(org, boss):
    # given: a bill maturing today
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, received=-30, matures=0)

    # when
    clear_bill(org=org, actor=boss, payment=paid, kind=ClearingKind.MATURED, date=TODAY)

    # then
    assert credit_exposure(customer).bills_not_cleared == D("0.00")


def test_ends_exposure_agrees_with_the_exposure_query(org, boss):
    # given: a discounted bill before and after its maturity, and one paid by the bank
    customer = CustomerFactory(org=org)
    discounted = bill(org, boss, customer, matures=30, number="BA-DISC")
    paid = bill(org, boss, customer, amount="300.00", received=-30, matures=0, number="BA-PAID")
    discount(org, boss, discounted)
    clear_bill(org=org, actor=boss, payment=paid, kind=ClearingKind.MATURED, date=TODAY)

    def ended(on: datetime.date) -> set[str]:
        clearings = BillClearing.objects.filter(BillClearing.ends_exposure(on))
        return set(
            Payment.objects.filter(bill_clearings__in=clearings).values_list(
                "bill_number", flat=True
            )
        )

    # then
    assert ended(TODAY) == {"BA-PAID"}
    assert ended(days(31)) == {"BA-PAID", "BA-DISC"}


def test_the_bills_pages_say_a_discounted_bill_keeps_recourse_until_maturity(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, number="BA-DISC")
    discount(org, boss, paid)

    # when
    listing = login(boss).get(reverse("finance-bill-list"))
    detail = login(boss).get(reverse("finance-bill-detail", args=[paid.pk]))

    # then
    assert (listing.status_code, detail.status_code) == (200, 200)
    assert 'data-testid="discounted-recourse"' in listing.content.decode()
    assert "Discounted · recourse until maturity" in listing.content.decode()
    assert 'data-testid="recourse-note"' in detail.content.decode()
