"""Collection targets: a rep's collected vs target and collection rate, a manufacturer's paid
vs target, forecast from due dates; setting targets and refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.models import BANK, PAYABLE, CollectionTarget, PeriodKind
from qudao.finance.targets import SUPPLIER_PAYMENT_SOURCE, period_bounds, target_report
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory, SupplierFactory
from qudao.tenancy.roles import Role

D = datetime.date
TODAY = D(2026, 3, 20)


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        (PeriodKind.MONTH, D(2026, 2, 1), D(2026, 2, 28)),
        (PeriodKind.QUARTER, D(2026, 1, 1), D(2026, 3, 31)),
        (PeriodKind.YEAR, D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_period_bounds(kind, start, end):
    assert period_bounds(kind, D(2026, 2, 14)) == (start, end)


def pay(org, boss, customer, amount, day):
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(customer.pk, day, Decimal(amount), "bank_transfer"),
    )


def test_a_reps_target_shows_collected_rate_still_needed_and_forecast(org, boss, rep):
    # given: March sales of 1000 (less a 100 credit note), 450 collected in March
    customer = CustomerFactory(org=org, owner=rep)
    march = posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("1000.00"), date=D(2026, 3, 2)
    )
    services.credit_invoice(
        org=org,
        actor=boss,
        invoice=march,
        reason="退货",
        lines=[services.LineData("退货", Decimal("1"), Decimal("100.00"), Decimal("0"))],
        date=D(2026, 3, 5),
    )
    pay(org, boss, customer, "400.00", D(2026, 3, 10))
    pay(org, boss, customer, "50.00", D(2026, 3, 15))
    pay(org, boss, customer, "999.00", D(2026, 2, 15))  # February: not this period
    posted_invoice(  # due in April: not in the March forecast
        org=org, actor=boss, customer=customer, amount=Decimal("70.00"), date=D(2026, 4, 2)
    )
    services.set_collection_target(
        org=org,
        actor=boss,
        period_kind=PeriodKind.MONTH,
        day=D(2026, 3, 9),
        amount=Decimal("800.00"),
        rep=rep,
    )

    # when
    report = target_report(boss, period_kind=PeriodKind.MONTH, day=D(2026, 3, 1), today=TODAY)

    # then: the march invoice is open for 900; nothing was allocated to it
    [row] = report.reps
    assert (row.collected, row.sales, row.collection_rate) == (
        Decimal("450.00"),
        Decimal("900.00"),
        Decimal("50.0"),
    )
    # the forecast weighs it by the customer's habit: its only history is this very invoice,
    # still unpaid 18 days after its due date, so nothing more is expected by March 31
    # (test_behaviour.py has the forecast with a real history)
    assert (row.still_needed, row.due_by_end, row.expected_by_end, row.forecast) == (
        Decimal("350.00"),
        Decimal("900.00"),
        Decimal("0.00"),
        Decimal("450.00"),
    )


def test_a_manufacturers_target_counts_supplier_payments_of_the_period(org, boss):
    maker = SupplierFactory(org=org)

    def supplier_payment(amount, day):
        # what purchasing's supplier payment posts: Dr payables (the supplier), Cr bank
        services.post_entry(
            org=org,
            actor=boss,
            date=day,
            memo="付款",
            postings=[
                services.Posting(PAYABLE, debit=Decimal(amount), party=maker),
                services.Posting(BANK, credit=Decimal(amount)),
            ],
            source_type=SUPPLIER_PAYMENT_SOURCE,
            source_id=1,
        )

    supplier_payment("3000.00", D(2026, 2, 10))
    supplier_payment("500.00", D(2026, 4, 10))
    services.set_collection_target(
        org=org,
        actor=boss,
        period_kind=PeriodKind.QUARTER,
        day=D(2026, 1, 1),
        amount=Decimal("10000.00"),
        supplier=maker,
    )

    [row] = target_report(
        boss, period_kind=PeriodKind.QUARTER, day=D(2026, 2, 1), today=TODAY
    ).suppliers

    assert (row.paid, row.still_needed, row.progress) == (
        Decimal("3000.00"),
        Decimal("7000.00"),
        Decimal("30.0"),
    )


def test_setting_a_target_again_replaces_it(org, boss, rep):
    for amount in ("100.00", "250.00"):
        services.set_collection_target(
            org=org,
            actor=boss,
            period_kind=PeriodKind.YEAR,
            day=D(2026, 6, 1),
            amount=Decimal(amount),
            rep=rep,
        )
    target = CollectionTarget.objects.get()
    assert (target.amount, target.period_start) == (Decimal("250.00"), D(2026, 1, 1))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"amount": Decimal("-1")}, "invalid_amount"),
        ({"period_kind": "week"}, "invalid_period"),
        ({"rep": None}, "invalid_target"),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_written(org, boss, rep, fields, code):
    arguments = {
        "period_kind": PeriodKind.MONTH,
        "day": D(2026, 3, 1),
        "amount": Decimal("10.00"),
        "rep": rep,
    } | fields
    with pytest.raises(BusinessRuleViolation) as refused:
        services.set_collection_target(org=org, actor=boss, **arguments)
    assert refused.value.code == code
    assert CollectionTarget.objects.count() == 0


def test_a_rep_cannot_set_targets_and_sees_only_their_own(org, boss, rep, member, login):
    other = member(Role.SALES_REP)
    for who in (rep, other):
        services.set_collection_target(
            org=org,
            actor=boss,
            period_kind=PeriodKind.MONTH,
            day=D(2026, 3, 1),
            amount=Decimal("10.00"),
            rep=who,
        )
    client = login(rep)

    page = client.get(
        reverse("finance-collection-targets"), {"period": "month", "day": "2026-03-01"}
    )
    refused = client.post(reverse("finance-collection-target-set"), {})

    assert [row.target.rep for row in page.context["report"].reps] == [rep]
    assert page.context["report"].suppliers == []
    assert refused.status_code == 403


def test_finance_sets_a_target_through_the_page(org, member, rep, login):
    client = login(member(Role.FINANCE))

    response = client.post(
        reverse("finance-collection-target-set"),
        {"period_kind": "quarter", "day": "2026-05-20", "rep": rep.pk, "amount": "5000.00"},
    )
    page = client.get(response.url)

    target = CollectionTarget.objects.get()
    assert (target.period_start, target.amount) == (D(2026, 4, 1), Decimal("5000.00"))
    assert page.status_code == 200
    assert "¥5,000.00" in page.content.decode()
