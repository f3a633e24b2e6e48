"""The cash squeeze: DSO, DIO, DPO and CCC with the figures behind them, the 13 weeks of cash
in and out with the cumulative gap, and money tied up — on a small hand-built set of books."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.analytics.cash import cash_squeeze
from qudao.finance import services as finance
from qudao.finance.models import Invoice
from qudao.finance.tests.factories import posted_invoice
from qudao.inventory.services import MoveLine, move_stock
from qudao.parties.tests.factories import CustomerFactory
from qudao.purchasing import services as purchasing
from qudao.purchasing.models import PaymentCondition
from qudao.purchasing.payables.models import SupplierInvoice
from qudao.purchasing.tests.payables_factories import hand_invoice, supplier_payment
from qudao.tenancy.roles import Role

D = Decimal
T = timezone.localdate()


def day(offset: int) -> datetime.date:
    return T + datetime.timedelta(days=offset)


@pytest.fixture
def books(org, boss, supplier, beer, shelf):
    """Customer: 1000 invoiced on T-60 (due T-30, paid T-20), 3000 on T-10 (due T+20), of which
    500 by a bill maturing T+50. Supplier: 2000 billed T-40 and paid T-15, 1200 billed T-5 due
    T+10, our bill of 700 maturing T+35, a prepayment of 30 requested for T+60 (10 paid).
    Stock: 120 bottles received at 2.50, 48 shipped."""
    customer = CustomerFactory(org=org, name="老王超市")
    i0 = posted_invoice(org=org, actor=boss, customer=customer, amount=D("1000.00"), date=day(-60))
    Invoice.objects.filter(pk=i0.pk).update(due_date=day(-30))
    finance.receive_payment(
        org=org,
        actor=boss,
        data=finance.PaymentData(customer.pk, day(-20), D("1000.00"), "bank_transfer"),
        allocations=[finance.AllocationPart(i0.pk, D("1000.00"))],
    )
    i1 = posted_invoice(org=org, actor=boss, customer=customer, amount=D("3000.00"), date=day(-10))
    Invoice.objects.filter(pk=i1.pk).update(due_date=day(20))
    finance.receive_payment(
        org=org,
        actor=boss,
        data=finance.PaymentData(
            customer.pk,
            day(-3),
            D("500.00"),
            "acceptance_bill",
            bill_number="BA-9",
            bill_maturity=day(50),
        ),
        allocations=[finance.AllocationPart(i1.pk, D("500.00"))],
    )

    hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("2000.00"), date=day(-40))
    supplier_payment(
        org=org,
        actor=boss,
        supplier=supplier,
        amount=D("2000.00"),
        date=day(-15),
        auto_allocate=True,
    )
    s2 = hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("1200.00"), date=day(-5))
    SupplierInvoice.objects.filter(pk=s2.pk).update(due_date=day(10))
    purchasing.pay_supplier(
        org=org,
        actor=boss,
        data=purchasing.SupplierPaymentData(
            supplier_id=supplier.pk,
            date=day(-1),
            amount=D("700.00"),
            method="acceptance_bill",
            bill_number="OUR-1",
            bill_maturity=day(35),
        ),
    )
    on_terms = purchasing.create_order(
        org=org,
        actor=boss,
        data=purchasing.OrderData(
            supplier_id=supplier.pk, payment_condition=PaymentCondition.ON_TERMS
        ),
    )
    purchasing.set_order_line(
        org=org, actor=boss, order=on_terms, product_id=beer.pk, quantity=D(10), unit="箱"
    )
    on_terms = purchasing.confirm_order(org=org, actor=boss, order=on_terms)
    purchasing.post_receipt(
        org=org,
        actor=boss,
        order=on_terms,
        lines=[purchasing.ReceiptLineData(product_id=beer.pk, quantity=D(120))],
        location_id=shelf.pk,
    )
    move_stock(
        org=org,
        actor=boss,
        moves=[MoveLine(product_id=beer.pk, quantity=D(48), from_location_id=shelf.pk)],
        reason="shipment",
    )
    prepaid = purchasing.create_order(
        org=org,
        actor=boss,
        data=purchasing.OrderData(
            supplier_id=supplier.pk, payment_condition=PaymentCondition.PREPAYMENT
        ),
    )
    purchasing.set_order_line(
        org=org, actor=boss, order=prepaid, product_id=beer.pk, quantity=D(1), unit="箱"
    )
    prepaid = purchasing.confirm_order(org=org, actor=boss, order=prepaid)
    purchasing.request_prepayment(
        org=org, actor=boss, order=prepaid, amount=D("30.00"), due_on=day(60)
    )
    purchasing.record_prepayment(
        org=org, actor=boss, order=prepaid, amount=D("10.00"), paid_on=day(-2)
    )
    return customer


def test_the_ratios_and_the_figures_behind_them(books, django_assert_num_queries):
    # when
    with django_assert_num_queries(QUERIES):
        report = cash_squeeze(today=T, days=30)

    # then
    r = report.ratios
    assert (r.first, r.end) == (day(-29), T)
    # receivables: 1000 before the period, 2500 at the end; sales 3000 → 1750 / 3000 × 30
    assert (r.receivables.opening, r.receivables.closing, r.receivables.average, r.sales) == (
        D("1000.00"),
        D("2500.00"),
        D("1750.00"),
        D("3000.00"),
    )
    # stock: 0 before, 120 × 2.50 in, 48 × 2.50 out → 90 / 120 × 30
    assert (r.inventory.opening, r.inventory.closing, r.cost_of_goods_sold) == (
        D("0.00"),
        D("180.00"),
        D("120.00"),
    )
    # payables: 2000 before; 2000 − 2000 + 1200 − 700 (bill) − 10 (prepaid) = 490 → 1245 / 1200
    assert (r.payables.opening, r.payables.closing, r.payables.average, r.purchases) == (
        D("2000.00"),
        D("490.00"),
        D("1245.00"),
        D("1200.00"),
    )
    assert (r.dso, r.dio, r.dpo, r.ccc) == (D("17.5"), D("22.5"), D("31.1"), D("8.9"))


def test_the_next_13_weeks_and_the_cumulative_gap(books):
    # when
    report = cash_squeeze(today=T, days=30)

    # then: the customer pays 6.7 days late on average (10 days on 1000, early on 500), so the
    # 2500 due T+20 comes T+27 (week 3); the bill at T+50 (week 7); out: 1200 at T+10 (week 1),
    # our bill at T+35 (week 5), 20 of prepayment at T+60 (week 8)
    weeks = [
        (w.from_customers, w.from_bills, w.to_supplier_invoices, w.to_bills, w.to_prepayments)
        for w in report.weeks
    ]
    z = D("0.00")
    assert len(weeks) == 13
    assert weeks[1] == (z, z, D("1200.00"), z, z)
    assert weeks[3] == (D("2500.00"), z, z, z, z)
    assert weeks[5] == (z, z, z, D("700.00"), z)
    assert weeks[7] == (z, D("500.00"), z, z, z)
    assert weeks[8] == (z, z, z, z, D("20.00"))
    assert [w.cumulative for w in report.weeks] == [
        D(x)
        for x in (
            "0.00",
            "-1200.00",
            "-1200.00",
            "1300.00",
            "1300.00",
            "600.00",
            "600.00",
            "1100.00",
            "1080.00",
            "1080.00",
            "1080.00",
            "1080.00",
            "1080.00",
        )
    ]
    assert (report.deepest_gap, report.not_expected) == (D("-1200.00"), z)
    assert (report.weeks[0].start, report.weeks[-1].end) == (T, day(90))


def test_money_tied_up(books):
    tied = cash_squeeze(today=T, days=30).tied_up
    assert (
        tied.prepayments_to_suppliers,
        tied.receivables_open,
        tied.receivables_overdue,
        tied.bills_receivable,
        tied.credit_extended,
    ) == (D("10.00"), D("2500.00"), D("0.00"), D("500.00"), D("3000.00"))


QUERIES = 18  # behaviour 3, projection 5, ratios 6, tied up 4: none per row


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.BOSS, 200),
        (Role.FINANCE, 200),
        (Role.SALES_REP, 403),
        (Role.READONLY, 403),
        (Role.WAREHOUSE, 403),
    ],
)
def test_the_page_and_its_export_by_role(org, member, login, role, status):
    client = login(member(role))
    page = client.get(reverse("analytics-cash-squeeze") + "?days=30")
    export = client.get(reverse("analytics-cash-squeeze-export") + "?days=30")
    assert (page.status_code, export.status_code) == (status, status)
    if status == 200:
        assert 'id="chart-cash-gap"' in page.content.decode()
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
