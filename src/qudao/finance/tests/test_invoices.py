"""Invoices and credit notes: totals from rounded lines, posting, numbering, terms, fapiao."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.models import Invoice, InvoiceStatus, JournalEntry
from qudao.finance.selectors import party_balance
from qudao.finance.services import (
    LineData,
    create_invoice,
    credit_invoice,
    post_invoice,
    record_fapiao,
    set_terms,
)
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory, SupplierFactory
from qudao.tenancy.models import Event

DAY = datetime.date(2026, 1, 10)


def test_totals_are_the_sum_of_rounded_lines(org, boss):
    # given three lines whose exact products would round differently as a whole
    customer = CustomerFactory(org=org)
    lines = [LineData("瓶装水", Decimal("3"), Decimal("0.3350"), Decimal("0.13"))] * 3

    # when
    invoice = create_invoice(org=org, actor=boss, customer=customer, date=DAY, lines=lines)

    # then: each line 1.01 (1.005 half-up), tax 0.13 each
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("3.03"),
        Decimal("0.39"),
        Decimal("3.42"),
    )
    assert (invoice.status, invoice.number) == (InvoiceStatus.DRAFT, "")


def test_posting_numbers_dates_and_books_the_invoice(org, boss):
    # given
    customer = CustomerFactory(org=org)
    set_terms(
        org=org, actor=boss, customer=customer, payment_term_days=30, credit_limit=Decimal("0")
    )
    draft = create_invoice(
        org=org,
        actor=boss,
        customer=customer,
        date=DAY,
        lines=[LineData("货品", Decimal("2"), Decimal("50"), Decimal("0.13"))],
    )

    # when
    invoice = post_invoice(org=org, actor=boss, invoice=draft)
    second = posted_invoice(org=org, actor=boss, customer=customer)

    # then
    assert (invoice.number, second.number) == ("INV2026-000001", "INV2026-000002")
    assert invoice.due_date == datetime.date(2026, 2, 9)
    assert sorted(invoice.journal_entry.lines.values_list("account__code", "debit", "credit")) == [
        ("1122", Decimal("113.00"), Decimal("0.00")),
        ("22210102", Decimal("0.00"), Decimal("13.00")),
        ("6001", Decimal("0.00"), Decimal("100.00")),
    ]
    assert party_balance(customer) == Decimal("213.00")


def test_posting_twice_is_refused(org, boss):
    invoice = posted_invoice(org=org, actor=boss, customer=CustomerFactory(org=org))
    with pytest.raises(BusinessRuleViolation) as refused:
        post_invoice(org=org, actor=boss, invoice=invoice)
    assert refused.value.code == "invalid_transition"
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (LineData("", Decimal("1"), Decimal("1")), "description_required"),
        (LineData("x", Decimal("0"), Decimal("1")), "invalid_line"),
        (LineData("x", Decimal("1"), Decimal("-1")), "invalid_line"),
        (LineData("x", Decimal("1"), Decimal("1"), Decimal("0.9")), "invalid_tax_rate"),
        (LineData("x", Decimal("1"), Decimal("1"), product_id=987654), "unknown_product"),
    ],
)
def test_bad_lines_are_refused(org, boss, line, code):
    with pytest.raises(BusinessRuleViolation) as refused:
        create_invoice(
            org=org, actor=boss, customer=CustomerFactory(org=org), date=DAY, lines=[line]
        )
    assert refused.value.code == code
    assert Invoice.objects.count() == 0


def test_a_supplier_cannot_be_invoiced(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        create_invoice(
            org=org,
            actor=boss,
            customer=SupplierFactory(org=org),
            date=DAY,
            lines=[LineData("x", Decimal("1"), Decimal("1"))],
        )
    assert refused.value.code == "not_a_customer"


def test_fapiao_is_recorded_after_posting_and_audited(org, boss):
    invoice = posted_invoice(org=org, actor=boss, customer=CustomerFactory(org=org))

    record_fapiao(org=org, actor=boss, invoice=invoice, number="04400012345", date=DAY)

    invoice.refresh_from_db()
    assert (invoice.fapiao_number, invoice.fapiao_date, invoice.total) == (
        "04400012345",
        DAY,
        Decimal("100.00"),
    )
    assert Event.objects.filter(subject_id=invoice.pk, verb="fapiao_recorded").count() == 1


def test_a_partial_credit_note_reduces_the_balance_and_the_open_amount(org, boss):
    # given
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)

    # when
    note = credit_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="two bottles broken",
        lines=[LineData("破损", Decimal("1"), Decimal("30"), Decimal("0"))],
    )

    # then
    invoice.refresh_from_db()
    assert note.number.startswith("CN")
    assert (invoice.status, invoice.open_amount) == (InvoiceStatus.POSTED, Decimal("70.00"))
    assert party_balance(customer) == Decimal("70.00")


def test_a_full_credit_note_cancels_the_invoice(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)

    credit_invoice(org=org, actor=boss, invoice=invoice, reason="wrong customer")

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert party_balance(customer) == Decimal("0.00")


def test_a_credit_over_the_open_amount_is_refused(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)
    with pytest.raises(BusinessRuleViolation) as refused:
        credit_invoice(
            org=org,
            actor=boss,
            invoice=invoice,
            reason="x",
            lines=[LineData("x", Decimal("1"), Decimal("100.01"), Decimal("0"))],
        )
    assert refused.value.code == "credit_exceeds_open_amount"
    assert Invoice.objects.count() == 1
    assert party_balance(customer) == Decimal("100.00")


def test_terms_need_manage_credit(org, rep):
    with pytest.raises(PermissionDenied):
        set_terms(
            org=org,
            actor=rep,
            customer=CustomerFactory(org=org),
            payment_term_days=30,
            credit_limit=Decimal("0"),
        )
