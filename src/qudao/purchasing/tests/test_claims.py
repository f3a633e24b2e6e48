"""Claims for goods damaged on arrival (进货破损索赔): each bearer's document, the stock moves,
what can be claimed, refusals that write nothing, permissions and cancellation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.tests.factories import ProductFactory, SupplierFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.claims import ClaimStatus
from qudao.finance.integrity import find_problems
from qudao.finance.models import JournalEntry, JournalLine
from qudao.inventory.models import LocationKind, StockLevel, StockMove
from qudao.inventory.tests.factories import LocationFactory
from qudao.purchasing import services
from qudao.purchasing.claim_models import ReceiptClaim, ReceiptClaimLine
from qudao.purchasing.claim_selectors import unclaimed_damage
from qudao.purchasing.models import GoodsReceipt, ReceivedSerial
from qudao.purchasing.payables.accruals import find_problems as grir_problems
from qudao.purchasing.payables.models import SupplierInvoice, SupplierInvoiceKind
from qudao.purchasing.services.claim_settlement import SettlementData, settle_receipt_claim
from qudao.purchasing.services.claims import (
    ClaimLineData,
    ReceiptClaimData,
    cancel_receipt_claim,
    record_receipt_claim,
)
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(org, keeper, confirmed, beer, shelf, damaged) -> GoodsReceipt:
    """100 good and 20 broken bottles of beer at 2.5000 a bottle (the broken ones: ¥50.00)."""
    return services.post_receipt(
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


def _claim(org, actor, receipt, *, bearer, disposition, quantity="20", amount=None, **extra):
    line = receipt.lines.get()
    return record_receipt_claim(
        org=org,
        actor=actor,
        receipt=receipt,
        data=ReceiptClaimData(
            bearer=bearer,
            disposition=disposition,
            description="外箱压坏，瓶子碎裂",
            lines=[
                ClaimLineData(
                    receipt_line_id=line.pk,
                    quantity=Decimal(quantity),
                    amount=None if amount is None else Decimal(amount),
                )
            ],
            **extra,
        ),
    )


def _on_hand(product, location) -> Decimal:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else Decimal(0)


def _postings(entry: JournalEntry) -> list[tuple[str, str, str, int | None]]:
    return sorted(
        (line.account.code, f"{line.debit}", f"{line.credit}", line.party_id)
        for line in entry.lines.select_related("account")
    )


def _balance(code: str) -> Decimal:
    lines = JournalLine.objects.filter(account__code=code)
    return sum((line.debit - line.credit for line in lines), Decimal("0.00"))


def _claim_problems(org) -> list[str]:
    return sorted(p.check for p in find_problems(org) if "other_receivable" in p.check)


def _invoice_the_receipt(org, boss, supplier, receipt) -> SupplierInvoice:
    invoice = services.create_supplier_invoice(
        org=org,
        actor=boss,
        data=services.InvoiceData(supplier_id=supplier.pk, date=timezone.localdate()),
        lines=services.lines_from_receipts([receipt]),
    )
    return services.post_supplier_invoice(org=org, actor=boss, invoice=invoice)


# ---------------------------------------------------------------------------------------------
# The supplier bears the loss: deducted by a supplier credit note


def test_a_supplier_claim_sends_the_goods_back_and_waits_for_finance(
    org, keeper, receipt, beer, damaged
):
    # when
    claim = _claim(org, keeper, receipt, bearer="supplier", disposition="return")

    # then: open, numbered, 20 × 2.5000 claimed, the goods left the damaged corner at cost
    assert (claim.status, claim.number[:2], claim.claim_amount, claim.cost_value) == (
        ClaimStatus.OPEN,
        "RC",
        Decimal("50.00"),
        Decimal("50.00"),
    )
    move = StockMove.objects.get(reference_type="receipt_claim", reference_id=claim.pk)
    assert (move.kind, move.from_location_id, move.to_location_id, move.quantity) == (
        "return",
        damaged.pk,
        None,
        Decimal("20.000"),
    )
    assert _on_hand(beer, damaged) == Decimal(0)
    assert claim.journal_entry_id is None and claim.credit_note_id is None
    assert unclaimed_damage(receipt) == []


def test_finance_deducts_a_supplier_claim_from_the_invoice_that_billed_the_receipt(
    org, boss, keeper, finance, supplier, receipt
):
    # given: the supplier billed all 120 bottles (300.00 + 13% VAT)
    invoice = _invoice_the_receipt(org, boss, supplier, receipt)
    claim = _claim(org, keeper, receipt, bearer="supplier", disposition="return")

    # when
    claim = settle_receipt_claim(org=org, actor=finance, claim=claim, data=SettlementData())

    # then: a credit note of 50.00 + 6.50 VAT against that invoice, off inventory
    note = claim.credit_note
    assert (note.kind, note.credited_invoice_id, note.subtotal, note.tax_total, note.total) == (
        SupplierInvoiceKind.CREDIT_NOTE,
        invoice.pk,
        Decimal("50.00"),
        Decimal("6.50"),
        Decimal("56.50"),
    )
    assert list(note.lines.values_list("receipt_line_id", "quantity", "unit_price")) == [
        (None, Decimal("20.000"), Decimal("2.5000"))
    ]
    assert _postings(note.journal_entry) == [
        ("1405", "0.00", "50.00", None),
        ("2202", "56.50", "0.00", supplier.pk),
        ("22210101", "0.00", "6.50", None),
    ]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("282.50")
    assert (claim.status, claim.settled_amount, claim.settled_by) == (
        ClaimStatus.SETTLED,
        Decimal("50.00"),
        finance,
    )
    assert grir_problems(org) == []  # GR/IR stays cleared by the invoice


def test_a_supplier_claim_waits_while_the_supplier_has_no_invoice_to_deduct_from(
    org, keeper, finance, receipt
):
    # given
    claim = _claim(org, keeper, receipt, bearer="supplier", disposition="scrap")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        settle_receipt_claim(org=org, actor=finance, claim=claim, data=SettlementData())

    # then
    assert refused.value.code == "no_open_invoice"
    claim.refresh_from_db()
    assert (claim.status, claim.credit_note_id) == (ClaimStatus.OPEN, None)
    assert not SupplierInvoice.objects.filter(kind=SupplierInvoiceKind.CREDIT_NOTE).exists()


def test_a_supplier_accepting_part_of_the_claim_credits_that_part(
    org, boss, keeper, finance, supplier, receipt
):
    # given
    _invoice_the_receipt(org, boss, supplier, receipt)
    claim = _claim(org, keeper, receipt, bearer="supplier", disposition="keep")

    # when: the supplier accepts 30.00 of the 50.00, at 9% VAT
    claim = settle_receipt_claim(
        org=org,
        actor=finance,
        claim=claim,
        data=SettlementData(amount=Decimal("30.00"), tax_rate=Decimal("0.09"), note="协商"),
    )

    # then
    assert (claim.credit_note.subtotal, claim.credit_note.tax_total) == (
        Decimal("30.00"),
        Decimal("2.70"),
    )
    assert (claim.settled_amount, claim.settlement_note) == (Decimal("30.00"), "协商")


# ---------------------------------------------------------------------------------------------
# The carrier bears the loss: a receivable until finance records what it paid


def test_a_carrier_claim_books_what_the_carrier_owes_and_scraps_the_goods(
    org, keeper, receipt, beer, damaged
):
    # given: the carrier is set up as a party
    carrier = SupplierFactory(code="S-SF", name="顺丰物流")

    # when
    claim = _claim(
        org, keeper, receipt, bearer="carrier", disposition="scrap", carrier_party_id=carrier.pk
    )

    # then
    assert (claim.status, claim.carrier, claim.claim_amount) == (
        ClaimStatus.OPEN,
        "顺丰物流",
        Decimal("50.00"),
    )
    assert _postings(claim.journal_entry) == [
        ("1221", "50.00", "0.00", carrier.pk),
        ("1405", "0.00", "50.00", None),
    ]
    move = StockMove.objects.get(reference_type="receipt_claim", reference_id=claim.pk)
    assert (move.kind, move.from_location_id, move.to_location_id) == ("scrap", damaged.pk, None)
    assert _on_hand(beer, damaged) == Decimal(0)
    assert _claim_problems(org) == []  # 1221 equals the carrier's open claim


def test_a_carrier_paying_part_settles_the_claim_and_the_rest_goes_back_to_inventory(
    org, keeper, finance, receipt
):
    # given: claimed 60.00 from a carrier named only in text
    claim = _claim(
        org, keeper, receipt, bearer="carrier", disposition="keep", amount="60.00", carrier="德邦"
    )

    # when: it pays 45.00 into the bank
    claim = settle_receipt_claim(
        org=org,
        actor=finance,
        claim=claim,
        data=SettlementData(amount=Decimal("45.00"), received_into="1002", note="赔付 45"),
    )

    # then
    assert _postings(claim.settlement_entry) == [
        ("1002", "45.00", "0.00", None),
        ("1221", "0.00", "60.00", None),
        ("1405", "15.00", "0.00", None),
    ]
    assert _balance("1221") == Decimal("0.00")
    assert (claim.status, claim.settled_amount, claim.settlement_note) == (
        ClaimStatus.SETTLED,
        Decimal("45.00"),
        "赔付 45",
    )
    assert _claim_problems(org) == []


def test_a_carrier_cannot_settle_more_than_was_claimed(org, keeper, finance, receipt):
    claim = _claim(org, keeper, receipt, bearer="carrier", disposition="keep", carrier="德邦")

    with pytest.raises(BusinessRuleViolation) as refused:
        settle_receipt_claim(
            org=org, actor=finance, claim=claim, data=SettlementData(amount=Decimal("50.01"))
        )

    assert refused.value.code == "more_than_claimed"
    claim.refresh_from_db()
    assert (claim.status, claim.settlement_entry_id) == (ClaimStatus.OPEN, None)


# ---------------------------------------------------------------------------------------------
# We bear the loss: written off, nothing owed


def test_a_loss_we_bear_is_scrapped_at_cost_and_nothing_is_owed(
    org, keeper, receipt, beer, damaged
):
    # when
    claim = _claim(org, keeper, receipt, bearer="us", disposition="scrap", quantity="5")

    # then
    assert (claim.status, claim.claim_amount, claim.cost_value) == (
        ClaimStatus.CLOSED,
        Decimal("0.00"),
        Decimal("12.50"),
    )
    assert claim.journal_entry_id is None
    assert _on_hand(beer, damaged) == Decimal("15.000")
    assert StockMove.objects.get(reference_type="receipt_claim").kind == "scrap"


def test_damaged_goods_kept_as_stock_do_not_move(org, keeper, receipt, beer, damaged):
    claim = _claim(org, keeper, receipt, bearer="us", disposition="keep")

    assert claim.cost_value == Decimal("0.00")
    assert not StockMove.objects.filter(reference_type="receipt_claim").exists()
    assert _on_hand(beer, damaged) == Decimal("20.000")


# ---------------------------------------------------------------------------------------------
# What can be claimed, and refusals that write nothing


def _nothing_written(receipt) -> None:
    assert not ReceiptClaim.objects.exists()
    assert not ReceiptClaimLine.objects.exists()
    assert not StockMove.objects.filter(reference_type="receipt_claim").exists()
    assert not JournalEntry.objects.filter(source_type="purchasing.receipt_claim").exists()


def test_two_claims_together_cannot_take_more_than_arrived_damaged(org, keeper, receipt):
    # given
    _claim(org, keeper, receipt, bearer="us", disposition="keep", quantity="15")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        _claim(org, keeper, receipt, bearer="supplier", disposition="return", quantity="6")

    # then
    assert refused.value.code == "more_than_damaged"
    assert ReceiptClaim.objects.count() == 1
    assert [(line.pk, left) for line, left in unclaimed_damage(receipt)] == [
        (receipt.lines.get().pk, Decimal("5.000"))
    ]


def test_a_receipt_line_with_nothing_damaged_cannot_be_claimed(org, keeper, received):
    with pytest.raises(BusinessRuleViolation) as refused:
        _claim(org, keeper, received, bearer="us", disposition="keep", quantity="1")

    assert refused.value.code == "nothing_damaged_left"
    _nothing_written(received)


@pytest.mark.parametrize(
    ("bearer", "quantity", "amount", "code"),
    [
        ("supplier", "20", "-1.00", "invalid_amount"),
        ("supplier", "20", "1.005", "invalid_amount"),
        ("supplier", "20", "0.00", "claim_amount_required"),
        ("carrier", "20", "0", "claim_amount_required"),
        ("us", "20", "10.00", "no_claim_here"),
        ("supplier", "0.0001", None, "invalid_quantity"),
        ("supplier", "-2", None, "invalid_quantity"),
        ("supplier", "21", None, "more_than_damaged"),
    ],
)
def test_bad_quantities_and_amounts_are_refused_and_nothing_is_written(
    org, keeper, receipt, beer, damaged, bearer, quantity, amount, code
):
    with pytest.raises(BusinessRuleViolation) as refused:
        _claim(
            org,
            keeper,
            receipt,
            bearer=bearer,
            disposition="scrap",
            quantity=quantity,
            amount=amount,
            carrier="德邦",
        )

    assert refused.value.code == code
    _nothing_written(receipt)
    assert _on_hand(beer, damaged) == Decimal("20.000")


@pytest.mark.parametrize(
    ("bearer", "disposition", "extra", "code"),
    [
        ("carrier", "return", {"carrier": "德邦"}, "return_needs_supplier"),
        ("us", "return", {}, "return_needs_supplier"),
        ("carrier", "scrap", {}, "carrier_required"),
        ("someone", "scrap", {}, "invalid_bearer"),
        ("us", "burn", {}, "invalid_disposition"),
    ],
)
def test_what_does_not_fit_the_bearer_is_refused(
    org, keeper, receipt, bearer, disposition, extra, code
):
    with pytest.raises(BusinessRuleViolation) as refused:
        _claim(org, keeper, receipt, bearer=bearer, disposition=disposition, **extra)

    assert refused.value.code == code
    _nothing_written(receipt)


def test_a_reversed_receipt_cannot_be_claimed(org, keeper, receipt):
    services.reverse_receipt(org=org, actor=keeper, receipt=receipt, note="整单退回")

    with pytest.raises(BusinessRuleViolation) as refused:
        _claim(org, keeper, receipt, bearer="us", disposition="keep")

    assert refused.value.code == "not_claimable"
    _nothing_written(receipt)


def test_another_organizations_receipt_cannot_be_claimed(org, keeper, other_org):
    # given: a receipt with damaged goods in another organization
    with org_scope(other_org):
        other_keeper = MembershipFactory(org=other_org, role="warehouse")
        supplier = SupplierFactory(code="S-OTHER")
        product = ProductFactory(code="OTHER-1")
        shelf = LocationFactory(code="A1")
        broken = LocationFactory(warehouse=shelf.warehouse, code="BAD", kind=LocationKind.DAMAGED)
        foreign = services.post_receipt(
            org=other_org,
            actor=other_keeper,
            supplier_id=supplier.pk,
            lines=[
                services.ReceiptLineData(
                    product_id=product.pk,
                    quantity=Decimal(1),
                    damaged_quantity=Decimal(2),
                    unit_cost=Decimal("3.0000"),
                )
            ],
            location_id=shelf.pk,
            damaged_location_id=broken.pk,
        )
        line_id = foreign.lines.get().pk

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        record_receipt_claim(
            org=org,
            actor=keeper,
            receipt=foreign,
            data=ReceiptClaimData(
                bearer="us",
                disposition="scrap",
                description="x",
                lines=[ClaimLineData(receipt_line_id=line_id, quantity=Decimal(1))],
            ),
        )

    # then
    assert refused.value.code == "receipt_not_found"
    with org_scope(other_org):
        assert not ReceiptClaim.objects.exists()
        assert _on_hand(product, broken) == Decimal("2.000")


# ---------------------------------------------------------------------------------------------
# Permissions


def test_the_warehouse_records_claims_and_finance_settles_them(org, keeper, finance, rep, receipt):
    with pytest.raises(PermissionDenied):
        _claim(org, finance, receipt, bearer="us", disposition="keep")
    with pytest.raises(PermissionDenied):
        _claim(org, rep, receipt, bearer="us", disposition="keep")
    _nothing_written(receipt)

    claim = _claim(org, keeper, receipt, bearer="carrier", disposition="keep", carrier="德邦")
    with pytest.raises(PermissionDenied):
        settle_receipt_claim(org=org, actor=keeper, claim=claim, data=SettlementData())
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


# ---------------------------------------------------------------------------------------------
# Cancelling a claim recorded in error


def test_cancelling_a_carrier_claim_brings_the_goods_back_and_reverses_the_entry(
    org, keeper, receipt, beer, damaged
):
    # given
    claim = _claim(org, keeper, receipt, bearer="carrier", disposition="scrap", carrier="德邦")

    # when
    claim = cancel_receipt_claim(org=org, actor=keeper, claim=claim, reason="录错承运方")

    # then: a red-ink copy of the claim's entry, pointing back at it
    assert (claim.status, claim.cancel_reason) == (ClaimStatus.CANCELLED, "录错承运方")
    assert claim.reversal_entry.reverses_id == claim.journal_entry_id
    assert _postings(claim.reversal_entry) == [
        ("1221", "-50.00", "0.00", None),
        ("1405", "0.00", "-50.00", None),
    ]
    assert _balance("1221") == Decimal("0.00")
    assert _claim_problems(org) == []
    assert _on_hand(beer, damaged) == Decimal("20.000")
    back = StockMove.objects.filter(reference_type="receipt_claim").exclude(reverses=None).get()
    assert (back.kind, back.to_location_id) == ("scrap", damaged.pk)
    assert [left for _line, left in unclaimed_damage(receipt)] == [Decimal("20.000")]


def test_a_settled_claim_cannot_be_cancelled(org, keeper, finance, receipt):
    claim = _claim(org, keeper, receipt, bearer="carrier", disposition="keep", carrier="德邦")
    settle_receipt_claim(org=org, actor=finance, claim=claim, data=SettlementData())

    with pytest.raises(BusinessRuleViolation) as refused:
        cancel_receipt_claim(org=org, actor=keeper, claim=claim, reason="x")

    assert refused.value.code == "invalid_transition"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SETTLED


# ---------------------------------------------------------------------------------------------
# Serialized goods


def test_serialized_units_are_claimed_by_their_damaged_serial_numbers(
    org, keeper, supplier, fridge, shelf, damaged
):
    # given: three fridges, two of them damaged
    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        supplier_id=supplier.pk,
        lines=[
            services.ReceiptLineData(
                product_id=fridge.pk,
                quantity=Decimal(1),
                damaged_quantity=Decimal(2),
                serials=services.parse_serials(
                    "F-1, 2026-01-01\nF-2, 2026-01-01, damaged\nF-3, 2026-01-01, damaged"
                ),
            )
        ],
        location_id=shelf.pk,
        damaged_location_id=damaged.pk,
    )

    # when: one damaged unit goes back, then the other is scrapped
    first = _claim(org, keeper, receipt, bearer="supplier", disposition="return", quantity="1")
    second = _claim(org, keeper, receipt, bearer="us", disposition="scrap", quantity="1")

    # then
    assert [line.serials for line in first.lines.all()] == ["F-2"]
    assert [line.serials for line in second.lines.all()] == ["F-3"]
    assert list(
        StockMove.objects.filter(reference_type="receipt_claim")
        .order_by("pk")
        .values_list("serial", "kind")
    ) == [("F-2", "return"), ("F-3", "scrap")]
    assert first.claim_amount == Decimal("1200.00")
    with pytest.raises(BusinessRuleViolation) as refused:
        _claim(org, keeper, receipt, bearer="us", disposition="scrap", quantity="0.5")
    assert refused.value.code == "nothing_damaged_left"


def test_serial_numbers_returned_to_the_supplier_are_marked_returned_until_cancelled(
    org, keeper, supplier, fridge, shelf, damaged
):
    # given: three fridges, two of them damaged
    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        supplier_id=supplier.pk,
        lines=[
            services.ReceiptLineData(
                product_id=fridge.pk,
                quantity=Decimal(1),
                damaged_quantity=Decimal(2),
                serials=services.parse_serials(
                    "F-1, 2026-01-01\nF-2, 2026-01-01, damaged\nF-3, 2026-01-01, damaged"
                ),
            )
        ],
        location_id=shelf.pk,
        damaged_location_id=damaged.pk,
    )

    # when: F-2 goes back to the supplier, F-3 is scrapped
    returned = _claim(org, keeper, receipt, bearer="supplier", disposition="return", quantity="1")
    _claim(org, keeper, receipt, bearer="us", disposition="scrap", quantity="1")

    # then: only the unit sent back is marked returned
    def returned_serials() -> list[str]:
        return sorted(
            ReceivedSerial.objects.filter(returned_at__isnull=False).values_list(
                "serial", flat=True
            )
        )

    assert returned_serials() == ["F-2"]

    # when: the return was recorded in error
    cancel_receipt_claim(org=org, actor=keeper, claim=returned, reason="未退回")

    # then: the unit is live on the receipt again
    assert returned_serials() == []
