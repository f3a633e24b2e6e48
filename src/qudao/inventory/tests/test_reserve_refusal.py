"""A reservation of several products refuses naming every short product, not the first one,
and sets nothing aside."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qudao.catalog.tests.factories import ProductFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.inventory.models import Reservation, StockLevel
from qudao.inventory.services import reserve_stock_many

pytestmark = pytest.mark.django_db


def test_every_short_product_is_named_and_nothing_is_reserved(org, product, shelf, receive):
    # given beer in stock, an air conditioner with 1 and a filter with none
    aircon = ProductFactory(code="LF0001", name="变频空调")
    filter_ = ProductFactory(code="JY0007", name="滤芯")
    receive(product, shelf, "10")
    receive(aircon, shelf, "1")

    # when an order wants all three
    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_stock_many(
            org=org,
            quantities={product.pk: Decimal(2), aircon.pk: Decimal(2), filter_.pk: Decimal(3)},
            warehouse_id=shelf.warehouse_id,
            reference="sales_order:1",
        )

    # then both short products are named, with what is there and what was asked
    assert refused.value.code == "insufficient_stock"
    assert refused.value.message == (
        "Only 1 of LF0001 变频空调 available at 上海仓, 2 asked. "
        "Only 0 of JY0007 滤芯 available at 上海仓, 3 asked."
    )
    assert not Reservation.objects.exists()
    assert set(StockLevel.objects.values_list("reserved", flat=True)) == {Decimal("0.000")}
