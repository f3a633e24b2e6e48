"""Reorder suggestions count what open purchase orders still bring (purchasing registers the
lookup with inventory, which sits below it)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qudao.inventory.reports.reorder import reorder_suggestions, suggestion
from qudao.inventory.services import MoveLine, RuleData, create_reorder_rule, move_stock
from qudao.inventory.tests.factories import WarehouseFactory
from qudao.purchasing import services
from qudao.tenancy.services import issue_api_token

pytestmark = pytest.mark.django_db


def _order(org, boss, supplier, beer, quantity, *, warehouse=None, confirm=True):
    order = services.create_order(
        org=org,
        actor=boss,
        data=services.OrderData(
            supplier_id=supplier.pk, warehouse_id=warehouse.pk if warehouse else None
        ),
    )
    services.set_order_line(
        org=org, actor=boss, order=order, product_id=beer.pk, quantity=Decimal(quantity)
    )
    return services.confirm_order(org=org, actor=boss, order=order) if confirm else order


@pytest.fixture
def rules(org, boss, keeper, supplier, beer, shelf, warehouse):
    """BEER-1: 56 sold in 28 days (2 a day), 10 left in 上海仓; a rule for 上海仓 (7 + 7 days,
    7 safety days, whole cartons of 12) and one for all warehouses (30 + 7 days)."""
    move_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(beer.pk, Decimal(66), to_location_id=shelf.pk, unit_cost=Decimal(2))],
        reason="receipt",
    )
    move_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(beer.pk, Decimal(56), from_location_id=shelf.pk)],
        reason="shipment",
    )
    here = create_reorder_rule(
        org=org,
        actor=keeper,
        data=RuleData(
            product_id=beer.pk,
            warehouse_id=warehouse.pk,
            lead_time_days=7,
            safety_days=7,
            packaging_unit_id=beer.packaging_units.get().pk,
        ),
    )
    everywhere = create_reorder_rule(
        org=org, actor=keeper, data=RuleData(product_id=beer.pk, lead_time_days=30)
    )
    # 24 for 上海仓, 4 of them already received: 20 still to come
    partly = _order(org, boss, supplier, beer, 24, warehouse=warehouse)
    services.post_receipt(
        org=org,
        actor=keeper,
        order=partly,
        lines=[services.ReceiptLineData(product_id=beer.pk, quantity=Decimal(4))],
        location_id=shelf.pk,
    )
    _order(org, boss, supplier, beer, 12)  # no warehouse: only the all-warehouse rule
    _order(org, boss, supplier, beer, 50, warehouse=WarehouseFactory(code="BJ", name="北京仓"))
    _order(org, boss, supplier, beer, 100, warehouse=warehouse, confirm=False)  # a draft
    return here, everywhere


def test_the_suggestion_subtracts_what_is_on_order_into_the_rules_warehouse(
    rules, django_assert_num_queries
):
    # when
    with django_assert_num_queries(1):
        rows = {rule.pk: rule for rule in reorder_suggestions(window=28)}
    here, everywhere = (rows[rule.pk] for rule in rules)

    # then: 上海仓 has 14 (10 + 4 received) and 20 coming; target 2 × (7 + 7) + 2 × 7 = 42;
    # 42 − 14 − 20 = 8 → one carton of 12 (without on order it would have been 3 cartons)
    figures = suggestion(here, window=28)
    assert (here.available, figures.on_order, figures.target) == (14, Decimal(20), Decimal(42))
    assert (figures.suggested, figures.packs, figures.cover) == (
        Decimal(12),
        Decimal(1),
        Decimal("7.0"),
    )
    # all warehouses: 20 + 12 (no warehouse) + 50 (北京仓) on order; 2 × 37 − 14 − 82 < 0
    figures = suggestion(everywhere, window=28)
    assert (figures.on_order, figures.suggested) == (Decimal(82), Decimal(0))


def test_a_fully_received_or_closed_order_is_no_longer_on_order(org, boss, keeper, rules, beer):
    # given: the 12 without a warehouse arrive, 13 of them (one over)
    from qudao.purchasing.models import PurchaseOrder

    order = PurchaseOrder.objects.get(warehouse__isnull=True)
    services.post_receipt(
        org=org,
        actor=keeper,
        order=order,
        lines=[services.ReceiptLineData(product_id=beer.pk, quantity=Decimal(13))],
        location_id=rules[0].warehouse.locations.get().pk,
    )

    # then: 20 + 50 still to come; the extra bottle does not count against the rest
    everywhere = next(r for r in reorder_suggestions(window=28) if r.warehouse_id is None)
    assert suggestion(everywhere, window=28).on_order == Decimal(70)


def test_the_page_the_export_and_the_api_show_on_order(client, org, boss, login, rules):
    here = rules[0]
    page = login(boss).get(reverse("inventory-reorder")).content.decode()
    assert 'data-testid="on-order">20</td>' in page and "On order" in page

    response = login(boss).get(reverse("inventory-reorder-export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][5] == "On order"
    assert {(row[2], row[5], row[13]) for row in rows[1:]} == {
        ("上海仓", 20, 12),
        ("All warehouses", 82, 0),
    }

    _token, raw = issue_api_token(org=org, actor=boss, name="test")
    response = client.get("/api/v1/reorder-suggestions", HTTP_AUTHORIZATION=f"Bearer {raw}")
    items = {row["rule_id"]: row for row in json.loads(response.content)["results"]}
    assert (items[here.pk]["on_order"], items[here.pk]["suggested_quantity"]) == ("20.000", "12")
