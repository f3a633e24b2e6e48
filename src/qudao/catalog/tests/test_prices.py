from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog import selectors, services
from qudao.catalog.models import PriceKind, PriceList, PriceListItem
from qudao.catalog.services import PriceDraft, PriceListDraft
from qudao.catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.tenancy.roles import Role

JAN = date(2026, 1, 1)
DEC = date(2026, 12, 31)


def _list(org, actor, name="默认批发价", **kwargs):
    values = {
        "kind": PriceKind.WHOLESALE,
        "name": name,
        "valid_from": JAN,
        "valid_to": DEC,
    } | kwargs
    return services.create_price_list(org=org, actor=actor, draft=PriceListDraft(**values))


def _price(org, actor, price_list, product, price, minimum="0", **kwargs):
    return services.add_price(
        org=org,
        actor=actor,
        price_list=price_list,
        price=PriceDraft(product.pk, Decimal(price), Decimal(minimum), **kwargs),
    )


def _quote(org, product, *, customer=None, on=date(2026, 6, 1), quantity="1", **kwargs):
    return selectors.price_for(
        org=org,
        customer_id=customer.pk if customer else None,
        product_id=product.pk,
        on=on,
        quantity=Decimal(quantity),
        **kwargs,
    )


def test_customer_list_beats_tier_list_beats_default(org, boss):
    # given
    product = ProductFactory()
    gold = CustomerFactory(tier="A")
    plain = CustomerFactory(tier="A")
    nobody = CustomerFactory(tier="")
    _price(org, boss, _list(org, boss, "默认"), product, "10")
    _price(org, boss, _list(org, boss, "A级", tier="A"), product, "9")
    _price(org, boss, _list(org, boss, "金牌客户", customer_id=gold.pk), product, "8")

    # then
    assert _quote(org, product, customer=gold).unit_price == Decimal("8.0000")
    assert _quote(org, product, customer=plain).unit_price == Decimal("9.0000")
    assert _quote(org, product, customer=nobody).unit_price == Decimal("10.0000")
    assert _quote(org, product).unit_price == Decimal("10.0000")


def test_highest_quantity_break_not_above_the_quantity_wins(org, boss):
    product = ProductFactory()
    price_list = _list(org, boss, "默认")
    _price(org, boss, price_list, product, "10")
    _price(org, boss, price_list, product, "9.5", "10")
    _price(org, boss, price_list, product, "9", "50")

    assert _quote(org, product, quantity="9.999").unit_price == Decimal("10")
    assert _quote(org, product, quantity="10").unit_price == Decimal("9.5")
    assert _quote(org, product, quantity="49").unit_price == Decimal("9.5")
    assert _quote(org, product, quantity="500").unit_price == Decimal("9")


def test_a_customer_list_that_only_prices_large_quantities_falls_back_for_small_ones(org, boss):
    product = ProductFactory()
    customer = CustomerFactory()
    _price(org, boss, _list(org, boss, "默认"), product, "10")
    _price(org, boss, _list(org, boss, "大客户", customer_id=customer.pk), product, "8", "100")

    assert _quote(org, product, customer=customer, quantity="5").unit_price == Decimal("10")
    assert _quote(org, product, customer=customer, quantity="100").unit_price == Decimal("8")


def test_the_quote_explains_its_rule(org, boss):
    product = ProductFactory()
    customer = CustomerFactory()
    price_list = _list(org, boss, "X", customer_id=customer.pk)
    item = _price(org, boss, price_list, product, "8", "10")

    quote = _quote(org, product, customer=customer, quantity="12")

    assert quote == selectors.PriceQuote(
        product_id=product.pk,
        unit_price=Decimal("8.0000"),
        price_list_id=price_list.pk,
        item_id=item.pk,
        rule="Customer price list “X” valid 2026-01-01–2026-12-31, quantity ≥ 10.",
        kind="wholesale",
        scope="customer",
        price_list_name="X",
        min_quantity=Decimal("10.000"),
        valid_from=JAN,
        valid_to=DEC,
    )


def test_open_ended_default_list_explanation(org, boss):
    product = ProductFactory()
    _price(org, boss, _list(org, boss, "标准", valid_to=None), product, "10")

    assert _quote(org, product).rule == (
        "Default wholesale price list “标准” valid from 2026-01-01, any quantity."
    )


def test_missing_price_raises_no_price(org, boss):
    product = ProductFactory(code="P-9", name="无价商品")
    _price(org, boss, _list(org, boss), product, "10")

    with pytest.raises(BusinessRuleViolation) as refused:
        _quote(org, product, on=date(2027, 1, 1))

    assert refused.value.code == "no_price"
    assert refused.value.message == (
        "No price applies to P-9 无价商品 on 2027-01-01 for a quantity of 1."
    )


def test_purchase_price_comes_from_the_brands_supplier_or_the_given_one(org, boss):
    product = ProductFactory()
    other_supplier = SupplierFactory()
    own = _list(
        org, boss, "厂家进价", kind=PriceKind.PURCHASE, supplier_id=product.brand.supplier_id
    )
    other = _list(org, boss, "别家进价", kind=PriceKind.PURCHASE, supplier_id=other_supplier.pk)
    _price(org, boss, own, product, "6")
    _price(org, boss, other, product, "5.5")

    assert _quote(org, product, kind=PriceKind.PURCHASE).unit_price == Decimal("6")
    assert _quote(
        org, product, kind=PriceKind.PURCHASE, supplier_id=other_supplier.pk
    ).unit_price == Decimal("5.5")


def test_overlapping_validity_in_the_same_scope_is_refused_and_nothing_written(org, boss):
    # given
    product = ProductFactory(code="P-1", name="啤酒")
    _price(org, boss, _list(org, boss, "2026 默认"), product, "10")
    spring = _list(org, boss, "春季默认", valid_from=date(2026, 3, 1), valid_to=date(2026, 5, 31))

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        _price(org, boss, spring, product, "9")

    # then
    assert refused.value.code == "overlapping_price"
    assert refused.value.message == (
        "“P-1 啤酒” already has a price in “2026 默认” valid 2026-01-01–2026-12-31, which "
        "overlaps the new price valid 2026-03-01–2026-05-31."
    )
    assert PriceListItem.objects.filter(price_list=spring).count() == 0


def test_same_period_in_another_scope_is_fine(org, boss):
    product = ProductFactory()
    _price(org, boss, _list(org, boss, "默认"), product, "10")

    _price(org, boss, _list(org, boss, "A级", tier="A"), product, "9")
    _price(org, boss, _list(org, boss, "零售", kind=PriceKind.RETAIL), product, "15")

    assert PriceListItem.objects.count() == 3


def test_set_price_closes_the_old_price_the_day_before_and_keeps_it(org, boss):
    # given
    today = timezone.localdate()
    product = ProductFactory()
    price_list = _list(org, boss, "默认", valid_from=today - timedelta(days=30), valid_to=None)
    old = _price(org, boss, price_list, product, "10")
    start = today + timedelta(days=7)

    # when
    new = services.set_price(
        org=org,
        actor=boss,
        price_list=price_list,
        product_id=product.pk,
        unit_price=Decimal("11"),
        valid_from=start,
    )

    # then
    old.refresh_from_db()
    assert (old.unit_price, old.valid_to) == (Decimal("10.0000"), start - timedelta(days=1))
    assert (new.unit_price, new.valid_from, new.valid_to) == (Decimal("11"), start, None)
    assert _quote(org, product, on=start - timedelta(days=1)).unit_price == Decimal("10")
    assert _quote(org, product, on=start).unit_price == Decimal("11")


def test_a_price_can_not_be_changed_in_the_past(org, boss):
    today = timezone.localdate()
    product = ProductFactory()
    price_list = _list(org, boss, "默认", valid_from=today - timedelta(days=30), valid_to=None)
    old = _price(org, boss, price_list, product, "10")

    for start, code in (
        (today - timedelta(days=1), "price_history_locked"),
        (today - timedelta(days=30), "price_history_locked"),
    ):
        with pytest.raises(BusinessRuleViolation) as refused:
            services.set_price(
                org=org,
                actor=boss,
                price_list=price_list,
                product_id=product.pk,
                unit_price=Decimal("1"),
                valid_from=start,
            )
        assert refused.value.code == code

    old.refresh_from_db()
    assert (old.unit_price, old.valid_to) == (Decimal("10.0000"), None)
    assert PriceListItem.objects.count() == 1


def test_a_price_that_has_not_started_can_be_corrected_in_place(org, boss):
    tomorrow = timezone.localdate() + timedelta(days=1)
    product = ProductFactory()
    price_list = _list(org, boss, "默认", valid_from=tomorrow, valid_to=None)
    item = _price(org, boss, price_list, product, "10")

    corrected = services.set_price(
        org=org,
        actor=boss,
        price_list=price_list,
        product_id=product.pk,
        unit_price=Decimal("10.5"),
        valid_from=tomorrow,
    )

    assert corrected.pk == item.pk
    assert PriceListItem.objects.get().unit_price == Decimal("10.5000")


def test_archiving_a_running_list_stops_it_after_today_and_keeps_the_past(org, boss):
    today = timezone.localdate()
    product = ProductFactory()
    price_list = _list(org, boss, "默认", valid_from=today - timedelta(days=10), valid_to=None)
    _price(org, boss, price_list, product, "10")

    services.archive_price_list(org=org, actor=boss, price_list=price_list)

    assert _quote(org, product, on=today).unit_price == Decimal("10")
    with pytest.raises(BusinessRuleViolation):
        _quote(org, product, on=today + timedelta(days=1))
    assert PriceListItem.objects.get().valid_to == today


def test_purchase_list_scope_must_fit_its_kind(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        _list(org, boss, kind=PriceKind.PURCHASE)
    assert refused.value.code == "supplier_required"
    assert PriceList.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.WAREHOUSE, Role.AFTERSALES, Role.READONLY])
def test_only_boss_and_finance_edit_prices(org, member, role):
    with pytest.raises(PermissionDenied):
        _list(org, member(role))
    assert _list(org, member(Role.FINANCE)).pk


def test_quote_many_prices_an_order_in_two_queries(org, boss, django_assert_num_queries):
    # given
    customer = CustomerFactory(tier="B")
    products = [ProductFactory() for _ in range(20)]
    default = _list(org, boss, "默认")
    tier = _list(org, boss, "B级", tier="B")
    mine = _list(org, boss, "专属", customer_id=customer.pk)
    services.add_prices(
        org=org,
        actor=boss,
        price_list=default,
        prices=[PriceDraft(p.pk, Decimal("10")) for p in products],
    )
    services.add_prices(
        org=org,
        actor=boss,
        price_list=tier,
        prices=[PriceDraft(p.pk, Decimal("9")) for p in products[:10]],
    )
    services.add_prices(
        org=org,
        actor=boss,
        price_list=mine,
        prices=[PriceDraft(p.pk, Decimal("8"), Decimal("5")) for p in products[:5]],
    )
    quantities = {p.pk: Decimal("5") for p in products} | {products[0].pk: Decimal("1")}

    # when
    with django_assert_num_queries(2):
        quotes = selectors.quote_many(
            org=org, customer_id=customer.pk, quantities=quantities, on=date(2026, 2, 1)
        )

    # then
    prices = [quotes[p.pk].unit_price for p in products]
    assert prices == [Decimal("9")] + [Decimal("8")] * 4 + [Decimal("9")] * 5 + [Decimal("10")] * 10
