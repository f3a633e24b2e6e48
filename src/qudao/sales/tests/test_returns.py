"""Returns (退货): review, receiving at the shipment's cost, serials, credit notes, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.models import PriceListItem
from qudao.catalog.tests.factories import PriceListItemFactory, ProductFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.models import Invoice, InvoiceKind, Payment
from qudao.finance.services.payments import PaymentData, receive_payment
from qudao.inventory.models import StockLevel, StockMove
from qudao.inventory.services import MoveLine, move_stock
from qudao.sales.models import SalesSettings, SoldSerial
from qudao.sales.models_returns import Disposition, ReturnStatus, SalesReturn
from qudao.sales.services import (
    LineInput,
    OrderData,
    create_delivery,
    invoice_delivery,
    place_order,
    ship_delivery,
)
from qudao.sales.services.returns import (
    ReturnLineInput,
    approve_return,
    create_return,
    receive_return,
    reject_return,
)
from qudao.sales.services.takebacks import issue_pending_credit

from .conftest import Shop
from .helpers_returns import damaged_location, make_consignment, shipped, shipped_commitment

pytestmark = pytest.mark.django_db


def _return(shop: Shop, delivery, quantity: str, actor=None, **line):
    line.setdefault("location_id", shop.shelf.pk)
    return create_return(
        org=shop.org,
        actor=actor or shop.rep,
        delivery=delivery,
        reason="临期退货",
        lines=[ReturnLineInput(delivery.lines.get().pk, Decimal(quantity), **line)],
    )


def test_a_reviewed_return_restocks_at_the_shipment_cost_and_lowers_the_commitment(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    assert shipped_commitment(delivery.order) == Decimal("135.60")
    # the average moves after shipping: the return must still come back at 3, not 7
    move_stock(
        org=shop.org,
        actor=shop.keeper,
        moves=[
            MoveLine(
                shop.beer.pk, Decimal(216), to_location_id=shop.shelf.pk, unit_cost=Decimal(11)
            )
        ],
        reason="receipt",
    )
    sales_return = _return(shop, delivery, "10")
    assert sales_return.status == ReturnStatus.REVIEW and sales_return.number.startswith("RT")
    assert sales_return.total == Decimal("56.50")
    with pytest.raises(BusinessRuleViolation) as refused:
        receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    assert refused.value.code == "not_reviewed"
    with pytest.raises(PermissionDenied):
        approve_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    approve_return(org=shop.org, actor=shop.finance, sales_return=sales_return)
    receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.RECEIVED and sales_return.credit_note_id is None
    move = StockMove.objects.get(reference_type="sales_return", reference_id=sales_return.pk)
    assert (move.kind, move.quantity, move.unit_cost) == ("return", Decimal(10), Decimal(3))
    level = StockLevel.objects.get(product=shop.beer, location=shop.shelf)
    assert level.on_hand == Decimal(240 - 24 + 216 + 10)
    assert shipped_commitment(delivery.order) == Decimal("79.10")
    # the later invoice charges only what the customer kept
    invoice = Invoice.objects.get(
        pk=invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    )
    assert invoice.total == Decimal("79.10")
    assert shipped_commitment(delivery.order) == Decimal("0.00")


def test_an_invoiced_return_waits_for_finance_to_issue_the_credit_note(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(return_review=False)
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    invoice_id = invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    delivery.refresh_from_db()
    scrap = damaged_location(shop)
    sales_return = _return(
        shop, delivery, "5", actor=shop.keeper, disposition=Disposition.SCRAP, location_id=scrap.pk
    )
    assert sales_return.status == ReturnStatus.APPROVED
    receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert sales_return.credit_pending and sales_return.credit_note_id is None
    move = StockMove.objects.get(reference_type="sales_return", reference_id=sales_return.pk)
    assert (move.kind, move.to_location_id) == ("scrap", scrap.pk)
    with pytest.raises(PermissionDenied):
        issue_pending_credit(org=shop.org, actor=shop.keeper, document=sales_return)
    issue_pending_credit(org=shop.org, actor=shop.finance, document=sales_return)
    sales_return.refresh_from_db()
    note = Invoice.objects.get(pk=sales_return.credit_note_id)
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.credited_invoice_id == invoice_id
    assert note.total == Decimal("28.25") and not sales_return.credit_pending
    with pytest.raises(BusinessRuleViolation) as refused:
        issue_pending_credit(org=shop.org, actor=shop.finance, document=sales_return)
    assert refused.value.code == "no_credit_pending"


def test_the_boss_receiving_an_invoiced_return_issues_the_credit_note_at_once(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    delivery.refresh_from_db()
    sales_return = _return(shop, delivery, "12")
    approve_return(org=shop.org, actor=shop.boss, sales_return=sales_return)
    receive_return(org=shop.org, actor=shop.boss, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert Invoice.objects.get(pk=sales_return.credit_note_id).total == Decimal("67.80")


def test_returned_serials_are_freed(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(return_review=False)
    tv = ProductFactory(code="TV", name="电视机", base_unit="台", is_serialized=True)
    price_list = PriceListItem.objects.get(product=shop.beer).price_list
    PriceListItemFactory(price_list=price_list, product=tv, unit_price=Decimal("400"))
    move_stock(
        org=shop.org,
        actor=shop.keeper,
        moves=[
            MoveLine(
                tv.pk, Decimal(1), to_location_id=shop.shelf.pk, unit_cost=Decimal(500), serial=s
            )
            for s in ("SN1", "SN2")
        ],
        reason="receipt",
    )

    order = place_order(
        org=shop.org,
        actor=shop.boss,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(tv.pk, Decimal(2))],
    )
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    line = delivery.lines.get()
    ship_delivery(
        org=shop.org,
        actor=shop.keeper,
        delivery=delivery,
        serials={line.order_line_id: ["SN1", "SN2"]},
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        _return(shop, delivery, "1", serials=["SN9"])
    assert refused.value.code == "serial_not_shipped"
    sales_return = _return(shop, delivery, "1", serials=["SN2"])
    receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    assert SoldSerial.objects.get(serial="SN2").returned_at is not None
    assert SoldSerial.objects.get(serial="SN1").returned_at is None
    move = StockMove.objects.get(reference_type="sales_return", reference_id=sales_return.pk)
    assert (move.serial, move.unit_cost) == ("SN2", Decimal(500))


def test_refusals_write_nothing(shop: Shop):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    first = _return(shop, delivery, "8")
    for kwargs, code in (
        ({"quantity": "5"}, "more_than_shipped"),  # 12 shipped, 8 already on a return
        ({"quantity": "-1"}, "invalid_quantity"),
        ({"quantity": "1", "location_id": damaged_location(shop).pk}, "invalid_location"),
        ({"quantity": "1", "disposition": Disposition.SCRAP}, "invalid_location"),
    ):
        quantity = kwargs.pop("quantity")
        with pytest.raises(BusinessRuleViolation) as refused:
            _return(shop, delivery, quantity, **kwargs)
        assert refused.value.code == code
    with pytest.raises(BusinessRuleViolation) as refused:
        create_return(org=shop.org, actor=shop.rep, delivery=delivery, reason=" ", lines=[])
    assert refused.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        _return(shop, delivery, "1", actor=shop.finance)
    assert SalesReturn.objects.count() == 1
    reject_return(org=shop.org, actor=shop.boss, sales_return=first, reason="超过退货期")
    assert _return(shop, delivery, "12").total == Decimal("67.80")  # rejected frees the quantity


def test_consignment_goods_are_recalled_not_returned(shop: Shop):
    make_consignment(shop)
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    with pytest.raises(BusinessRuleViolation) as refused:
        _return(shop, delivery, "1")
    assert refused.value.code == "consignment_delivery"


def test_a_return_from_a_paid_invoice_is_credited_and_the_money_left_on_the_prepayment_balance(
    shop: Shop,
):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    receive_payment(
        org=shop.org,
        actor=shop.finance,
        data=PaymentData(
            customer_id=shop.customer.pk,
            date=timezone.localdate(),
            amount=Decimal("67.80"),
            method="cash",
        ),
        auto_allocate=True,
    )
    delivery.refresh_from_db()
    sales_return = _return(shop, delivery, "2")
    approve_return(org=shop.org, actor=shop.boss, sales_return=sales_return)
    receive_return(org=shop.org, actor=shop.boss, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.RECEIVED and not sales_return.credit_pending
    note = Invoice.objects.get(pk=sales_return.credit_note_id)
    invoice = Invoice.objects.get(pk=delivery.invoice_id)
    assert note.total == Decimal("11.30")
    assert (invoice.amount_paid, invoice.amount_credited, invoice.open_amount) == (
        Decimal("56.50"),
        Decimal("11.30"),
        Decimal("0.00"),
    )
    assert Payment.objects.get(customer=shop.customer).unallocated == Decimal("11.30")
    assert StockMove.objects.filter(reference_type="sales_return").count() == 1
