from __future__ import annotations

from decimal import Decimal

import pytest

from qudao.catalog import selectors, services
from qudao.catalog.models import Category, PackagingUnit, Product
from qudao.catalog.services import PackagingDraft, ProductDraft
from qudao.catalog.tests.factories import BrandFactory, ProductFactory, SupplierFactory
from qudao.catalog.validation import barcode_problem, is_valid_ean13, pinyin_initials
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.tenancy.roles import Role


@pytest.mark.parametrize(
    ("code", "valid"),
    [("6901234567892", True), ("4006381333931", True), ("6901234567890", False), ("123", False)],
)
def test_ean13_checksum(code, valid):
    assert is_valid_ean13(code) is valid


def test_barcode_problem_names_the_expected_check_digit():
    assert barcode_problem("6901234567890") == (
        "“6901234567890” is not a valid EAN-13 barcode: its check digit should be 2."
    )
    assert barcode_problem("6901234567892") is None
    assert barcode_problem("ABC-1") == "A barcode has up to 32 letters and digits, without spaces."
    assert barcode_problem("12345678") is None  # EAN-8 and internal codes are not checked


def test_pinyin_initials_keep_latin_letters_and_digits():
    assert pinyin_initials("飞天茅台53度 iPhone") == "ftmt53diphone"


def _draft(**kwargs):
    values = {"code": "P-1", "name": "青岛啤酒 500ml", "base_unit": "瓶"} | kwargs
    return ProductDraft(**values)


def test_create_product_stores_pinyin_and_packaging_units(org, boss):
    # when
    product = services.create_product(
        org=org,
        actor=boss,
        draft=_draft(
            barcode="6901234567892",
            packaging_units=(PackagingDraft("箱", Decimal("12"), "6901234567885"),),
        ),
    )

    # then
    assert product.pinyin == "qdpj500ml"
    unit = product.packaging_units.get()
    assert (unit.name, unit.factor, unit.barcode) == ("箱", Decimal("12.000"), "6901234567885")


def test_invalid_barcode_is_refused_and_nothing_written(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_product(org=org, actor=boss, draft=_draft(barcode="6901234567890"))

    assert refused.value.code == "invalid_product"
    assert "barcode" in refused.value.fields
    assert Product.objects.count() == 0


def test_a_barcode_used_by_another_products_case_is_refused(org, boss):
    services.create_product(
        org=org,
        actor=boss,
        draft=_draft(
            code="A", packaging_units=(PackagingDraft("箱", Decimal("6"), "6901234567892"),)
        ),
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_product(
            org=org, actor=boss, draft=_draft(code="B", barcode="6901234567892")
        )

    assert refused.value.fields["barcode"] == (
        "The barcode 6901234567892 is already used by another product."
    )
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (
            (PackagingDraft("箱", Decimal("0")),),
            "The packaging unit “箱” must hold more than zero base units.",
        ),
        (
            (PackagingDraft("瓶", Decimal("6")),),
            "The packaging unit “瓶” has the same name as the base unit.",
        ),
        (
            (PackagingDraft("箱", Decimal("6")), PackagingDraft("箱", Decimal("12"))),
            "The packaging unit “箱” appears twice.",
        ),
    ],
)
def test_bad_packaging_units_are_refused(org, boss, units, message):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_product(org=org, actor=boss, draft=_draft(packaging_units=units))

    assert refused.value.fields["packaging_units"] == message
    assert PackagingUnit.objects.count() == 0


def test_packaging_conversion_both_ways(org, boss):
    product = services.create_product(
        org=org,
        actor=boss,
        draft=_draft(
            packaging_units=(
                PackagingDraft("箱", Decimal("12")),
                PackagingDraft("提", Decimal("6")),
            )
        ),
    )

    def convert(quantity, from_unit, to_unit):
        return selectors.convert_quantity(
            product=product, quantity=Decimal(quantity), from_unit=from_unit, to_unit=to_unit
        )

    assert convert("3", "箱", "瓶") == Decimal("36")
    assert convert("36", "瓶", "箱") == Decimal("3")
    assert convert("1", "箱", "提") == Decimal("2")
    with pytest.raises(BusinessRuleViolation) as refused:
        convert("1", "托", "瓶")
    assert refused.value.code == "unknown_unit"


def test_update_keeps_unchanged_packaging_rows(org, boss):
    product = services.create_product(
        org=org, actor=boss, draft=_draft(packaging_units=(PackagingDraft("箱", Decimal("12")),))
    )
    unit_pk = product.packaging_units.get().pk

    services.update_product(
        org=org,
        actor=boss,
        product=product,
        draft=_draft(
            name="青岛啤酒 经典",
            packaging_units=(
                PackagingDraft("箱", Decimal("24")),
                PackagingDraft("提", Decimal("6")),
            ),
        ),
    )

    units = {u.name: (u.pk, u.factor) for u in product.packaging_units.all()}
    assert units["箱"] == (unit_pk, Decimal("24.000"))
    assert set(units) == {"箱", "提"}
    product.refresh_from_db()
    assert product.pinyin == "qdpjjd"


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.FINANCE, Role.WAREHOUSE, Role.READONLY])
def test_only_the_boss_edits_the_catalog(org, member, role):
    with pytest.raises(PermissionDenied):
        services.create_product(org=org, actor=member(role), draft=_draft())
    assert Product.objects.count() == 0


def test_brand_needs_a_supplier_not_a_customer(org, boss):
    from qudao.catalog.tests.factories import CustomerFactory

    customer = CustomerFactory()
    with pytest.raises(BusinessRuleViolation) as refused:
        services.create_brand(org=org, actor=boss, supplier_id=customer.pk, code="B", name="X")
    assert refused.value.code == "supplier_required"

    brand = services.create_brand(
        org=org, actor=boss, supplier_id=SupplierFactory().pk, code="B", name="青岛"
    )
    assert brand.pinyin == "qd"


def test_category_tree_moves_subtrees_and_refuses_cycles(org, boss):
    drinks = services.create_category(org=org, actor=boss, code="D", name="酒水")
    beer = services.create_category(org=org, actor=boss, code="B", name="啤酒", parent_id=drinks.pk)
    lager = services.create_category(org=org, actor=boss, code="L", name="拉格", parent_id=beer.pk)
    food = services.create_category(org=org, actor=boss, code="F", name="食品")

    with pytest.raises(BusinessRuleViolation) as refused:
        services.update_category(
            org=org, actor=boss, category=drinks, code="D", name="酒水", parent_id=lager.pk
        )
    assert refused.value.code == "category_cycle"

    services.update_category(
        org=org, actor=boss, category=beer, code="B", name="啤酒", parent_id=food.pk
    )

    lager = Category.objects.get(pk=lager.pk)
    assert lager.path == f"{food.pk:08d}/{beer.pk:08d}/{lager.pk:08d}/"
    assert lager.depth == 2


def test_check_products_reports_every_row_in_few_queries(org, django_assert_max_num_queries):
    ProductFactory(code="TAKEN")
    brand = BrandFactory()
    drafts = [
        _draft(code="TAKEN"),
        _draft(code="NEW", brand_id=brand.pk),
        _draft(code="NEW"),
        _draft(code="X", barcode="6901234567890"),
        _draft(code="Y", brand_id=999999),
    ]

    with django_assert_max_num_queries(5):
        problems = services.check_products(drafts)

    assert set(problems) == {0, 2, 3, 4}
    assert problems[0]["code"] == "The code “TAKEN” is already used."
    assert problems[2]["code"] == "The code “NEW” appears twice."
    assert "barcode" in problems[3]
    assert problems[4]["brand"] == "Choose one of this organization's brands."
