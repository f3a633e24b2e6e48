from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from qudao.catalog import services
from qudao.catalog.models import PriceKind, PriceListItem, Product
from qudao.catalog.services import PriceDraft, PriceListDraft
from qudao.catalog.tests.factories import (
    BrandFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
)
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

API = "/api/v1"


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def test_product_crud_with_packaging_units(org, boss, login):
    client = login(boss)
    brand = BrandFactory()

    # create
    created = _post(
        client,
        f"{API}/catalog/products",
        {
            "code": "P-1",
            "name": "青岛啤酒",
            "base_unit": "瓶",
            "barcode": "6901234567892",
            "brand_id": brand.pk,
            "packaging_units": [{"name": "箱", "factor": "12", "barcode": ""}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["pinyin"], body["launch_status"]) == ("qdpj", "new")
    assert [(u["name"], u["factor"]) for u in body["packaging_units"]] == [("箱", "12.000")]

    # update
    updated = _put(
        client,
        f"{API}/catalog/products/{body['id']}",
        {
            "code": "P-1",
            "name": "青岛啤酒 经典",
            "base_unit": "瓶",
            "launch_status": "active",
            "packaging_units": [{"name": "箱", "factor": "24"}],
        },
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["packaging_units"][0]["factor"] == "24.000"

    # list and detail
    listed = client.get(f"{API}/catalog/products", {"q": "qdpj"}).json()
    assert (listed["count"], listed["results"][0]["code"]) == (1, "P-1")
    assert client.get(f"{API}/catalog/products/{body['id']}").json()["name"] == "青岛啤酒 经典"

    # archive
    archived = client.post(f"{API}/catalog/products/{body['id']}/archive")
    assert archived.status_code == 200
    assert archived.json()["archived_at"]
    assert client.get(f"{API}/catalog/products").json()["count"] == 0


def test_bad_barcode_is_a_422_with_the_field(org, boss, login):
    response = _post(
        login(boss),
        f"{API}/catalog/products",
        {"code": "P-1", "name": "X", "base_unit": "瓶", "barcode": "6901234567890"},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["barcode"] == (
        "“6901234567890” is not a valid EAN-13 barcode: its check digit should be 2."
    )
    assert Product.objects.count() == 0


def test_a_negative_packaging_factor_is_a_422(org, boss, login):
    response = _post(
        login(boss),
        f"{API}/catalog/products",
        {
            "code": "P-1",
            "name": "X",
            "base_unit": "瓶",
            "packaging_units": [{"name": "箱", "factor": "-1"}],
        },
    )

    assert response.status_code == 422
    assert "packaging_units.0.factor" in response.json()["fields"]


def test_duplicate_code_is_a_409(org, boss, login):
    ProductFactory(code="P-1")

    response = _post(
        login(boss), f"{API}/catalog/products", {"code": "P-1", "name": "X", "base_unit": "瓶"}
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_product",
        "message": "The code “P-1” is already used.",
        "fields": {"code": "The code “P-1” is already used."},
    }


def test_a_sales_rep_may_read_but_not_write(org, rep, login):
    client = login(rep)
    ProductFactory()

    assert client.get(f"{API}/catalog/products").status_code == 200
    response = _post(
        client, f"{API}/catalog/products", {"code": "P-9", "name": "X", "base_unit": "瓶"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_another_orgs_product_is_a_404(org, other_org, boss, login):
    with org_scope(other_org):
        theirs = ProductFactory(org=other_org, brand__org=other_org, brand__supplier__org=other_org)

    response = login(boss).get(f"{API}/catalog/products/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_brand_and_category_crud(org, boss, login):
    client = login(boss)
    supplier = SupplierFactory()

    brand = _post(
        client, f"{API}/catalog/brands", {"supplier_id": supplier.pk, "code": "B1", "name": "青岛"}
    )
    assert brand.status_code == 201
    renamed = _put(
        client,
        f"{API}/catalog/brands/{brand.json()['id']}",
        {"supplier_id": supplier.pk, "code": "B1", "name": "青岛啤酒"},
    )
    assert renamed.json()["pinyin"] == "qdpj"

    top = _post(client, f"{API}/catalog/categories", {"code": "D", "name": "酒水"}).json()
    child = _post(
        client, f"{API}/catalog/categories", {"code": "B", "name": "啤酒", "parent_id": top["id"]}
    ).json()
    assert child["depth"] == 1
    refused = client.post(f"{API}/catalog/categories/{top['id']}/archive")
    assert refused.status_code == 409
    assert refused.json()["code"] == "category_has_children"


def _priced_product(org, boss):
    product = ProductFactory()
    customer = CustomerFactory(tier="A")
    wholesale = services.create_price_list(
        org=org,
        actor=boss,
        draft=PriceListDraft(
            kind=PriceKind.WHOLESALE,
            name="客户价",
            valid_from=date(2026, 1, 1),
            customer_id=customer.pk,
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
            name="进价",
            valid_from=date(2026, 1, 1),
            supplier_id=product.brand.supplier_id,
        ),
    )
    services.add_price(
        org=org, actor=boss, price_list=purchase, price=PriceDraft(product.pk, Decimal("7.25"))
    )
    return product, customer, wholesale, purchase


def test_quote_endpoint_returns_price_as_string_and_rule(org, boss, login):
    product, customer, wholesale, _purchase = _priced_product(org, boss)

    response = login(boss).get(
        f"{API}/prices/quote",
        {"customer_id": customer.pk, "product_id": product.pk, "on": "2026-03-01", "quantity": "3"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit_price"] == "12.5000"
    assert body["price_list_id"] == wholesale.pk
    assert body["rule"] == "Customer price list “客户价” valid from 2026-01-01, any quantity."


def test_quote_without_price_is_a_409_no_price(org, boss, login):
    product = ProductFactory()

    response = login(boss).get(
        f"{API}/prices/quote", {"product_id": product.pk, "on": "2026-03-01"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "no_price"


def test_quotes_for_many_products(org, boss, login):
    product, customer, _wholesale, _purchase = _priced_product(org, boss)
    unpriced = ProductFactory()

    response = _post(
        login(boss),
        f"{API}/prices/quotes",
        {
            "customer_id": customer.pk,
            "on": "2026-03-01",
            "lines": [
                {"product_id": product.pk, "quantity": "1"},
                {"product_id": unpriced.pk, "quantity": "1"},
            ],
        },
    )

    body = response.json()
    assert [q["unit_price"] for q in body["quotes"]] == ["12.5000"]
    assert body["missing_product_ids"] == [unpriced.pk]


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
def test_purchase_prices_only_for_boss_and_finance_in_the_api(
    org, boss, member, login, role, sees_costs
):
    product, _customer, _wholesale, purchase = _priced_product(org, boss)
    client = login(member(role))

    listed = client.get(f"{API}/catalog/price-lists").json()
    detail = client.get(f"{API}/catalog/price-lists/{purchase.pk}")
    items = client.get(f"{API}/catalog/price-lists/{purchase.pk}/items")
    quote = client.get(
        f"{API}/prices/quote", {"product_id": product.pk, "on": "2026-03-01", "kind": "purchase"}
    )

    kinds = sorted(p["kind"] for p in listed["results"])
    if sees_costs:
        assert kinds == ["purchase", "wholesale"]
        assert (detail.status_code, items.status_code, quote.status_code) == (200, 200, 200)
        assert quote.json()["unit_price"] == "7.2500"
    else:
        assert kinds == ["wholesale"]
        assert (detail.status_code, items.status_code, quote.status_code) == (404, 404, 403)


def test_price_list_api_refuses_overlap_with_409_and_writes_nothing(org, boss, login):
    client = login(boss)
    product = ProductFactory()
    first = _post(
        client,
        f"{API}/catalog/price-lists",
        {"kind": "wholesale", "name": "全年", "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
    ).json()
    second = _post(
        client,
        f"{API}/catalog/price-lists",
        {"kind": "wholesale", "name": "夏季", "valid_from": "2026-06-01", "valid_to": "2026-08-31"},
    ).json()
    ok = _post(
        client,
        f"{API}/catalog/price-lists/{first['id']}/items",
        [{"product_id": product.pk, "unit_price": "10"}],
    )
    assert ok.status_code == 201

    refused = _post(
        client,
        f"{API}/catalog/price-lists/{second['id']}/items",
        [{"product_id": product.pk, "unit_price": "9"}],
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "overlapping_price"
    assert "“全年”" in refused.json()["message"]
    assert PriceListItem.objects.count() == 1


def test_price_with_too_many_decimals_is_a_422(org, boss, login):
    client = login(boss)
    price_list = _post(
        client,
        f"{API}/catalog/price-lists",
        {"kind": "retail", "name": "零售", "valid_from": "2026-01-01"},
    ).json()

    response = _post(
        client,
        f"{API}/catalog/price-lists/{price_list['id']}/items",
        [{"product_id": ProductFactory().pk, "unit_price": "1.23456"}],
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
