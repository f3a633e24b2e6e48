"""Payment behaviour: amount-weighted days late, the share collected within the horizon, the
organization's average for customers without history, and receipts expected from it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from qudao.finance import services
from qudao.finance.behaviour import (
    expected_receipts,
    months_before,
    open_by_due_date,
    payment_behaviour,
)
from qudao.finance.models import Invoice
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory

D = datetime.date
AS_OF = D(2026, 6, 30)


def invoice(org, boss, customer, amount, due):
    made = posted_invoice(org=org, actor=boss, customer=customer, amount=Decimal(amount), date=due)
    Invoice.objects.filter(pk=made.pk).update(due_date=due)
    return made


def pay(org, boss, customer, day, *parts):
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(
            customer.pk, day, sum((Decimal(a) for _i, a in parts), Decimal(0)), "bank_transfer"
        ),
        allocations=[services.AllocationPart(i.pk, Decimal(a)) for i, a in parts],
    )


def history(org, boss):
    a, b, c = (CustomerFactory(org=org) for _ in range(3))
    a1 = invoice(org, boss, a, "1000.00", D(2026, 3, 1))
    pay(org, boss, a, D(2026, 3, 11), (a1, "600.00"))  # 10 days late, within 30
    pay(org, boss, a, D(2026, 4, 20), (a1, "400.00"))  # 50 days late
    a2 = invoice(org, boss, a, "500.00", D(2026, 6, 20))  # due too late for the share
    pay(org, boss, a, D(2026, 6, 15), (a2, "500.00"))  # early: 0 days late
    a3 = invoice(org, boss, a, "300.00", D(2026, 5, 1))
    pay(org, boss, a, D(2026, 7, 5), (a3, "300.00"))  # after as_of: not seen
    b1 = invoice(org, boss, b, "200.00", D(2026, 4, 10))
    pay(org, boss, b, D(2026, 4, 10), (b1, "200.00"))
    old = invoice(org, boss, b, "900.00", D(2025, 11, 1))  # before the lookback window
    pay(org, boss, b, D(2025, 12, 20), (old, "900.00"))
    return a, b, c


def test_months_before_clamps_to_the_last_day():
    assert months_before(D(2026, 8, 31), 6) == D(2026, 2, 28)
    assert months_before(D(2026, 6, 30), 6) == D(2025, 12, 30)


def test_days_late_and_collected_share_per_customer_with_the_org_average(
    org, boss, django_assert_num_queries
):
    # given
    a, b, c = history(org, boss)

    # when
    with django_assert_num_queries(3):
        found = payment_behaviour(as_of=AS_OF, within_days=30, months=6)

    # then: A (600×10 + 400×50 + 500×0) / 1500 = 17.3 days; 600 of 1300 in 30 days
    assert (found.of(a.pk).days_late, found.of(a.pk).collected_share) == (
        Decimal("17.3"),
        Decimal("0.4615"),
    )
    assert (found.of(b.pk).days_late, found.of(b.pk).collected_share) == (
        Decimal("0.0"),
        Decimal("1.0000"),
    )
    # the organization: 26000 / 1700 = 15.3 days; (600 + 200) / (1300 + 200)
    assert found.average.days_late == Decimal("15.3")
    assert found.average.collected_share == Decimal("0.5333")
    assert found.of(c.pk) == found.average
    assert found.of(a.pk).own_lateness and not found.of(c.pk).own_lateness


def test_without_any_history_due_dates_hold_and_everything_is_collected(org, boss):
    found = payment_behaviour(as_of=AS_OF)
    assert (found.average.days_late, found.average.collected_share) == (
        Decimal("0.0"),
        Decimal("1.0000"),
    )


def test_expected_receipts_shift_by_habit_and_weight_by_share(org, boss):
    # given
    a, b, c = history(org, boss)
    invoice(org, boss, a, "100.00", D(2026, 6, 25))
    invoice(org, boss, b, "50.00", D(2026, 6, 1))  # overdue: expected today at the earliest
    invoice(org, boss, c, "1000.00", D(2026, 7, 10))
    behaviour = payment_behaviour(as_of=AS_OF, within_days=30, months=6)

    # when
    found = expected_receipts(open_by_due_date(Invoice.objects.all()), behaviour, today=AS_OF)

    # then
    assert [(r.customer_id, r.open_amount, r.expected_on, r.expected_amount) for r in found] == [
        (b.pk, Decimal("50.00"), D(2026, 6, 30), Decimal("50.00")),
        (a.pk, Decimal("100.00"), D(2026, 7, 12), Decimal("46.15")),
        (c.pk, Decimal("1000.00"), D(2026, 7, 25), Decimal("533.30")),
    ]


def test_a_reps_forecast_uses_the_customers_habit(org, boss, rep):
    # given: a customer paying 10 and 27 days late, one of them within 11 days of its due date
    from qudao.finance.models import PeriodKind
    from qudao.finance.targets import target_report

    today = D(2026, 3, 20)
    customer = CustomerFactory(org=org, owner=rep, name="老王超市")
    h1 = invoice(org, boss, customer, "1000.00", D(2026, 1, 10))
    pay(org, boss, customer, D(2026, 1, 20), (h1, "1000.00"))
    h2 = invoice(org, boss, customer, "1000.00", D(2026, 2, 1))
    pay(org, boss, customer, D(2026, 2, 28), (h2, "1000.00"))
    invoice(org, boss, customer, "500.00", D(2026, 3, 5))  # expected 3-24: in March
    invoice(org, boss, customer, "400.00", D(2026, 3, 25))  # expected 4-13: pushed out
    services.set_collection_target(
        org=org,
        actor=boss,
        period_kind=PeriodKind.MONTH,
        day=today,
        amount=Decimal("1000.00"),
        rep=rep,
    )

    # when
    [row] = target_report(boss, period_kind=PeriodKind.MONTH, day=today, today=today).reps

    # then: 18.5 days late (shift 19); of the 2500 due by 3-9, 1000 came within 11 days
    assert (row.collected, row.due_by_end, row.expected_by_end, row.forecast) == (
        Decimal("0.00"),
        Decimal("900.00"),
        Decimal("200.00"),
        Decimal("200.00"),
    )
    [reason] = row.reasons
    assert (
        reason.customer.name,
        reason.behaviour.days_late,
        reason.behaviour.collected_share,
        reason.open_amount,
        reason.first_expected_on,
        reason.expected_by_end,
    ) == (
        "老王超市",
        Decimal("18.5"),
        Decimal("0.4000"),
        Decimal("900.00"),
        D(2026, 3, 24),
        Decimal("200.00"),
    )
