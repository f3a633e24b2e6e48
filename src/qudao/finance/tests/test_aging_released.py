"""The aging report as of a past date when a later credit note gave back what paid an invoice
(a released allocation): the release counts from the credit note's date, so the report as of
any date equals what it showed on that date."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from qudao.core.money import ZERO, quantize
from qudao.finance import balances
from qudao.finance.aging import AgingGroup, aging_report, bucket_of
from qudao.finance.models import Allocation, Invoice
from qudao.finance.tests.factories import posted_invoice
from qudao.finance.tests.test_aging import AS_OF, amounts, credit, days_ago, due, pay
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def buckets(boss, as_of: datetime.date) -> list[tuple[Decimal, ...]]:
    return [row.buckets for row in aging_report(boss, as_of=as_of).rows]


def test_a_paid_invoice_credited_later_is_settled_between_the_payment_and_the_credit_note(
    org, boss
):
    # given: invoiced (due) 60 days ago, paid 40 days ago, credited in full 20 days ago
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 60, "100.00")
    pay(org, boss, invoice, "100.00", days_ago(40))
    credit(org, boss, invoice, "100.00", days_ago(20))
    released = Allocation.objects.get(invoice=invoice, credit_note__isnull=False)
    assert released.amount == Decimal("-100.00")  # the money went back to the balance
    assert balances.prepayment_balance(customer) == Decimal("100.00")

    # when / then: before the payment it was open, 10 days overdue
    assert buckets(boss, days_ago(50)) == [amounts("0", "100.00", "0", "0", "0")]
    # between the payment and the credit note it was paid: nothing open
    assert buckets(boss, days_ago(30)) == []
    assert buckets(boss, days_ago(21)) == []
    # on and after the credit note it is cancelled: nothing open
    assert buckets(boss, days_ago(20)) == []
    assert buckets(boss, AS_OF) == []


def test_a_partial_credit_beyond_what_is_open_gives_back_part_of_the_payment(org, boss):
    # given: 100 due 70 days ago, 60 paid 50 days ago, 70 credited 30 days ago (40 was open:
    # 30 of the payment goes back to the prepayment balance)
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 70, "100.00")
    pay(org, boss, invoice, "60.00", days_ago(50))
    credit(org, boss, invoice, "70.00", days_ago(30))
    assert Allocation.objects.get(credit_note__isnull=False).amount == Decimal("-30.00")

    # when / then
    assert buckets(boss, days_ago(60)) == [amounts("0", "100.00", "0", "0", "0")]
    assert buckets(boss, days_ago(40)) == [amounts("0", "40.00", "0", "0", "0")]
    assert buckets(boss, days_ago(31)) == [amounts("0", "0", "40.00", "0", "0")]
    assert buckets(boss, days_ago(30)) == []
    assert buckets(boss, AS_OF) == []


def test_a_backdated_credit_note_never_undoes_a_payment_before_it_was_made(org, boss):
    # given: due 60 days ago, paid 40 days ago, then a credit note dated 50 days ago (before
    # the payment) credits it in full and gives the payment back
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 60, "100.00")
    pay(org, boss, invoice, "100.00", days_ago(40))
    credit(org, boss, invoice, "100.00", days_ago(50))

    # when / then: open before the credit note; credited from then on, the payment before
    # and after it gave back changes nothing
    assert buckets(boss, days_ago(55)) == [amounts("0", "100.00", "0", "0", "0")]
    assert buckets(boss, days_ago(45)) == []
    assert buckets(boss, days_ago(35)) == []
    assert buckets(boss, AS_OF) == []


def test_every_grouping_agrees_on_a_released_allocation(org, boss):
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 60, "100.00")
    pay(org, boss, invoice, "100.00", days_ago(40))
    credit(org, boss, invoice, "30.00", days_ago(20))

    for as_of, total in ((days_ago(50), "100.00"), (days_ago(30), "0"), (AS_OF, "0")):
        for group in AgingGroup:
            report = aging_report(boss, as_of=as_of, group_by=group)
            assert report.total == Decimal(total), (as_of, group)


def test_giving_back_two_payments_in_full_leaves_the_counters_exactly_at_zero(org, boss):
    # given: two payments on one invoice (SQLite adds them in binary floating point)
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 0, "987.19")
    credit(org, boss, invoice, "9.87", AS_OF)
    pay(org, boss, invoice, "449.57", AS_OF)
    pay(org, boss, invoice, "5.28", AS_OF)

    # when: the rest is credited, giving both payments back
    credit(org, boss, invoice, "977.32", AS_OF)

    # then
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_credited, invoice.status) == (
        Decimal("0.00"),
        Decimal("987.19"),
        "cancelled",
    )
    assert balances.prepayment_balance(customer) == Decimal("454.85")


def test_a_payment_already_given_back_is_not_given_back_again_as_zero(org, boss):
    # given: found by the random test below; two payments and four credit notes on one invoice,
    # the last ones giving back what is left of payments already given back in full
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 0, "987.19")
    for is_payment, percent in (
        (False, 83),
        (True, 46),
        (True, 69),
        (False, 46),
        (False, 15),
        (False, 1),
    ):
        invoice.refresh_from_db()
        room = invoice.open_amount if is_payment else invoice.total - invoice.amount_credited
        part = quantize(room * percent / 100)
        if part > 0:
            (pay if is_payment else credit)(org, boss, invoice, str(part), AS_OF)

    # then: no allocation of nothing, and the counters agree with the allocations
    assert not Allocation.objects.filter(amount=0).exists()
    invoice.refresh_from_db()
    allocated = sum((a.amount for a in invoice.allocations.all()), ZERO)
    assert invoice.amount_paid == allocated


# ---------------------------------------------------------------------------------------------
# On random data: equal to a naive computation in Python that dates each allocation by its
# payment, and each released one by its credit note (never before its payment)


def naive_report(org: Organization, as_of: datetime.date, edges: tuple[int, ...]) -> dict:
    result: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * (len(edges) + 2))
    for invoice in Invoice.objects.filter(kind="invoice", posted_at__isnull=False, date__lte=as_of):
        credited = sum(
            (n.total for n in invoice.credit_notes.all() if n.posted_at and n.date <= as_of),
            ZERO,
        )
        paid = ZERO
        for allocation in invoice.allocations.select_related("payment", "credit_note"):
            effective = allocation.payment.date
            if allocation.credit_note is not None:
                effective = max(effective, allocation.credit_note.date)
            if effective <= as_of:
                paid += allocation.amount
        left = invoice.total - credited - paid
        if left > 0:
            result[invoice.customer_id][bucket_of((as_of - invoice.due_date).days, edges)] += left
    return {key: tuple(quantize(v) for v in values) for key, values in result.items()}


scenario = st.fixed_dictionaries(
    {
        "invoices": st.lists(
            st.tuples(
                st.integers(0, 1),  # customer
                st.integers(1, 99_999),  # fen
                st.integers(0, 120),  # days before AS_OF
            ),
            min_size=1,
            max_size=5,
        ),
        "moves": st.lists(
            st.tuples(
                st.integers(0, 4),  # which invoice
                st.booleans(),  # payment, or credit note (maybe on what is already paid)
                st.integers(1, 100),  # percent of what may still be paid / credited
                st.integers(0, 120),  # days before AS_OF
            ),
            max_size=8,
        ),
        "as_of_back": st.integers(0, 100),
    }
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=scenario)
def test_the_report_as_of_any_date_equals_a_naive_computation(org, boss, data):
    edges = (30, 60, 90)
    with transaction.atomic():
        customers = [CustomerFactory(org=org) for _ in range(2)]
        invoices = [
            posted_invoice(
                org=org,
                actor=boss,
                customer=customers[who],
                amount=Decimal(fen) / 100,
                date=days_ago(back),
            )
            for who, fen, back in data["invoices"]
        ]
        for which, is_payment, percent, back in data["moves"]:
            invoice = invoices[which % len(invoices)]
            invoice.refresh_from_db()
            # a payment takes part of what is open; a credit note part of what is left to
            # credit, so it may give back what paid the invoice
            room = invoice.open_amount if is_payment else invoice.total - invoice.amount_credited
            part = quantize(room * percent / 100)
            if part <= 0:
                continue
            on = max(days_ago(back), invoice.date)
            (pay if is_payment else credit)(org, boss, invoice, str(part), on)
        as_of = days_ago(data["as_of_back"])

        report = aging_report(boss, as_of=as_of, edges=edges)

        assert {row.key: row.buckets for row in report.rows} == naive_report(org, as_of, edges)
        for group in (AgingGroup.OWNER, AgingGroup.TERRITORY, AgingGroup.BRAND):
            grouped = aging_report(boss, as_of=as_of, edges=edges, group_by=group)
            assert (grouped.totals, grouped.total) == (report.totals, report.total)
        transaction.set_rollback(True)
