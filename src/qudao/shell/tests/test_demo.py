"""The demo data: what `qudao demo --size small` builds, its prices, and that the seed decides it.

The small set is built once for the module (inside a transaction rolled back at the end);
each test runs in its own savepoint on top of it, as pytest-django's `db` fixture does.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from qudao.analytics import cash
from qudao.catalog.models import (
    Brand,
    Category,
    LaunchStatus,
    PackagingUnit,
    PriceKind,
    PriceList,
    PriceListItem,
    Product,
)
from qudao.catalog.selectors import price_for
from qudao.catalog.validation import is_valid_ean13, pinyin_initials
from qudao.finance.models import BillClearing, CreditMode, Statement
from qudao.inventory.models import MoveKind, StockLevel, StockMove
from qudao.parties.models import Party, PartyKind, Tier
from qudao.purchasing.claim_models import ReceiptClaim
from qudao.sales.models import DeliveryNote, DeliveryStatus, OrderStatus, SalesOrder
from qudao.shell import demo
from qudao.tenancy.integrity import run_integrity_check
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import org_scope

ON = date(2026, 11, 1)
ONE = Decimal(1)


@pytest.fixture(scope="module")
def built(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[tuple[Organization, list[tuple[int, str]]]]:
    """The small demo set and the progress steps `build` reported, rolled back afterwards."""
    steps: list[tuple[int, str]] = []
    with django_db_blocker.unblock(), transaction.atomic():
        org = demo.build(size="small", progress=lambda n, label: steps.append((n, label)))
        yield org, steps
        transaction.set_rollback(True)


@pytest.fixture
def demo_org(built: tuple[Organization, list[tuple[int, str]]], db: None) -> Iterator[Organization]:
    org, _steps = built
    with org_scope(org):
        yield org


# --- the plans, without a database ----------------------------------------------------------


@pytest.mark.parametrize("size", sorted(demo.SIZES))
def test_every_size_plans_distinct_well_formed_products_with_ordered_prices(size):
    rows = demo.catalog_rows(size)
    assert len(rows) == demo.SIZES[size].products
    assert len({r.code for r in rows}) == len(rows)
    assert len({r.name for r in rows}) == len(rows)
    barcodes = [r.barcode for r in rows] + [p.barcode for r in rows for p in r.packs]
    assert len(set(barcodes)) == len(barcodes)
    assert all(is_valid_ean13(r.barcode) and r.barcode.startswith("69") for r in rows)
    assert {r.category for r in rows} >= {"JD0101", "JD0203", "JD0401", "RH0101", "SP0201"}
    # price_rows refuses a product whose prices are out of order
    lists = demo.price_rows(rows, [("C000001", "甲"), ("C000002", "乙")])
    assert len(lists) == demo.PRICE_LISTS
    assert all(
        isinstance(i.unit_price, Decimal) and i.unit_price == i.unit_price.quantize(Decimal("0.01"))
        for price_list in lists
        for i in price_list.items
    )


def test_the_plans_repeat_for_a_seed_and_change_with_it():
    keys = [("C000001", "甲"), ("C000002", "乙")]
    first, again, other = (demo.catalog_rows("small", s) for s in (7, 7, 8))
    assert first == again
    assert [r.name for r in first] != [r.name for r in other]
    assert demo.price_rows(first, keys, 7) == demo.price_rows(again, keys, 7)
    spec, districts = demo.SIZES["small"], demo.district_names()

    def people(seed: int) -> tuple[object, ...]:
        rng = random.Random(seed)
        return (
            demo.rep_rows(rng, spec),
            demo.supplier_rows(rng),
            list(demo.customer_batches(rng, spec, districts)),
            demo.branch_customer_rows(rng),
        )

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_packaging_barcodes_are_gtin14_of_the_product_code():
    row = next(r for r in demo.catalog_rows("small") if r.packs)
    case = row.packs[0].barcode
    assert len(case) == 14 and case[1:13] == row.barcode[:12]
    assert demo.gtin_check_digit(case[:13]) == int(case[13])
    assert demo.gtin_check_digit(row.barcode[:12]) == int(row.barcode[12])


# --- the built data ---------------------------------------------------------------------


def test_small_demo_has_the_specified_rows(demo_org, built):
    _org, steps = built
    assert sum(n for n, _label in steps) == demo.total_steps("small")
    assert Brand.objects.count() == len(demo.BRANDS)
    per_supplier = Counter(Brand.objects.values_list("supplier__code", flat=True))
    assert set(per_supplier) == {code for code, *_rest in demo.SUPPLIERS}
    assert all(1 <= n <= 3 for n in per_supplier.values())
    assert Category.objects.count() == len(demo.CATEGORIES)
    assert set(Category.objects.filter(parent=None).values_list("name", flat=True)) == {
        "家电",
        "日化",
        "食品饮料",
    }
    assert Product.objects.count() == demo.SIZES["small"].products
    assert Party.objects.filter(kind=PartyKind.CUSTOMER).count() == demo.SIZES["small"].customers
    assert PriceList.objects.count() == demo.PRICE_LISTS
    plan = demo.price_rows(demo.catalog_rows("small"), demo.key_customers(demo_org))
    assert PriceListItem.objects.count() == sum(len(p.items) for p in plan)


def test_categories_form_a_tree_with_id_paths(demo_org):
    for category in Category.objects.select_related("parent"):
        parent = category.parent
        assert category.path == f"{parent.path if parent else ''}{category.pk:08d}/"
        assert category.depth == (parent.depth + 1 if parent else 0)
    assert Category.objects.get(name="净水设备").parent.name == "家电"
    assert Category.objects.get(name="粮油").parent.name == "食品饮料"


def test_products_carry_valid_barcodes_units_and_pinyin(demo_org):
    products = list(Product.objects.select_related("brand", "category"))
    packs = Counter(PackagingUnit.objects.values_list("product_id", flat=True))
    for product in products:
        assert is_valid_ean13(product.barcode) and product.barcode.startswith("69"), product
        assert product.pinyin == pinyin_initials(product.name)
        assert product.name.startswith(product.brand.name)
        assert product.is_serialized == (product.base_unit == "台")
        if product.base_unit in {"瓶", "支", "盒", "提", "罐"}:  # always sold by the case
            assert packs[product.pk] >= 1, product
    for unit in PackagingUnit.objects.select_related("product"):
        assert unit.factor > 0 and unit.name != unit.product.base_unit
        assert len(unit.barcode) == 14 and unit.barcode[1:13] == unit.product.barcode[:12]
    kettle = Product.objects.filter(name__startswith="暖阳 电热水壶").first()
    assert kettle is not None and kettle.is_serialized
    statuses = Counter(p.launch_status for p in products)
    assert statuses[LaunchStatus.ACTIVE] > len(products) / 2
    assert statuses[LaunchStatus.NEW] and statuses[LaunchStatus.PHASING_OUT]
    assert statuses[LaunchStatus.DISCONTINUED]
    for product in products:
        if product.launch_status == LaunchStatus.NEW:
            assert ON - timedelta(days=120) <= product.launch_date < ON


def _sample(count: int = 12) -> list[Product]:
    return list(Product.objects.filter(launch_date__lte=ON).order_by("code")[:: 120 // count])


def test_wholesale_lies_between_purchase_and_retail(demo_org):
    customer = Party.objects.filter(kind=PartyKind.CUSTOMER, tier=Tier.C).order_by("code").first()
    for product in _sample():
        common = {"org": demo_org, "product_id": product.pk, "on": ON, "quantity": ONE}
        wholesale = price_for(customer_id=customer.pk, **common)
        purchase = price_for(customer_id=None, kind=PriceKind.PURCHASE, **common)
        retail = price_for(customer_id=None, kind=PriceKind.RETAIL, **common)
        assert wholesale.scope == "default"
        assert wholesale.price_list_name == "2026年标准批发价"
        assert purchase.unit_price < wholesale.unit_price < retail.unit_price
        assert all(isinstance(q.unit_price, Decimal) for q in (purchase, wholesale, retail))


def test_tier_and_key_customers_get_their_own_prices(demo_org):
    keys = [code for code, _short in demo.key_customers(demo_org)]
    assert len(keys) == demo.KEY_CUSTOMERS
    tier_a = (
        Party.objects.filter(kind=PartyKind.CUSTOMER, tier=Tier.A)
        .exclude(code__in=keys)
        .order_by("code")
        .first()
    )
    for product in _sample():
        quote = price_for(
            org=demo_org, customer_id=tier_a.pk, product_id=product.pk, on=ON, quantity=ONE
        )
        listed = PriceListItem.objects.get(
            price_list__tier=Tier.A, product=product, valid_to__isnull=True
        )
        default = price_for(
            org=demo_org, customer_id=None, product_id=product.pk, on=ON, quantity=ONE
        )
        assert quote.scope == "tier" and quote.unit_price == listed.unit_price
        assert quote.unit_price < default.unit_price
    key = Party.objects.get(code=keys[0])
    item = PriceListItem.objects.filter(price_list__customer=key, valid_from__lte=ON).first()
    quote = price_for(
        org=demo_org, customer_id=key.pk, product_id=item.product_id, on=ON, quantity=ONE
    )
    assert quote.scope == "customer" and quote.unit_price == item.unit_price
    purchase = price_for(
        org=demo_org,
        customer_id=None,
        product_id=item.product_id,
        on=ON,
        quantity=ONE,
        kind=PriceKind.PURCHASE,
    )
    assert purchase.unit_price < quote.unit_price


def test_some_prices_were_replaced_on_the_first_of_july(demo_org):
    old_list = PriceList.objects.get(name="2025年标准批发价")
    assert (old_list.valid_from, old_list.valid_to) == (date(2025, 1, 1), date(2026, 6, 30))
    changed = list(old_list.items.values_list("product_id", flat=True))
    assert len(changed) >= 5
    for product_id in changed:
        common = {"org": demo_org, "customer_id": None, "product_id": product_id, "quantity": ONE}
        before = price_for(on=date(2026, 6, 30), **common)
        after = price_for(on=date(2026, 7, 1), **common)
        assert before.price_list_name == "2025年标准批发价" and before.valid_from.year == 2025
        assert after.price_list_name == "2026年标准批发价"
        assert after.valid_from == date(2026, 7, 1) and after.unit_price != before.unit_price
        retail = price_for(on=date(2025, 3, 1), kind=PriceKind.RETAIL, **common)
        assert before.unit_price < retail.unit_price


def test_volume_breaks_lower_the_default_price(demo_org):
    item = PriceListItem.objects.filter(
        price_list__name="2026年标准批发价", min_quantity__gt=0
    ).first()
    assert item is not None
    common = {"org": demo_org, "customer_id": None, "product_id": item.product_id, "on": ON}
    small = price_for(quantity=ONE, **common)
    big = price_for(quantity=item.min_quantity, **common)
    assert big.unit_price == item.unit_price < small.unit_price


def test_the_integrity_check_is_clean(demo_org):
    run = run_integrity_check(org=demo_org)
    assert run.checks > 0
    assert run.problems == []


def test_build_draws_only_from_the_seeded_generators(demo_org):
    """The rows in the database are exactly what the pure plans give for the default seed."""
    products = demo.catalog_rows("small", demo.DEFAULT_SEED)
    assert list(Product.objects.order_by("code").values_list("name", flat=True)[:20]) == [
        r.name for r in products[:20]
    ]
    assert list(Product.objects.order_by("code").values_list("barcode", flat=True)) == [
        r.barcode for r in products
    ]
    rng = random.Random(demo.DEFAULT_SEED)
    spec = demo.SIZES["small"]
    demo.rep_rows(rng, spec)
    demo.supplier_rows(rng)
    first = next(demo.customer_batches(rng, spec, demo.district_names()))
    customers = Party.objects.filter(kind=PartyKind.CUSTOMER).order_by("code")
    assert list(customers.values_list("name", flat=True)[:20]) == [
        c["name"] for c in first.customers[:20]
    ]
    plan = demo.price_rows(products, demo.key_customers(demo_org), demo.DEFAULT_SEED)
    expected = {
        (p.name, i.product, i.unit_price, i.min_quantity, i.valid_from, i.valid_to)
        for p in plan
        for i in p.items
    }
    stored = set(
        PriceListItem.objects.values_list(
            "price_list__name",
            "product__code",
            "unit_price",
            "min_quantity",
            "valid_from",
            "valid_to",
        )
    )
    assert stored == expected


# --- the trade: stock that follows the sales, and the stories it must keep -----------------


def test_the_stock_holds_weeks_of_sales_not_years(demo_org):
    # when: the cash squeeze's ratios over the default 90 days
    ratios = cash.ratios(end=timezone.localdate(), days=90)

    # then: a distributor's 30 to 60 days of stock, on real sales
    assert ratios.cost_of_goods_sold > 0
    assert ratios.dio is not None and Decimal(30) <= ratios.dio <= Decimal(60), ratios


def test_every_everyday_product_is_in_stock_and_appliances_ship_with_serials(demo_org):
    everyday = Product.objects.filter(is_serialized=False, archived_at__isnull=True)
    on_hand = dict(
        StockLevel.objects.values("product_id")
        .annotate(total=Sum("on_hand"))
        .values_list("product_id", "total")
    )
    assert all(on_hand.get(pk, 0) > 0 for pk in everyday.values_list("pk", flat=True))
    shipped = StockMove.objects.filter(kind=MoveKind.SHIPMENT, product__is_serialized=True)
    serials = list(shipped.values_list("product_id", "serial"))
    assert serials and all(serial for _product, serial in serials)
    assert len(set(serials)) == len(serials)  # no appliance leaves twice


def test_the_waiting_orders_tell_their_stories(demo_org):
    # finance approved three and the warehouse is picking them
    assert SalesOrder.objects.filter(status=OrderStatus.CONFIRMED).count() == 3
    assert DeliveryNote.objects.filter(status=DeliveryStatus.PICKING).count() == 3
    # a partial delivery with the rest on backorder, and goods out on consignment
    assert SalesOrder.objects.filter(status=OrderStatus.PARTIALLY_SHIPPED).count() == 1
    assert SalesOrder.objects.filter(
        payment_mode=CreditMode.CONSIGNMENT, status=OrderStatus.SHIPPED
    ).exists()
    # the retailer paid part of an invoiced order from its rebate, and has one waiting
    shop = Party.objects.get(pk=Membership.objects.get(user__username="demo-shop").party_id)
    by_rebate = SalesOrder.objects.filter(customer=shop, rebate_amount__gt=0)
    assert set(by_rebate.values_list("status", flat=True)) == {
        OrderStatus.SHIPPED,
        OrderStatus.FINANCE_REVIEW,
    }


def test_the_retailer_has_a_statement_waiting_for_its_confirmation(demo_org):
    shop = Party.objects.get(pk=Membership.objects.get(user__username="demo-shop").party_id)
    statement = Statement.objects.get(customer=shop)
    assert statement.status == "issued" and statement.lines.exists()
    assert statement.period_end <= timezone.localdate() and statement.number


def test_a_delivery_arrived_damaged_and_a_bill_was_endorsed_to_a_manufacturer(demo_org):
    claim = ReceiptClaim.objects.get()
    assert claim.bearer == "carrier" and claim.status == "open" and claim.claim_amount > 0
    endorsed = BillClearing.objects.get(kind="endorsed")
    assert endorsed.endorsee.kind == PartyKind.SUPPLIER


def test_every_waiting_delivery_ships_with_serials_picked_from_stock(demo_org):
    from qudao.purchasing.models import ReceivedSerial
    from qudao.sales.selectors import serials_in_stock
    from qudao.sales.services import release_delivery, ship_delivery

    # given the deliveries waiting in the warehouse, and the serials it holds
    keeper = Membership.objects.get(user__username="demo-warehouse")
    waiting = list(
        DeliveryNote.objects.filter(status=DeliveryStatus.PICKING)
        .select_related("order")
        .order_by("pk")
    )
    serialized = [
        (delivery, line)
        for delivery in waiting
        for line in delivery.lines.select_related("order_line__product")
        if line.order_line.product.is_serialized
    ]
    assert serialized  # the demo's waiting deliveries carry appliances
    for delivery, line in serialized:
        here = serials_in_stock(delivery.order.warehouse_id, [line.product_id])
        assert len(here.get(line.product_id, [])) >= line.quantity, (delivery, line)
    # each of them came in on a goods receipt, with its factory date
    received = ReceivedSerial.objects.filter(
        product_id__in={line.product_id for _d, line in serialized}
    )
    assert received.exists()
    assert all(r.factory_date and r.factory_date < timezone.localdate() for r in received)

    # when the keeper ships the first one, picking serials from stock
    delivery = serialized[0][0]
    lines = [
        line
        for line in delivery.lines.select_related("order_line__product")
        if line.order_line.product.is_serialized
    ]
    here = serials_in_stock(delivery.order.warehouse_id, [line.product_id for line in lines])
    picked = {line.order_line_id: here[line.product_id][: int(line.quantity)] for line in lines}
    release_delivery(org=demo_org, actor=keeper, delivery=delivery)
    shipped = ship_delivery(org=demo_org, actor=keeper, delivery=delivery, serials=picked)

    # then it left with exactly those serials, which are no longer in stock
    assert shipped.status == DeliveryStatus.SHIPPED
    out = set(
        StockMove.objects.filter(reference_type="sales_delivery", reference_id=delivery.pk)
        .exclude(serial="")
        .values_list("serial", flat=True)
    )
    assert out == {serial for serials in picked.values() for serial in serials}
    after = serials_in_stock(delivery.order.warehouse_id, [line.product_id for line in lines])
    assert not out & {serial for serials in after.values() for serial in serials}
