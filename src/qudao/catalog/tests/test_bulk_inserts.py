"""Many products or prices at once: set-based checks, bulk inserts, all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qudao.catalog.models import PackagingUnit, PriceListItem, Product
from qudao.catalog.services import (
    NewPrice,
    PackagingDraft,
    PriceDraft,
    ProductDraft,
    check_new_prices,
    check_new_products,
    insert_prices,
    insert_products,
)
from qudao.catalog.tests.factories import (
    BrandFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)
from qudao.core.errors import BusinessRuleViolation


def _drafts(count: int, **values: object) -> list[ProductDraft]:
    return [
        ProductDraft(code=f"P{n:04d}", name=f"商品{n}", base_unit="瓶", **values)
        for n in range(count)
    ]


def test_products_and_their_packaging_are_inserted(org, boss):
    # given
    brand = BrandFactory()
    drafts = [
        ProductDraft(
            code="P1",
            name="飞天茅台",
            base_unit="瓶",
            brand_id=brand.pk,
            packaging_units=(PackagingDraft("箱", Decimal("6")),),
        ),
        ProductDraft(code="P2", name="王子酒", base_unit="瓶", launch_date=date(2026, 3, 1)),
    ]

    # when
    written = insert_products(org=org, actor=boss, drafts=drafts)

    # then
    assert written == 2
    assert list(
        Product.objects.order_by("code").values_list("code", "pinyin", "brand_id", "launch_date")
    ) == [("P1", "ftmt", brand.pk, None), ("P2", "wzj", None, date(2026, 3, 1))]
    assert list(PackagingUnit.objects.values_list("product__code", "name", "factor")) == [
        ("P1", "箱", Decimal("6.000"))
    ]
    assert Product.history.count() == 0


def test_new_products_are_checked_against_the_table_and_each_other(org):
    # given
    ProductFactory(code="P0000", barcode="6901234567892")
    drafts = [
        *_drafts(2),
        ProductDraft(code="P9", name="甲", base_unit="瓶", barcode="6901234567892"),
        ProductDraft(code="P0001", name="乙", base_unit="瓶"),
        ProductDraft(code="P8", name="丙", base_unit="瓶", brand_id=999_999),
    ]

    # when
    problems = check_new_products(drafts)

    # then
    assert {index: sorted(fields) for index, fields in problems.items()} == {
        0: ["code"],
        2: ["barcode"],
        3: ["code"],
        4: ["brand"],
    }


def test_a_bad_product_refuses_the_whole_batch(org, boss):
    ProductFactory(code="P0001")

    with pytest.raises(BusinessRuleViolation) as refused:
        insert_products(org=org, actor=boss, drafts=_drafts(3))

    assert refused.value.code == "invalid_product"
    assert list(Product.objects.values_list("code", flat=True)) == ["P0001"]


def test_product_inserts_do_not_grow_per_row(org, boss):
    # given
    def queries_for(start: int, count: int) -> int:
        drafts = [
            ProductDraft(
                code=f"P{n:04d}",
                name=f"商品{n}",
                base_unit="瓶",
                packaging_units=(PackagingDraft("箱", Decimal("12")),),
            )
            for n in range(start, start + count)
        ]
        with CaptureQueriesContext(connection) as queries:
            insert_products(org=org, actor=boss, drafts=drafts)
        return len(queries.captured_queries)

    # when / then
    assert queries_for(0, 2) == queries_for(2, 200)
    assert PackagingUnit.objects.count() == 202


def test_prices_are_added_to_lists_and_default_to_the_list_period(org, boss):
    # given
    price_list = PriceListFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    product = ProductFactory()
    rows = [
        NewPrice(price_list.pk, PriceDraft(product.pk, Decimal("10"))),
        NewPrice(price_list.pk, PriceDraft(product.pk, Decimal("9"), Decimal("100"))),
    ]

    # when
    written = insert_prices(org=org, actor=boss, rows=rows)

    # then
    assert written == 2
    assert list(
        PriceListItem.objects.order_by("min_quantity").values_list(
            "unit_price", "min_quantity", "valid_from", "valid_to"
        )
    ) == [
        (Decimal("10.0000"), Decimal("0.000"), date(2026, 1, 1), date(2026, 12, 31)),
        (Decimal("9.0000"), Decimal("100.000"), date(2026, 1, 1), date(2026, 12, 31)),
    ]


def test_overlapping_and_negative_prices_are_found_by_row(org):
    # given
    price_list = PriceListFactory(valid_from=date(2026, 1, 1))
    other_list = PriceListFactory(valid_from=date(2026, 1, 1))  # same scope: default wholesale
    taken, free = ProductFactory(), ProductFactory()
    PriceListItemFactory(price_list=price_list, product=taken)
    rows = [
        NewPrice(price_list.pk, PriceDraft(taken.pk, Decimal("10"), valid_from=date(2026, 6, 1))),
        NewPrice(price_list.pk, PriceDraft(free.pk, Decimal("-1"))),
        NewPrice(price_list.pk, PriceDraft(free.pk, Decimal("5"))),
        NewPrice(other_list.pk, PriceDraft(free.pk, Decimal("5"), Decimal("10"))),
    ]

    # when
    problems = check_new_prices(rows)

    # then
    assert {index: sorted(fields) for index, fields in problems.items()} == {
        0: ["valid_from"],
        1: ["unit_price"],
        3: ["valid_from"],
    }


def test_an_overlapping_price_refuses_the_whole_batch(org, boss):
    price_list = PriceListFactory(valid_from=date(2026, 1, 1))
    item = PriceListItemFactory(price_list=price_list)
    rows = [NewPrice(price_list.pk, PriceDraft(item.product_id, Decimal("3")))]

    with pytest.raises(BusinessRuleViolation) as refused:
        insert_prices(org=org, actor=boss, rows=rows)

    assert (refused.value.code, PriceListItem.objects.count()) == ("invalid_price", 1)


def test_price_inserts_do_not_grow_per_row(org, boss):
    # given
    price_list = PriceListFactory(valid_from=date(2026, 1, 1))
    products = ProductFactory.create_batch(202)

    def queries_for(chosen: list[Product]) -> int:
        rows = [NewPrice(price_list.pk, PriceDraft(p.pk, Decimal("1"))) for p in chosen]
        with CaptureQueriesContext(connection) as queries:
            insert_prices(org=org, actor=boss, rows=rows)
        return len(queries.captured_queries)

    # when / then
    assert queries_for(products[:2]) == queries_for(products[2:])
    assert PriceListItem.objects.count() == 202
