"""Damage claims (破损): who bears the loss decides the write-off, the claim and the credit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.claims import ClaimStatus
from qudao.finance.integrity import find_problems
from qudao.finance.models import Invoice, JournalEntry, JournalLine
from qudao.finance.services import Posting, post_entry
from qudao.finance.services.claims import Recovery
from qudao.inventory.models import LocationKind, StockLevel, StockMove
from qudao.parties.models import Party
from qudao.sales.models_returns import Bearer, DamageClaim
from qudao.sales.services import LineInput, invoice_delivery
from qudao.sales.services.damages import ClaimData, record_damage, settle_claim

from .conftest import Shop
from .helpers_returns import shipped, shipped_commitment

pytestmark = pytest.mark.django_db


def _claim(shop: Shop, delivery, bearer: str, quantity: str = "2", actor=None, **fields):
    photo = fields.pop("photo", None)
    return record_damage(
        org=shop.org,
        actor=actor or shop.keeper,
        delivery=delivery,
        data=ClaimData(
            bearer=bearer,
            description="运输途中破损",
            quantities={delivery.lines.get().pk: Decimal(quantity)},
            **fields,
        ),
        photo=photo,
    )


def test_a_carrier_claim_writes_off_the_goods_and_credits_the_invoiced_customer(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    delivery.refresh_from_db()
    claim = _claim(shop, delivery, Bearer.CARRIER, actor=shop.boss, claim_amount=Decimal("20.00"))
    assert claim.status == ClaimStatus.OPEN and claim.carrier == ""
    assert claim.total == Decimal("11.30") and claim.cost_value == Decimal("6.00")
    assert Invoice.objects.get(pk=claim.credit_note_id).total == Decimal("11.30")
    moves = StockMove.objects.filter(reference_type="sales_damage", reference_id=claim.pk)
    assert sorted(m.kind for m in moves) == ["return", "scrap"]
    damaged = moves.get(kind="scrap").from_location
    assert damaged.kind == LocationKind.DAMAGED
    assert StockLevel.objects.get(product=shop.beer, location=damaged).on_hand == 0
    paid = Recovery(amount=Decimal("15.00"))
    with pytest.raises(PermissionDenied):
        settle_claim(org=shop.org, actor=shop.keeper, claim=claim, recovery=paid)
    claim = settle_claim(org=shop.org, actor=shop.finance, claim=claim, recovery=paid)
    assert claim.status == ClaimStatus.SETTLED and claim.settled_amount == Decimal("15.00")
    with pytest.raises(BusinessRuleViolation):
        settle_claim(
            org=shop.org, actor=shop.finance, claim=claim, recovery=Recovery(Decimal("1.00"))
        )


def test_our_own_loss_on_an_uninvoiced_delivery_lowers_what_the_customer_is_charged(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    photo = SimpleUploadedFile("broken.jpg", b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")
    claim = _claim(shop, delivery, Bearer.US, quantity="4", photo=photo)
    assert claim.status == ClaimStatus.CLOSED and claim.photo.name.endswith(".jpg")
    assert shipped_commitment(delivery.order) == Decimal("135.60") - Decimal("22.60")
    invoice_id = invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    assert Invoice.objects.get(pk=invoice_id).total == Decimal("113.00")


def test_the_customer_bearing_it_changes_nothing_but_the_record(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    claim = _claim(shop, delivery, Bearer.CUSTOMER, actor=shop.rep)
    assert (claim.status, claim.total, claim.credit_note_id) == (
        ClaimStatus.CLOSED,
        Decimal("0.00"),
        None,
    )
    assert not StockMove.objects.filter(reference_type="sales_damage").exists()
    assert shipped_commitment(delivery.order) == Decimal("135.60")


def test_bad_claims_are_refused_and_write_nothing(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    supplier = Party.objects.create(org=shop.org, kind="supplier", code="S1", name="雪花啤酒厂")
    for bearer, quantity, fields, code in (
        (Bearer.CARRIER, "2", {}, "claim_amount_required"),
        (Bearer.MANUFACTURER, "2", {"claim_amount": Decimal(5)}, "supplier_required"),
        (Bearer.US, "2", {"claim_amount": Decimal(5)}, "no_claim_here"),
        (Bearer.US, "13", {}, "more_than_shipped"),
        ("god", "1", {}, "invalid_bearer"),
    ):
        with pytest.raises(BusinessRuleViolation) as refused:
            _claim(shop, delivery, bearer, quantity=quantity, **fields)
        assert refused.value.code == code
    with pytest.raises(PermissionDenied):
        _claim(shop, delivery, Bearer.US, actor=shop.finance)
    assert (
        not DamageClaim.objects.exists()
        and not StockMove.objects.filter(reference_type="sales_damage").exists()
    )
    claim = _claim(
        shop,
        delivery,
        Bearer.MANUFACTURER,
        claim_amount=Decimal("9.00"),
        supplier_id=supplier.pk,
    )
    assert claim.supplier == supplier and claim.status == ClaimStatus.OPEN


# ---------------------------------------------------------------------------------------------
# What the carrier or the manufacturer owes: the claim receivable on 1221


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


def test_a_manufacturer_claim_books_what_it_owes_us_with_the_manufacturer(shop: Shop):
    # given
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    brewery = SupplierFactory(code="S-XH", name="雪花啤酒厂")

    # when
    claim = _claim(
        shop,
        delivery,
        Bearer.MANUFACTURER,
        claim_amount=Decimal("9.00"),
        supplier_id=brewery.pk,
    )

    # then
    assert claim.journal_entry.source_type == "sales.damage_claim"
    assert _postings(claim.journal_entry) == [
        ("1221", "9.00", "0.00", brewery.pk),
        ("1405", "0.00", "9.00", None),
    ]
    assert _claim_problems(shop.org) == []


def test_a_carrier_paying_part_settles_the_claim_and_the_rest_is_written_off(shop: Shop):
    # given: 20.00 claimed from a carrier set up as a party
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    carrier = SupplierFactory(code="S-SF", name="顺丰物流")
    claim = _claim(
        shop, delivery, Bearer.CARRIER, claim_amount=Decimal("20.00"), carrier_party_id=carrier.pk
    )
    assert claim.carrier == "顺丰物流"
    assert _postings(claim.journal_entry) == [
        ("1221", "20.00", "0.00", carrier.pk),
        ("1405", "0.00", "20.00", None),
    ]

    # when: it pays 15.00 by WeChat Pay
    claim = settle_claim(
        org=shop.org,
        actor=shop.finance,
        claim=claim,
        recovery=Recovery(amount=Decimal("15.00"), received_into="1012"),
        note="微信赔付",
    )

    # then
    assert _postings(claim.settlement_entry) == [
        ("1012", "15.00", "0.00", None),
        ("1221", "0.00", "20.00", carrier.pk),
        ("1405", "5.00", "0.00", None),
    ]
    assert (claim.status, claim.settled_amount, claim.settlement_note) == (
        ClaimStatus.SETTLED,
        Decimal("15.00"),
        "微信赔付",
    )
    assert _balance("1221") == Decimal("0.00")
    assert _claim_problems(shop.org) == []


@pytest.mark.parametrize(
    ("recovery", "code"),
    [
        (Recovery(amount=Decimal("20.01")), "more_than_claimed"),
        (Recovery(amount=Decimal("1.005")), "invalid_amount"),
        (Recovery(amount=Decimal("5.00"), received_into="6001"), "invalid_account"),
    ],
)
def test_a_bad_settlement_is_refused_and_the_claim_stays_open(shop: Shop, recovery, code):
    # given
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    claim = _claim(shop, delivery, Bearer.CARRIER, claim_amount=Decimal("20.00"), carrier="德邦")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        settle_claim(org=shop.org, actor=shop.finance, claim=claim, recovery=recovery)

    # then
    assert refused.value.code == code
    claim.refresh_from_db()
    assert (claim.status, claim.settlement_entry_id) == (ClaimStatus.OPEN, None)
    assert _balance("1221") == Decimal("20.00")


def test_our_own_loss_owes_nothing_and_posts_nothing(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))

    claim = _claim(shop, delivery, Bearer.US)

    assert (claim.status, claim.journal_entry_id) == (ClaimStatus.CLOSED, None)
    assert not JournalEntry.objects.filter(source_type="sales.damage_claim").exists()


def test_a_claim_recorded_before_the_receivable_settles_without_an_entry(shop: Shop):
    # given: an open carrier claim with no entry, as recorded before 1221 was used
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    claim = _claim(shop, delivery, Bearer.US)
    DamageClaim.objects.filter(pk=claim.pk).update(
        bearer=Bearer.CARRIER, status=ClaimStatus.OPEN, claim_amount=Decimal("8.00")
    )

    # when
    claim = settle_claim(org=shop.org, actor=shop.finance, claim=claim, recovery=Recovery())

    # then
    assert (claim.status, claim.settled_amount, claim.settlement_entry_id) == (
        ClaimStatus.SETTLED,
        Decimal("8.00"),
        None,
    )
    assert _balance("1221") == Decimal("0.00")
    assert _claim_problems(shop.org) == []


def test_the_nightly_check_breaks_when_1221_does_not_match_the_open_claims(shop: Shop):
    # given: an open carrier claim, and a manual 1221 line no claim stands behind
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    _claim(shop, delivery, Bearer.CARRIER, claim_amount=Decimal("20.00"), carrier="德邦")
    assert _claim_problems(shop.org) == []

    # when
    post_entry(
        org=shop.org,
        actor=shop.finance,
        date=timezone.localdate(),
        memo="手工挂账",
        postings=[Posting("1221", debit=Decimal("3.00")), Posting("1002", credit=Decimal("3.00"))],
    )

    # then
    assert _claim_problems(shop.org) == [
        "finance.other_receivable_lines_have_a_claim",
        "finance.other_receivables_equal_open_claims",
    ]
