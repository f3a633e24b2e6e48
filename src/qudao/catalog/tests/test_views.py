from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qudao.catalog import services
from qudao.catalog.models import PriceKind, Product
from qudao.catalog.services import PriceDraft, PriceListDraft
from qudao.catalog.tests.factories import (
    BrandFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
)
from qudao.tenancy.roles import STAFF_ROLES, Role
from qudao.tenancy.scoping import org_scope

STAFF = sorted(STAFF_ROLES)


@pytest.fixture
def catalog(org, boss):
    """A product with a wholesale and a purchase price list."""
    product = ProductFactory(code="P-1", name="青岛啤酒", barcode="6901234567892")
    customer = CustomerFactory(code="C-1", tier="A")
    wholesale = services.create_price_list(
        org=org,
        actor=boss,
        draft=PriceListDraft(
            kind=PriceKind.WHOLESALE, name="A级批发价", valid_from=date(2026, 1, 1), tier="A"
        ),
    )
    services.add_price(
        org=org, actor=boss, price_list=wholesale, price=PriceDraft(product.pk, Decimal("12.5"))
    )
    purchase = services.create_price_list(
        org=org,
        actor=boss,
        draft=PriceListDraft(
            kind=PriceKind.PURCHASE,
            name="厂家进价",
            valid_from=date(2026, 1, 1),
            supplier_id=product.brand.supplier_id,
        ),
    )
    services.add_price(
        org=org, actor=boss, price_list=purchase, price=PriceDraft(product.pk, Decimal("7.2500"))
    )
    return {"product": product, "customer": customer, "wholesale": wholesale, "purchase": purchase}


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize(
    "name",
    [
        "catalog-product-list",
        "catalog-brand-list",
        "catalog-pricelist-list",
        "catalog-category-list",
        "catalog-price-check",
    ],
)
def test_list_pages_render_for_every_staff_role(org, member, login, catalog, role, name):
    response = login(member(role)).get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("role", STAFF)
def test_detail_pages_render_for_every_staff_role(org, member, login, catalog, role):
    client = login(member(role))

    assert (
        client.get(reverse("catalog-product-detail", args=[catalog["product"].pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("catalog-pricelist-detail", args=[catalog["wholesale"].pk])).status_code
        == 200
    )


@pytest.mark.parametrize("role", [Role.MANUFACTURER, Role.RETAILER])
def test_external_users_get_no_catalog_pages(org, member, login, role):
    assert login(member(role)).get(reverse("catalog-product-list")).status_code == 403


@pytest.mark.parametrize(
    ("role", "sees_costs"),
    [
        (Role.BOSS, True),
        (Role.FINANCE, True),
        (Role.SALES_REP, False),
        (Role.WAREHOUSE, False),
        (Role.AFTERSALES, False),
        (Role.READONLY, False),
    ],
)
def test_purchase_prices_on_pages_only_for_boss_and_finance(
    org, member, login, catalog, role, sees_costs
):
    client = login(member(role))

    detail = client.get(reverse("catalog-product-detail", args=[catalog["product"].pk]))
    lists = client.get(reverse("catalog-pricelist-list"))
    purchase = client.get(reverse("catalog-pricelist-detail", args=[catalog["purchase"].pk]))

    assert ("7.2500" in detail.content.decode()) is sees_costs
    assert ("厂家进价" in lists.content.decode()) is sees_costs
    assert purchase.status_code == (200 if sees_costs else 404)
    assert "12.5000" in detail.content.decode()


def test_edit_pages_are_refused_to_roles_that_may_not_edit(org, rep, login, catalog):
    client = login(rep)

    assert client.get(reverse("catalog-product-create")).status_code == 403
    assert client.get(reverse("catalog-brand-create")).status_code == 403
    assert client.get(reverse("catalog-pricelist-create")).status_code == 403


def test_another_orgs_product_page_is_a_404(org, other_org, boss, login):
    with org_scope(other_org):
        theirs = ProductFactory(org=other_org, brand__org=other_org, brand__supplier__org=other_org)

    response = login(boss).get(reverse("catalog-product-detail", args=[theirs.pk]))

    assert response.status_code == 404


def test_product_list_searches_pinyin_and_answers_htmx_with_the_list_only(
    org, boss, login, catalog
):
    ProductFactory(code="P-2", name="雪花啤酒")
    client = login(boss)

    page = client.get(reverse("catalog-product-list"), {"q": "qdpj"}, HTTP_HX_REQUEST="true")

    html = page.content.decode()
    assert "青岛啤酒" in html and "雪花啤酒" not in html
    assert "<html" not in html


def test_product_list_filters_by_category_subtree(org, boss, login):
    drinks = services.create_category(org=org, actor=boss, code="D", name="酒水")
    beer = services.create_category(org=org, actor=boss, code="B", name="啤酒", parent_id=drinks.pk)
    ProductFactory(name="在子类里", category=beer)
    ProductFactory(name="没有类别")

    page = login(boss).get(reverse("catalog-product-list"), {"category": drinks.path})

    html = page.content.decode()
    assert "在子类里" in html and "没有类别" not in html


def test_create_product_through_the_page(org, boss, login):
    brand = BrandFactory()
    response = login(boss).post(
        reverse("catalog-product-create"),
        {
            "code": "P-9",
            "name": "茅台飞天",
            "base_unit": "瓶",
            "brand": brand.pk,
            "launch_status": "active",
            "barcode": "",
            "units-TOTAL_FORMS": "2",
            "units-INITIAL_FORMS": "0",
            "units-0-name": "箱",
            "units-0-factor": "6",
            "units-0-barcode": "",
            "units-1-name": "",
            "units-1-factor": "",
            "units-1-barcode": "",
        },
    )

    product = Product.objects.get(code="P-9")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog-product-detail", args=[product.pk])
    assert product.pinyin == "mtft"
    assert [(u.name, u.factor) for u in product.packaging_units.all()] == [("箱", Decimal("6.000"))]


def test_bad_barcode_on_the_page_is_shown_on_the_field(org, boss, login):
    response = login(boss).post(
        reverse("catalog-product-create"),
        {
            "code": "P-9",
            "name": "X",
            "base_unit": "瓶",
            "launch_status": "new",
            "barcode": "6901234567890",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "its check digit should be 2" in response.content.decode()
    assert Product.objects.count() == 0


def test_price_check_shows_the_rule(org, boss, login, catalog):
    response = login(boss).get(
        reverse("catalog-price-check"),
        {
            "kind": "wholesale",
            "customer_code": "C-1",
            "product_code": "P-1",
            "on": "2026-05-01",
            "quantity": "2",
        },
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "Unit price 12.5000" in html
    assert "Tier A price list “A级批发价” valid from 2026-01-01, any quantity." in html


def test_sales_rep_cannot_check_purchase_prices(org, rep, login, catalog):
    response = login(rep).get(
        reverse("catalog-price-check"),
        {"kind": "purchase", "product_code": "P-1", "on": "2026-05-01", "quantity": "2"},
    )

    assert "7.2500" not in response.content.decode()


def test_product_export_is_xlsx_with_the_current_filters(org, boss, login, catalog):
    ProductFactory(code="P-2", name="雪花啤酒")

    response = login(boss).get(reverse("catalog-product-export"), {"q": "青岛"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Name", "Specification")
    assert [r[:2] for r in rows[1:]] == [("P-1", "青岛啤酒")]


@pytest.mark.parametrize(
    ("role", "kinds"), [(Role.BOSS, {"Purchase", "Wholesale"}), (Role.WAREHOUSE, {"Wholesale"})]
)
def test_price_list_export_hides_purchase_lists_from_roles_without_costs(
    org, member, login, catalog, role, kinds
):
    response = login(member(role)).get(reverse("catalog-pricelist-export"))

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[1] for r in rows[1:]} == kinds


def test_price_list_items_export(org, boss, login, catalog):
    response = login(boss).get(
        reverse("catalog-pricelist-items-export", args=[catalog["wholesale"].pk])
    )

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("P-1", "青岛啤酒")
    assert Decimal(str(rows[1][4])) == Decimal("12.5")


def test_brand_export(org, boss, login):
    BrandFactory(code="B-1", name="青岛", supplier=SupplierFactory(name="青岛啤酒股份"))

    response = login(boss).get(reverse("catalog-brand-export"))

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("B-1", "青岛", "青岛啤酒股份", 0)


def test_change_price_through_the_page_keeps_the_old_price(org, boss, login, catalog):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.localdate() + timedelta(days=3)
    response = login(boss).post(
        reverse("catalog-pricelist-set-price", args=[catalog["wholesale"].pk]),
        {
            "change-product_code": "P-1",
            "change-unit_price": "13",
            "change-valid_from": start.isoformat(),
        },
    )

    assert response.status_code == 302
    prices = list(
        catalog["wholesale"].items.order_by("valid_from").values_list("unit_price", "valid_to")
    )
    assert prices == [(Decimal("12.5000"), start - timedelta(days=1)), (Decimal("13.0000"), None)]
