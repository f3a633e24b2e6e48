"""Supplier invoices: drafts from receipts, posting to the ledger, the three-way match, credit
notes, prepayments taken on posting, and refusals that change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.models import JournalEntry, JournalLine
from qudao.purchasing import services
from qudao.purchasing.payables.models import (
    SupplierInvoice,
    SupplierInvoiceStatus,
    SupplierPayment,
)
from qudao.purchasing.payables.selectors import match_warnings, payable_balance
from qudao.purchasing.tests.payables_factories import hand_invoice
from qudao.tenancy.scoping import org_scope


def _postings(entry: JournalEntry) -> list[tuple[str, str, str, int | None]]:
    return sorted(
        (line.account.code, f"{line.debit}", f"{line.credit}", line.party_id)
        for line in entry.lines.select_related("account")
    )


def test_a_draft_from_a_receipt_bills_the_received_quantity_at_the_order_price(draft_invoice):
    # then
    line = draft_invoice.lines.get()
    assert (line.quantity, line.unit_price, line.amount, line.tax) == (
        Decimal("120.000"),
        Decimal("2.5000"),
        Decimal("300.00"),
        Decimal("39.00"),
    )
    assert (draft_invoice.status, draft_invoice.number, draft_invoice.total) == (
        "draft",
        "",
        Decimal("339.00"),
    )
    assert JournalEntry.objects.count() == 1  # only the receipt's GR/IR accrual


def test_posting_writes_a_balanced_entry_crediting_the_supplier_and_numbers_it(
    org, boss, supplier, draft_invoice
):
    # when
    invoice = services.post_supplier_invoice(org=org, actor=boss, invoice=draft_invoice)

    # then
    assert invoice.status == SupplierInvoiceStatus.POSTED
    assert invoice.number == f"SI{timezone.localdate().year}-000001"
    assert _postings(invoice.journal_entry) == [
        ("2202", "0.00", "339.00", supplier.pk),
        ("220202", "300.00", "0.00", supplier.pk),  # clears the receipt's GR/IR
        ("22210101", "39.00", "0.00", None),
    ]
    assert payable_balance(supplier) == Decimal("339.00")


def test_the_due_date_follows_the_order_term(org, boss, confirmed, draft_invoice):
    # given the order was placed on 30 days' terms
    type(confirmed).objects.filter(pk=confirmed.pk).update(term_days=30)

    # when
    invoice = services.post_supplier_invoice(org=org, actor=boss, invoice=draft_invoice)

    # then
    assert invoice.due_date == invoice.date + datetime.timedelta(days=30)
    assert invoice.term_days == 30


def test_a_hand_invoice_takes_the_supplier_terms(org, boss, supplier):
    # given
    services.set_supplier_terms(
        org=org, actor=boss, supplier=supplier, payment_condition="terms", term_days=45
    )

    # when
    invoice = hand_invoice(org=org, actor=boss, supplier=supplier)

    # then
    assert invoice.due_date == datetime.date(2026, 2, 24)


def test_an_invoice_that_agrees_has_no_match_warnings(draft_invoice):
    assert match_warnings(draft_invoice) == []


def test_the_three_way_match_explains_quantity_and_price_differences(org, boss, draft_invoice):
    # given the supplier billed 130 bottles at 2.6000 for the 120 received at 2.5000
    line = draft_invoice.lines.get()

    # when
    services.set_supplier_invoice_line(
        org=org,
        actor=boss,
        invoice=draft_invoice,
        line_id=line.pk,
        quantity=Decimal("130"),
        unit_price=Decimal("2.6"),
    )

    # then
    receipt = line.receipt_line.receipt
    order = line.receipt_line.order_line.order
    assert match_warnings(draft_invoice) == [
        f"BEER-1 雪花啤酒: 130 invoiced, but 120 received on {receipt.number}.",
        f"BEER-1 雪花啤酒: billed at 2.6000 a unit, ordered at 2.5000 on {order.number}.",
        f"BEER-1 雪花啤酒: 130 invoiced in all on {order.number}, more than the 120 ordered.",
    ]
    draft_invoice.refresh_from_db()
    assert draft_invoice.total == Decimal("381.94")  # 338.00 + 43.94 VAT


def test_a_receipt_billed_twice_is_pointed_out(org, boss, supplier, received, draft_invoice):
    # when
    second = services.create_supplier_invoice(
        org=org,
        actor=boss,
        data=services.InvoiceData(supplier_id=supplier.pk, date=timezone.localdate()),
        lines=services.lines_from_receipts([received]),
    )

    # then
    assert f"BEER-1 雪花啤酒 received on {received.number} is also billed on a draft." in (
        match_warnings(second)
    )


def test_posting_takes_the_prepayment_made_on_the_order(org, boss, supplier, confirmed, received):
    # given ¥100 prepaid on the order (posted at once: Dr payables, Cr bank)
    services.record_prepayment(
        org=org,
        actor=boss,
        order=confirmed,
        amount=Decimal("100.00"),
        paid_on=timezone.localdate(),
    )
    assert payable_balance(supplier) == Decimal("-100.00")
    invoice = services.create_supplier_invoice(
        org=org,
        actor=boss,
        data=services.InvoiceData(supplier_id=supplier.pk, date=timezone.localdate()),
        lines=services.lines_from_receipts([received]),
    )

    # when
    invoice = services.post_supplier_invoice(org=org, actor=boss, invoice=invoice)

    # then
    prepayment = SupplierPayment.objects.get()
    assert (invoice.amount_paid, invoice.open_amount) == (Decimal("100.00"), Decimal("239.00"))
    assert (prepayment.order_id, prepayment.unallocated) == (confirmed.pk, Decimal("0.00"))
    assert payable_balance(supplier) == Decimal("239.00")


def test_a_posted_invoice_is_not_changed_but_credited(org, boss, supplier, draft_invoice):
    # given
    invoice = services.post_supplier_invoice(org=org, actor=boss, invoice=draft_invoice)
    line = invoice.lines.get()
    with pytest.raises(BusinessRuleViolation) as refused:
        services.set_supplier_invoice_line(
            org=org,
            actor=boss,
            invoice=invoice,
            line_id=line.pk,
            quantity=Decimal(1),
            unit_price=Decimal(1),
        )
    assert refused.value.code == "not_draft"

    # when
    note = services.credit_supplier_invoice(org=org, actor=boss, invoice=invoice, reason="整单退回")

    # then
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_credited) == ("cancelled", Decimal("339.00"))
    assert note.number.startswith("SCN") and note.credited_invoice_id == invoice.pk
    assert _postings(note.journal_entry) == [
        ("2202", "339.00", "0.00", supplier.pk),
        ("220202", "0.00", "300.00", supplier.pk),  # the receipt is open again
        ("22210101", "0.00", "39.00", None),
    ]
    assert payable_balance(supplier) == Decimal("0.00")


def test_a_partial_credit_note_leaves_the_rest_open(org, boss, supplier):
    # given
    invoice = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("100.00"))

    # when
    services.credit_supplier_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="运费多收",
        lines=[
            services.InvoiceLineData(
                description="运费折让",
                quantity=Decimal(1),
                unit_price=Decimal("30"),
                tax_rate=Decimal(0),
            )
        ],
    )

    # then
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("posted", Decimal("70.00"))


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ({"quantity": Decimal("-1"), "unit_price": Decimal("1")}, "invalid_line"),
        ({"quantity": Decimal("1"), "unit_price": Decimal("-1")}, "invalid_line"),
        ({"quantity": Decimal("0.0001"), "unit_price": Decimal("1")}, "invalid_line"),
        (
            {"quantity": Decimal("1"), "unit_price": Decimal("1"), "tax_rate": Decimal("0.9")},
            "invalid_tax_rate",
        ),
        (
            {"quantity": Decimal("1"), "unit_price": Decimal("1"), "description": ""},
            "description_required",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(org, boss, supplier, line, code):
    # given
    values = {"description": "运费"} | line

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_supplier_invoice(
            org=org,
            actor=boss,
            data=services.InvoiceData(supplier_id=supplier.pk, date=timezone.localdate()),
            lines=[services.InvoiceLineData(**values)],
        )

    # then
    assert refused.value.code == code
    assert SupplierInvoice.objects.count() == 0


def test_an_invoice_dated_in_the_future_is_refused(org, boss, supplier):
    with pytest.raises(BusinessRuleViolation) as refused:
        hand_invoice(
            org=org,
            actor=boss,
            supplier=supplier,
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert refused.value.code == "future_date"
    assert SupplierInvoice.objects.count() == 0


def test_another_suppliers_receipt_cannot_be_billed(org, boss, received):
    # given
    other = SupplierFactory(code="S-OTHER")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_supplier_invoice(
            org=org,
            actor=boss,
            data=services.InvoiceData(supplier_id=other.pk, date=timezone.localdate()),
            lines=services.lines_from_receipts([received]),
        )

    # then
    assert refused.value.code == "receipt_not_found"
    assert SupplierInvoice.objects.count() == 0


def test_another_organizations_receipt_and_supplier_are_unknown(org, boss, received, other_org):
    # given a supplier of another organization
    with org_scope(other_org):
        foreign = SupplierFactory(org=other_org, code="S-FOREIGN")

    # when / then
    with pytest.raises(BusinessRuleViolation) as refused:
        hand_invoice(org=org, actor=boss, supplier=foreign)
    assert refused.value.code == "supplier_not_found"
    assert SupplierInvoice.objects.count() == 0


def test_warehouse_may_not_enter_or_post_invoices(org, keeper, supplier):
    with pytest.raises(PermissionDenied):
        hand_invoice(org=org, actor=keeper, supplier=supplier)
    assert SupplierInvoice.objects.count() == 0


def test_a_credit_beyond_what_is_open_is_refused_and_nothing_is_written(org, boss, supplier):
    # given
    invoice = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
    entries = JournalEntry.objects.count()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.credit_supplier_invoice(
            org=org,
            actor=boss,
            invoice=invoice,
            reason="多退",
            lines=[
                services.InvoiceLineData(
                    description="折让",
                    quantity=Decimal(1),
                    unit_price=Decimal("60"),
                    tax_rate=Decimal(0),
                )
            ],
        )

    # then
    assert refused.value.code == "credit_exceeds_open_amount"
    assert JournalEntry.objects.count() == entries
    assert SupplierInvoice.objects.count() == 1
    assert JournalLine.objects.filter(entry__source_id=invoice.pk).count() == 2


def test_goods_sent_back_cannot_be_billed(org, boss, supplier, received):
    # given the receipt was reversed (the goods went back to the supplier)
    services.reverse_receipt(org=org, actor=boss, receipt=received, note="退回")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_supplier_invoice(
            org=org,
            actor=boss,
            data=services.InvoiceData(supplier_id=supplier.pk, date=timezone.localdate()),
            lines=services.lines_from_receipts([received]),
        )

    # then
    assert refused.value.code == "receipt_not_found"
    assert SupplierInvoice.objects.count() == 0
