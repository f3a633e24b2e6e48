"""Consignment (代销): sell-through reports, settlement into an invoice, recalls, refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.models import Invoice
from qudao.inventory.models import Location, StockLevel, StockMove
from qudao.sales.models_returns import ReportSource, SellThroughReport
from qudao.sales.selectors_consignment import consignment_stock
from qudao.sales.services import LineInput
from qudao.sales.services.consignment import (
    ReportData,
    recall_consignment,
    report_sell_through,
    settle_consignment,
)
from qudao.tenancy.roles import Role

from .conftest import Shop
from .helpers_returns import make_consignment, shipped, shipped_commitment

pytestmark = pytest.mark.django_db


def _report(shop: Shop, actor, **quantities: str) -> SellThroughReport:
    today = timezone.localdate()
    products = {"beer": shop.beer.pk, "wine": shop.wine.pk}
    return report_sell_through(
        org=shop.org,
        actor=actor,
        customer=shop.customer,
        data=ReportData(
            period_start=today - datetime.timedelta(days=6),
            period_end=today,
            quantities={products[k]: Decimal(v) for k, v in quantities.items()},
            source=ReportSource.STAFF,
        ),
    )


def test_reported_sales_settle_into_an_invoice_and_recalls_bring_the_rest_back(shop: Shop, member):
    make_consignment(shop)
    delivery = shipped(
        shop, LineInput(shop.beer.pk, Decimal(24)), LineInput(shop.wine.pk, Decimal(2))
    )
    order = delivery.order
    assert shipped_commitment(order) == Decimal("248.60")
    location = Location.objects.get(kind="consignment", customer=shop.customer)
    retailer = member(Role.RETAILER, party=shop.customer)
    _report(shop, shop.rep, beer="10")
    _report(shop, retailer, beer="4", wine="1")
    with pytest.raises(BusinessRuleViolation) as refused:
        _report(shop, shop.rep, beer="11")  # 24 - 14 reported = 10 left
    assert refused.value.code == "more_than_on_hand"
    settlement = settle_consignment(org=shop.org, actor=shop.finance, customer=shop.customer)
    invoice = Invoice.objects.get(pk=settlement.invoice_id)
    # 14 beer × 5 = 70.00 + 9.10 VAT; 1 wine × 50 = 50.00 + 6.50 VAT
    assert invoice.total == settlement.total == Decimal("135.60")
    assert StockLevel.objects.get(product=shop.beer, location=location).on_hand == Decimal(10)
    move = StockMove.objects.get(
        reference_type="consignment_settlement", reference_id=settlement.pk, product=shop.beer
    )
    assert (move.kind, move.to_location_id, move.unit_cost) == ("shipment", None, Decimal(3))
    assert shipped_commitment(order) == Decimal("113.00")
    with pytest.raises(BusinessRuleViolation) as refused:
        settle_consignment(org=shop.org, actor=shop.finance, customer=shop.customer)
    assert refused.value.code == "nothing_to_settle"
    recall = recall_consignment(
        org=shop.org,
        actor=shop.keeper,
        customer=shop.customer,
        location=shop.shelf,
        quantities={shop.beer.pk: Decimal(10)},
        reason="滞销",
    )
    assert recall.number.startswith("CR")
    assert StockLevel.objects.get(product=shop.beer, location=location).on_hand == 0
    assert shipped_commitment(order) == Decimal("56.50")  # the wine still out
    rows = {row.product.code: row for row in consignment_stock(shop.customer)}
    beer = rows["BEER"]
    assert (beer.shipped_in, beer.reported, beer.settled, beer.recalled, beer.on_hand) == (
        Decimal(24),
        Decimal(14),
        Decimal(14),
        Decimal(10),
        Decimal(0),
    )
    assert rows["WINE"].unreported == Decimal(1)


def test_only_the_retailer_itself_and_staff_may_report_and_bad_input_writes_nothing(
    shop: Shop, member
):
    make_consignment(shop)
    shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    other = member(Role.RETAILER)
    with pytest.raises(PermissionDenied):
        _report(shop, other, beer="1")
    with pytest.raises(PermissionDenied):
        _report(shop, shop.finance, beer="1")
    with pytest.raises(BusinessRuleViolation) as refused:
        _report(shop, shop.rep, wine="1")  # no wine at the customer
    assert refused.value.code == "more_than_on_hand"
    with pytest.raises(BusinessRuleViolation) as refused:
        _report(shop, shop.rep)
    assert refused.value.code == "empty_report"
    with pytest.raises(PermissionDenied):
        settle_consignment(org=shop.org, actor=shop.keeper, customer=shop.customer)
    with pytest.raises(BusinessRuleViolation) as refused:
        recall_consignment(
            org=shop.org,
            actor=shop.keeper,
            customer=shop.customer,
            location=Location.objects.get(kind="consignment"),
            quantities={shop.beer.pk: Decimal(1)},
        )
    assert refused.value.code == "invalid_location"
    assert not SellThroughReport.objects.exists()
