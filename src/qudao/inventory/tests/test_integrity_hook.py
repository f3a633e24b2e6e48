from decimal import Decimal

from qudao.inventory.models import StockLevel
from qudao.tenancy.integrity import run_integrity_check


def test_the_nightly_check_finds_a_stock_level_that_lost_its_moves(org, boss, product):
    from qudao.inventory.tests.factories import LocationFactory

    # given: a stock level with no move behind it (no service writes this)
    location = LocationFactory(org=org)
    StockLevel.objects.create(
        org=org,
        product=product,
        location=location,
        warehouse_id=location.warehouse_id,
        on_hand=Decimal("5"),
    )

    # when
    run = run_integrity_check(org=org)

    # then
    assert {"check": "inventory.stock_level_differs_from_moves", "rows": 1} in run.problems
