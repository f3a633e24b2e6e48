"""GR/IR (暂估入库): a goods receipt accrues at cost, the supplier invoice clears it with the price
difference to inventory, credit notes and reversals give it back, and the ledger agrees with
the receipts still open."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.finance.models import JournalEntry, JournalLine
from qudao.purchasing import services
from qudao.purchasing.models import GoodsReceipt
from qudao.purchasing.payables.accruals import (
    GRNI,
    find_problems,
    open_value,
    received_not_invoiced,
)
from qudao.tenancy.integrity import find_problems as all_problems

pytestmark = pytest.mark.django_db


def _postings(entry: JournalEntry) -> list[tuple[str, str, str, int | None]]:
    return sorted(
        (line.account.code, f"{line.debit}", f"{line.credit}", line.party_id)
        for line in entry.lines.select_related("account")
    )


def _grni_balance() -> Decimal:
    lines = JournalLine.objects.filter(account__code=GRNI)
    return sum((line.credit - line.debit for line in lines), Decimal("0.00"))


def _open() -> dict[str, Decimal]:
    return {receipt.number: open_value(receipt) for receipt in received_not_invoiced()}


def _invoice(org, boss, supplier, lines):
    invoice = services.create_supplier_invoice(
        org=org,
        actor=boss,
        data=services.InvoiceData(supplier_id=supplier.pk, date=timezone.localdate()),
        lines=lines,
    )
    return services.post_supplier_invoice(org=org, actor=boss, invoice=invoice)


def test_the_warehouse_receiving_goods_accrues_them_at_cost(
    org, keeper, confirmed, beer, shelf, damaged, supplier
):
    # when: 100 good and 20 broken bottles at 2.5000 arrive
    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        order=confirmed,
        lines=[
            services.ReceiptLineData(
                product_id=beer.pk, quantity=Decimal(100), damaged_quantity=Decimal(20)
            )
        ],
        location_id=shelf.pk,
        damaged_location_id=damaged.pk,
    )

    # then
    assert receipt.accrued_value == Decimal("300.00")
    assert _postings(receipt.journal_entry) == [
        ("1405", "300.00", "0.00", None),
        ("220202", "0.00", "300.00", supplier.pk),
    ]
    assert receipt.journal_entry.date == receipt.received_on
    assert _open() == {receipt.number: Decimal("300.00")}
    assert find_problems(org) == []


def test_an_invoice_above_the_order_price_clears_gr_ir_and_books_the_difference_to_inventory(
    org, boss, supplier, received
):
    # given: the supplier bills 120 bottles at 2.6000 instead of 2.5000
    lines = services.lines_from_receipts([received])
    lines = [services.InvoiceLineData(**{**vars(lines[0]), "unit_price": Decimal("2.6000")})]

    # when
    invoice = _invoice(org, boss, supplier, lines)

    # then: 312.00 billed = 300.00 received + 12.00 price difference
    assert _postings(invoice.journal_entry) == [
        ("1405", "12.00", "0.00", None),
        ("2202", "0.00", "352.56", supplier.pk),
        ("220202", "300.00", "0.00", supplier.pk),
        ("22210101", "40.56", "0.00", None),
    ]
    assert invoice.lines.get().accrual_cleared == Decimal("300.00")
    assert _grni_balance() == Decimal("0.00") and _open() == {}
    assert find_problems(org) == []


def test_two_partial_invoices_clear_the_receipt_exactly_and_a_credit_note_reopens_it(
    org, boss, supplier, beer, shelf
):
    # given: 7 bottles at 0.3333 a bottle (2.33 at cost, not a whole number of fen per bottle)
    order = services.create_order(
        org=org, actor=boss, data=services.OrderData(supplier_id=supplier.pk)
    )
    services.set_order_line(
        org=org,
        actor=boss,
        order=order,
        product_id=beer.pk,
        quantity=Decimal(7),
        unit_price=Decimal("0.3333"),
    )
    services.confirm_order(org=org, actor=boss, order=order)
    receipt = services.post_receipt(
        org=org,
        actor=boss,
        order=order,
        lines=[services.ReceiptLineData(product_id=beer.pk, quantity=Decimal(7))],
        location_id=shelf.pk,
    )
    assert receipt.accrued_value == Decimal("2.33")
    line = services.lines_from_receipts([receipt])[0]

    # when: billed 3 then 4 bottles
    first = _invoice(
        org, boss, supplier, [services.InvoiceLineData(**{**vars(line), "quantity": Decimal(3)})]
    )
    assert first.lines.get().accrual_cleared == Decimal("1.00")
    assert _open() == {receipt.number: Decimal("1.33")}
    second = _invoice(
        org, boss, supplier, [services.InvoiceLineData(**{**vars(line), "quantity": Decimal(4)})]
    )

    # then: the last one takes exactly what was left (1.33, not 4 × 0.3333 = 1.33 by luck)
    assert second.lines.get().accrual_cleared == Decimal("1.33")
    assert _open() == {} and _grni_balance() == Decimal("0.00")

    # when: the second invoice is credited in full
    note = services.credit_supplier_invoice(org=org, actor=boss, invoice=second, reason="开错")

    # then
    assert note.lines.get().accrual_cleared == Decimal("1.33")
    assert _open() == {receipt.number: Decimal("1.33")}
    assert _grni_balance() == Decimal("1.33")
    assert find_problems(org) == []


def test_a_reversed_receipt_takes_its_accrual_back(org, keeper, received, supplier):
    # when
    reversal = services.reverse_receipt(org=org, actor=keeper, receipt=received, note="错收")

    # then
    assert reversal.accrued_value == Decimal("-300.00")
    assert _postings(reversal.journal_entry) == [
        ("1405", "0.00", "300.00", None),
        ("220202", "300.00", "0.00", supplier.pk),
    ]
    assert _open() == {} and _grni_balance() == Decimal("0.00")
    assert find_problems(org) == []


def test_a_receipt_from_before_gr_ir_is_invoiced_to_inventory_as_before(
    org, boss, supplier, received
):
    # given: a receipt posted before GR/IR (no accrual)
    GoodsReceipt.objects.filter(pk=received.pk).update(journal_entry=None, accrued_value=0)

    # when
    invoice = _invoice(org, boss, supplier, services.lines_from_receipts([received]))

    # then
    assert _postings(invoice.journal_entry) == [
        ("1405", "300.00", "0.00", None),
        ("2202", "0.00", "339.00", supplier.pk),
        ("22210101", "39.00", "0.00", None),
    ]
    assert invoice.lines.get().accrual_cleared == Decimal("0.00")


def test_the_nightly_check_sees_a_gr_ir_line_no_receipt_explains(org, boss, received, supplier):
    # given: a hand entry on the GR/IR account
    from qudao.finance.services import Posting, post_entry

    post_entry(
        org=org,
        actor=boss,
        date=timezone.localdate(),
        memo="手工暂估",
        postings=[
            Posting("1405", debit=Decimal("5.00")),
            Posting(GRNI, credit=Decimal("5.00"), party=supplier),
        ],
    )

    # then
    assert [p.as_dict() for p in find_problems(org)] == [
        {"check": "purchasing.grir_equals_open_receipts", "rows": 1}
    ]
    _checks, problems = all_problems(org)
    assert "purchasing.grir_equals_open_receipts" in {p.check for p in problems}


def test_the_received_not_invoiced_page_lists_open_receipts_for_finance(
    login, boss, keeper, received, supplier
):
    url = reverse("purchasing-received-not-invoiced")
    page = login(boss).get(url).content.decode()
    assert received.number in page and "¥300.00" in page and supplier.name in page
    assert login(keeper).get(url).status_code == 403
