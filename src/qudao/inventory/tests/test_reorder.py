"""Reorder suggestions (勤进快销): sales per day × (lead + review + safety days) − available."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qudao.catalog.models import PackagingUnit
from qudao.catalog.tests.factories import ProductFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.inventory.models import ReorderRule
from qudao.inventory.reports.reorder import reorder_suggestions, suggestion
from qudao.inventory.services import (
    RuleData,
    create_reorder_rule,
    delete_reorder_rule,
    update_reorder_rule,
)
from qudao.inventory.tests.conftest import TODAY
from qudao.inventory.tests.factories import LocationFactory
from qudao.tenancy.roles import Role


@pytest.fixture
def carton(org, product):
    return PackagingUnit.objects.create(org=org, product=product, name="箱", factor=Decimal("12"))


@pytest.fixture
def plan(org, keeper, product, carton, shelf, receive, ship, clock):
    """BEER-1 sells 2 a day and has 10 left; SLOW-R sells 1 a day with 72 left; NEW-R never sold."""
    steady = ProductFactory(code="SLOW-R")
    new = ProductFactory(code="NEW-R")
    clock(-40)
    receive(product, shelf, "66")
    receive(steady, shelf, "100")
    clock(-20)
    ship(product, shelf, "28")
    clock(-10)
    ship(steady, shelf, "28")
    clock(-5)
    ship(product, shelf, "28")
    clock(0)
    warehouse = shelf.warehouse_id
    rules = {
        "BEER-1": create_reorder_rule(
            org=org,
            actor=keeper,
            data=RuleData(
                product_id=product.pk,
                warehouse_id=warehouse,
                lead_time_days=7,
                review_period_days=7,
                safety_days=7,
                packaging_unit_id=carton.pk,
            ),
        ),
        "SLOW-R": create_reorder_rule(
            org=org,
            actor=keeper,
            data=RuleData(product_id=steady.pk, warehouse_id=warehouse, lead_time_days=7),
        ),
        "NEW-R": create_reorder_rule(
            org=org,
            actor=keeper,
            data=RuleData(product_id=new.pk, lead_time_days=3, safety_quantity=Decimal("5")),
        ),
    }
    return rules


def test_suggestions_round_up_to_whole_cartons_most_urgent_first(plan, django_assert_num_queries):
    # when
    with django_assert_num_queries(1):
        rows = list(reorder_suggestions(window=28, now=TODAY))

    # then: the order follows days of cover; never sold comes last
    assert [rule.product.code for rule in rows] == ["BEER-1", "SLOW-R", "NEW-R"]
    beer, steady, new = (suggestion(rule, window=28) for rule in rows)
    # 56 sold in 28 days = 2 a day; 10 available lasts 5 days; target 2 × (7 + 7) + 2 × 7 = 42;
    # 42 − 10 = 32 → 3 cartons of 12 = 36
    assert (beer.velocity, beer.cover, beer.target) == (Decimal("2"), Decimal("5"), Decimal("42"))
    assert (beer.suggested, beer.packs, beer.is_urgent) == (Decimal("36"), Decimal("3"), True)
    # 1 a day, 72 available: target 1 × (7 + 7) = 14 → nothing to order
    assert (steady.cover, steady.suggested, steady.is_urgent) == (
        Decimal("72"),
        Decimal("0"),
        False,
    )
    # nothing sold, nothing in stock: order up to the minimum stock of 5
    assert (new.cover, new.suggested, new.packs, new.is_urgent) == (None, Decimal("5"), None, True)


def test_a_rule_for_all_warehouses_adds_them_up(org, keeper, product, shelf, receive, ship, clock):
    # given: 14 sold from each of two warehouses in 28 days; 3 left in each
    far = LocationFactory(code="B1", warehouse__code="BJ")
    clock(-10)
    receive(product, shelf, "17")
    receive(product, far, "17")
    ship(product, shelf, "14")
    ship(product, far, "14")
    clock(0)
    create_reorder_rule(
        org=org, actor=keeper, data=RuleData(product_id=product.pk, lead_time_days=2)
    )

    # when
    (rule,) = reorder_suggestions(window=28, now=TODAY)

    # then: 1 a day, 6 available → 6 days of cover; target 1 × (2 + 7) = 9 → order 3
    figures = suggestion(rule, window=28)
    assert (rule.available, figures.velocity, figures.cover) == (
        Decimal("6"),
        Decimal("1"),
        Decimal("6"),
    )
    assert figures.suggested == Decimal("3")


BAD_RULES = [
    ({"lead_time_days": -1}, "lead_time_days"),
    ({"lead_time_days": 400}, "lead_time_days"),
    ({"lead_time_days": 0, "review_period_days": 0}, "lead_time_days"),
    ({"safety_quantity": Decimal("-1")}, "safety_quantity"),
    ({"safety_quantity": Decimal("0.0001")}, "safety_quantity"),
    ({"warehouse_id": 987654}, "warehouse"),
    ({"product_id": 987654}, "product"),
    ({"note": "长" * 301}, "note"),
]


@pytest.mark.parametrize(("change", "field"), BAD_RULES)
def test_bad_rules_are_refused_and_nothing_is_written(org, keeper, product, shelf, change, field):
    # given
    data = {"product_id": product.pk, "warehouse_id": shelf.warehouse_id, "lead_time_days": 7}

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        create_reorder_rule(org=org, actor=keeper, data=RuleData(**(data | change)))

    # then
    assert field in refused.value.fields
    assert ReorderRule.objects.count() == 0


def test_another_products_carton_and_a_second_rule_are_refused(org, keeper, plan, product):
    other = ProductFactory(code="OTHER")
    foreign = PackagingUnit.objects.create(org=org, product=other, name="件", factor=Decimal(6))
    rule = plan["BEER-1"]
    base = {"product_id": product.pk, "warehouse_id": rule.warehouse_id, "lead_time_days": 3}
    with pytest.raises(BusinessRuleViolation) as refused:
        update_reorder_rule(
            org=org, actor=keeper, rule=rule, data=RuleData(**base, packaging_unit_id=foreign.pk)
        )
    assert refused.value.code == "unknown_unit"
    with pytest.raises(BusinessRuleViolation) as refused:
        create_reorder_rule(org=org, actor=keeper, data=RuleData(**base))
    assert refused.value.code == "duplicate_rule"
    rule.refresh_from_db()
    assert (rule.lead_time_days, rule.packaging_unit_id) == (7, plan["BEER-1"].packaging_unit_id)
    assert ReorderRule.objects.count() == 3


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.FINANCE, Role.READONLY])
def test_only_boss_and_warehouse_keep_rules(org, member, plan, product, role):
    actor = member(role)
    with pytest.raises(PermissionDenied):
        create_reorder_rule(
            org=org, actor=actor, data=RuleData(product_id=product.pk, lead_time_days=1)
        )
    with pytest.raises(PermissionDenied):
        delete_reorder_rule(org=org, actor=actor, rule=plan["BEER-1"])
    assert ReorderRule.objects.count() == 3


def test_the_page_shows_the_suggestion_in_cartons(plan, login, member):
    # when
    page = login(member(Role.SALES_REP)).get(reverse("inventory-reorder")).content.decode()

    # then: a sales rep reads it (VIEW_STOCK) but may not change the rules
    assert 'data-suggested="36"' in page
    assert "= 3 箱" in page
    assert "On order: what confirmed purchase orders still bring" in page
    assert 'data-testid="on-order"><span class="text-secondary">0</span>' in page
    assert reverse("inventory-reorder-rule-create") not in page
    order = [page.index(f'data-product="{code}"') for code in ("BEER-1", "SLOW-R", "NEW-R")]
    assert order == sorted(order)


def test_only_what_needs_ordering_can_be_shown(plan, login, boss):
    page = login(boss).get(reverse("inventory-reorder") + "?need=0").content.decode()
    assert 'data-product="BEER-1"' in page and 'data-product="NEW-R"' in page
    assert 'data-product="SLOW-R"' not in page


def test_the_page_costs_the_same_number_of_queries_for_one_row_or_many(
    org, plan, keeper, login, boss, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(boss)
    url = reverse("inventory-reorder")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(12):
        product = ProductFactory(code=f"MORE-{n}")
        create_reorder_rule(
            org=org, actor=keeper, data=RuleData(product_id=product.pk, lead_time_days=n)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_export_lists_every_suggestion(plan, login, boss):
    response = login(boss).get(reverse("inventory-reorder-export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Code"
    beer = rows[1]
    assert (beer[0], beer[5], beer[13], beer[14], beer[15]) == ("BEER-1", 0, 36, 3, "箱")
    assert [row[0] for row in rows[1:]] == ["BEER-1", "SLOW-R", "NEW-R"]


def test_a_keeper_adds_edits_and_removes_a_rule_through_the_pages(
    org, keeper, login, product, carton, shelf
):
    client = login(keeper)
    form = {
        "product": "BEER-1",
        "warehouse": str(shelf.warehouse_id),
        "lead_time_days": "5",
        "review_period_days": "7",
        "safety_days": "2",
        "safety_quantity": "0",
        "packaging_unit": "箱",
        "note": "",
    }
    assert client.post(reverse("inventory-reorder-rule-create"), form).status_code == 302
    rule = ReorderRule.objects.get()
    assert (rule.lead_time_days, rule.packaging_unit_id) == (5, carton.pk)

    response = client.post(
        reverse("inventory-reorder-rule-edit", args=[rule.pk]), form | {"packaging_unit": "托"}
    )
    assert response.status_code == 200
    assert "no packaging unit named" in response.content.decode()
    rule.refresh_from_db()
    assert rule.packaging_unit_id == carton.pk

    response = client.post(reverse("inventory-reorder-rule-delete", args=[rule.pk]))
    assert response.status_code == 302
    assert ReorderRule.objects.count() == 0


def test_a_sales_rep_cannot_open_the_rule_form(plan, login, rep):
    client = login(rep)
    assert client.get(reverse("inventory-reorder-rule-create")).status_code == 403
    rule = plan["BEER-1"]
    assert client.post(reverse("inventory-reorder-rule-delete", args=[rule.pk])).status_code == 403
    assert ReorderRule.objects.filter(pk=rule.pk).exists()


def test_deliveries_into_consignment_drain_the_warehouse(org, keeper, product, shelf, receive):
    # given: 20 received, 14 delivered into a retailer's consignment location
    from qudao.catalog.tests.factories import CustomerFactory
    from qudao.inventory.services import MoveLine, move_stock

    store = LocationFactory(
        warehouse=shelf.warehouse, code="C1", kind="consignment", customer=CustomerFactory()
    )
    receive(product, shelf, "20")
    move_stock(
        org=org,
        actor=keeper,
        moves=[
            MoveLine(
                product_id=product.pk,
                quantity=Decimal("14"),
                from_location_id=shelf.pk,
                to_location_id=store.pk,
            )
        ],
        reason="transfer",
    )
    create_reorder_rule(
        org=org,
        actor=keeper,
        data=RuleData(product_id=product.pk, warehouse_id=shelf.warehouse_id, lead_time_days=7),
    )

    # when
    (rule,) = reorder_suggestions(window=14)

    # then: 14 in 14 days = 1 a day; the 6 left in the warehouse (not the consignment 14)
    figures = suggestion(rule, window=14)
    assert (rule.available, figures.velocity, figures.suggested) == (
        Decimal("6"),
        Decimal("1"),
        Decimal("8"),
    )


def test_the_most_urgent_come_first_when_sales_are_not_whole_per_day(
    org, keeper, shelf, receive, ship, login, boss
):
    # given: the same 148 available, and 30, 50 and 10 sold in 28 days
    for code, sold in (("A-30", "30"), ("B-50", "50"), ("C-10", "10")):
        product = ProductFactory(code=code)
        receive(product, shelf, str(148 + int(sold)))
        ship(product, shelf, sold)
        create_reorder_rule(
            org=org, actor=keeper, data=RuleData(product_id=product.pk, lead_time_days=7)
        )

    # when
    codes = [rule.product.code for rule in reorder_suggestions(window=28)]
    page = login(boss).get(reverse("inventory-reorder")).content.decode()

    # then: 148 ÷ (50/28) = 82.9 days, 148 ÷ (30/28) = 138.1, 148 ÷ (10/28) = 414.4
    assert codes == ["B-50", "A-30", "C-10"]
    shown = [page.index(f'data-product="{code}"') for code in codes]
    assert shown == sorted(shown)
    assert "82.9" in page and "138.1" in page and "414.4" in page


def test_the_edit_form_shows_zero_days_as_zero(plan, login, keeper):
    rule = plan["SLOW-R"]
    page = login(keeper).get(reverse("inventory-reorder-rule-edit", args=[rule.pk])).content
    assert 'name="safety_days" id="id_safety_days" class="form-control" value="0"' in page.decode()
