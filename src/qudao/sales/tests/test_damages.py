"""Damage claims (破损): who bears the loss decides the write-off, the claim and the credit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.models import Invoice
from qudao.inventory.models import LocationKind, StockLevel, StockMove
from qudao.parties.models import Party
from qudao.sales.models_returns import Bearer, ClaimStatus, DamageClaim
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
    with pytest.raises(PermissionDenied):
        settle_claim(org=shop.org, actor=shop.keeper, claim=claim, amount=Decimal("15.00"))
    claim = settle_claim(org=shop.org, actor=shop.finance, claim=claim, amount=Decimal("15.00"))
    assert claim.status == ClaimStatus.SETTLED and claim.settled_amount == Decimal("15.00")
    with pytest.raises(BusinessRuleViolation):
        settle_claim(org=shop.org, actor=shop.finance, claim=claim, amount=Decimal("1.00"))


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
