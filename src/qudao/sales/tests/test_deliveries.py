"""Delivery notes: partial shipments and backorders, serials, consignment, invoicing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qudao.catalog.models import PriceListItem
from qudao.catalog.tests.factories import PriceListItemFactory, ProductFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.credit import credit_exposure
from qudao.finance.models import CommitmentStage, CreditCommitment, CreditMode, Invoice
from qudao.finance.services import PolicyData, set_credit_policy
from qudao.inventory.models import Location, StockLevel, StockMove
from qudao.inventory.services import MoveLine, move_stock
from qudao.sales.models import DeliveryStatus, OrderStatus, SalesSettings, SoldSerial
from qudao.sales.services import (
    LineInput,
    OrderData,
    cancel_rest,
    confirm_receipt,
    create_delivery,
    invoice_delivery,
    place_order,
    release_delivery,
    ship_delivery,
)

from .conftest import Shop

pytestmark = pytest.mark.django_db


def _order(shop: Shop, *lines: LineInput):
    return place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=lines,
    )


def _commitments(order) -> dict[str, Decimal]:
    return dict(
        CreditCommitment.objects.filter(reference=order.reference).values_list("stage", "amount")
    )


def test_a_partial_delivery_leaves_a_backorder_still_reserved(shop: Shop):
    order = _order(shop, LineInput(shop.beer.pk, Decimal(24)), LineInput(shop.wine.pk, Decimal(2)))
    beer_line = order.lines.get(product=shop.beer)
    delivery = create_delivery(
        org=shop.org, actor=shop.keeper, order=order, quantities={beer_line.pk: Decimal(10)}
    )
    assert delivery.number.startswith("DN") and delivery.total == Decimal("56.50")
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    order.refresh_from_db()
    beer_line.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert (beer_line.shipped_quantity, beer_line.open_quantity) == (Decimal(10), Decimal(14))
    level = StockLevel.objects.get(product=shop.beer, location=shop.shelf)
    assert (level.on_hand, level.reserved) == (Decimal(230), Decimal(14))
    # the rest: 14 beer (79.10 incl. VAT) + 2 wine (113.00) still confirmed; 56.50 shipped
    assert _commitments(order) == {
        CommitmentStage.CONFIRMED: Decimal("192.10"),
        CommitmentStage.SHIPPED: Decimal("56.50"),
    }
    move = StockMove.objects.get(reference_type="sales_delivery", reference_id=delivery.pk)
    assert (move.kind, move.to_location_id, move.unit_cost) == ("shipment", None, Decimal("3"))


def test_shipping_everything_then_invoicing_hands_the_exposure_to_the_invoice(shop: Shop):
    order = _order(shop, LineInput(shop.beer.pk, Decimal(24)))
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    exposure = credit_exposure(shop.customer, today=order.created_at.date())
    assert exposure.total == Decimal("135.60")
    with pytest.raises(PermissionDenied):
        invoice_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    invoice_id = invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    invoice = Invoice.objects.get(pk=invoice_id)
    assert invoice.number.startswith("INV") and invoice.total == Decimal("135.60")
    assert not CreditCommitment.objects.filter(reference=order.reference).exists()
    assert credit_exposure(shop.customer, today=order.created_at.date()).total == Decimal("135.60")
    with pytest.raises(BusinessRuleViolation) as refused:
        invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    assert refused.value.code == "already_invoiced"


def test_the_warehouse_release_step_and_the_signed_receipt(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(warehouse_release=True)
    order = _order(shop, LineInput(shop.beer.pk, Decimal(12)))
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order, carrier="张师傅")
    with pytest.raises(BusinessRuleViolation) as refused:
        ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    assert refused.value.code == "not_released"
    release_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    with pytest.raises(BusinessRuleViolation):
        confirm_receipt(org=shop.org, actor=shop.rep, delivery=delivery, signed_by="")
    photo = SimpleUploadedFile("sign.jpg", b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")
    delivery = confirm_receipt(
        org=shop.org, actor=shop.rep, delivery=delivery, signed_by="王老板", signed_copy=photo
    )
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.signed_by == "王老板"
    assert delivery.signed_copy.name.endswith(".jpg")


def test_more_than_is_open_cannot_be_put_on_a_delivery(shop: Shop):
    order = _order(shop, LineInput(shop.beer.pk, Decimal(12)))
    line = order.lines.get()
    create_delivery(org=shop.org, actor=shop.keeper, order=order, quantities={line.pk: Decimal(8)})
    with pytest.raises(BusinessRuleViolation) as refused:
        create_delivery(
            org=shop.org, actor=shop.keeper, order=order, quantities={line.pk: Decimal(5)}
        )
    assert refused.value.code == "more_than_ordered"


def test_cancelling_the_rest_closes_the_backorder(shop: Shop):
    order = _order(shop, LineInput(shop.beer.pk, Decimal(24)))
    line = order.lines.get()
    delivery = create_delivery(
        org=shop.org, actor=shop.keeper, order=order, quantities={line.pk: Decimal(12)}
    )
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    order = cancel_rest(org=shop.org, actor=shop.finance, order=order, reason="断货")
    line.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and line.cancelled_quantity == Decimal(12)
    assert StockLevel.objects.get(product=shop.beer, location=shop.shelf).reserved == 0
    assert _commitments(order) == {CommitmentStage.SHIPPED: Decimal("67.80")}


def test_serials_are_scanned_on_shipment_and_recorded_as_sold(shop: Shop):
    phone = ProductFactory(code="TV", name="电视机", base_unit="台", is_serialized=True)
    price_list = PriceListItem.objects.get(product=shop.beer).price_list
    PriceListItemFactory(price_list=price_list, product=phone, unit_price=Decimal("800"))
    move_stock(
        org=shop.org,
        actor=shop.keeper,
        moves=[
            MoveLine(
                phone.pk,
                Decimal(1),
                to_location_id=shop.shelf.pk,
                unit_cost=Decimal(600),
                serial=serial,
            )
            for serial in ("SN1", "SN2", "SN3")
        ],
        reason="receipt",
    )
    order = _order(shop, LineInput(phone.pk, Decimal(1)))
    line = order.lines.get()
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    with pytest.raises(BusinessRuleViolation) as refused:
        ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery, serials={line.pk: []})
    assert refused.value.code == "serials_required"
    with pytest.raises(BusinessRuleViolation) as refused:
        ship_delivery(
            org=shop.org, actor=shop.keeper, delivery=delivery, serials={line.pk: ["SN9"]}
        )
    assert refused.value.code == "serial_not_in_stock"
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery, serials={line.pk: ["SN2"]})
    sold = SoldSerial.objects.get()
    assert (sold.serial, sold.customer, sold.delivery) == ("SN2", shop.customer, delivery)
    assert StockMove.objects.filter(serial="SN2", kind="shipment").exists()


def test_a_consignment_order_ships_to_the_customers_location_and_stays_ours(shop: Shop):
    set_credit_policy(
        org=shop.org,
        actor=shop.boss,
        customer=shop.customer,
        data=PolicyData(mode=CreditMode.CONSIGNMENT, credit_limit=Decimal(5000)),
    )
    order = _order(shop, LineInput(shop.beer.pk, Decimal(12)))
    assert order.payment_mode == CreditMode.CONSIGNMENT
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    location = Location.objects.get(kind="consignment", customer=shop.customer)
    assert StockLevel.objects.get(product=shop.beer, location=location).on_hand == Decimal(12)
    with pytest.raises(BusinessRuleViolation) as refused:
        invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    assert refused.value.code == "consignment_delivery"


def test_credit_checked_at_shipment_holds_the_goods_not_the_order(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(credit_control="shipment")
    order = _order(shop, LineInput(shop.beer.pk, Decimal(240)))  # 1,356.00 > the 1,000 limit
    assert order.status == OrderStatus.CONFIRMED
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    with pytest.raises(BusinessRuleViolation) as refused:
        ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    assert refused.value.code == "credit_limit_exceeded"
    assert refused.value.message.startswith("Not shipped:")
    assert StockLevel.objects.get(product=shop.beer, location=shop.shelf).on_hand == 240
