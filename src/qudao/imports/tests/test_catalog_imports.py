"""Products and prices from spreadsheets: row-and-column refusals, template round-trips."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from qudao.catalog.models import PackagingUnit, PriceListItem, Product
from qudao.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)
from qudao.imports import services
from qudao.imports.models import ImportStatus
from qudao.imports.specs import SPECS, normalize_header
from qudao.imports.tests.helpers import csv_file, problems, upload, xlsx_file

PRODUCT_HEADERS = ["商品编码", "商品名称", "基本单位", "品牌编码", "包装单位1", "包装数量1"]
PRICE_HEADERS = ["价格表", "商品编码", "单价", "起订数量", "生效日期", "失效日期"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _filled(kind, headers, values):
    """A row for the template's `headers` (in whatever language) from values by column key."""
    keys = {name: column.key for column in SPECS[kind].columns for name in column.names()}
    return [values.get(keys.get(normalize_header(header or "")), "") for header in headers]


def _apply(org, boss, job):
    return services.request_apply(org=org, actor=boss, job=job)


def test_products_with_packaging_are_imported_all_at_once(org, boss):
    # given
    brand = BrandFactory(code="MT")
    rows = [["P1", "飞天茅台", "瓶", "MT", "箱", "6"], ["P2", "王子酒", "瓶", "", "", ""]]

    # when
    job = _apply(org, boss, upload(org, boss, csv_file(PRODUCT_HEADERS, rows), "products"))

    # then
    assert (job.status, job.rows_written) == (ImportStatus.APPLIED, 2)
    first = Product.objects.get(code="P1")
    assert (first.name, first.pinyin, first.brand_id, first.base_unit) == (
        "飞天茅台",
        "ftmt",
        brand.pk,
        "瓶",
    )
    units = list(PackagingUnit.objects.values_list("product__code", "name", "factor"))
    assert units == [("P1", "箱", Decimal("6.000"))]


def test_bad_product_rows_are_named_by_row_and_column_and_nothing_is_written(org, boss):
    # given
    ProductFactory(code="P9", barcode="")
    rows = [
        ["P1", "甲", "瓶", "NOPE", "", ""],
        ["P9", "乙", "瓶", "", "", ""],
        ["P3", "丙", "瓶", "", "箱", "-2"],
        ["P4", "丁", "瓶", "", "瓶", "12"],
        ["P5", "戊", "瓶", "", "", ""],
        ["P5", "己", "瓶", "", "", ""],
    ]

    # when
    job = upload(org, boss, csv_file(PRODUCT_HEADERS, rows), "products")

    # then
    assert job.status == ImportStatus.INVALID
    assert problems(job) == [
        (2, "品牌编码", "unknown_brand"),
        (4, "包装数量1", "negative"),
        (5, "包装单位1", "invalid_packaging_units"),
        (3, "商品编码", "duplicate_code"),
        (7, "商品编码", "duplicate_code"),
    ]
    assert "appears twice" in job.errors[-1]["message"]
    assert Product.objects.count() == 1


def test_the_product_template_round_trips_with_its_notes(org, boss, login):
    # given
    BrandFactory(code="B1")
    CategoryFactory(code="C1")
    response = login(boss).get(reverse("imports-template", args=["products"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    example = {
        "code": "P1",
        "name": "飞天茅台53度500ml",
        "barcode": "6901234567892",
        "specification": "500ml",
        "brand": "B1",
        "category": "C1",
        "base_unit": "瓶",
        "pack1_unit": "箱",
        "pack1_factor": 12,
        "pack2_unit": "盒",
        "pack2_factor": 6,
        "is_serialized": "是",
        "launch_status": "在售",
        "launch_date": date(2026, 3, 1),
    }
    sheet.append(_filled("products", headers, example))
    buffer = io.BytesIO()
    book.save(buffer)
    notes = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row)

    # when
    job = upload(org, boss, SimpleUploadedFile("products.xlsx", buffer.getvalue()), "products")
    job = _apply(org, boss, job)

    # then
    assert job.status == ImportStatus.APPLIED, job.errors
    product = Product.objects.get()
    assert (
        product.barcode,
        product.is_serialized,
        product.launch_status,
        product.launch_date,
        product.category.code,
    ) == ("6901234567892", True, "active", date(2026, 3, 1), "C1")
    assert sorted(product.packaging_units.values_list("name", "factor")) == [
        ("盒", Decimal("6.000")),
        ("箱", Decimal("12.000")),
    ]
    assert "包装数量1" in notes


def test_prices_are_added_to_an_existing_list(org, boss):
    # given
    price_list = PriceListFactory(name="批发价", valid_from=date(2026, 1, 1))
    ProductFactory(code="P1")
    ProductFactory(code="P2")
    rows = [
        ["批发价", "P1", "12.50", "", "", ""],
        ["批发价", "P1", "11.00", "100", "", ""],
        ["批发价", "P2", "8", "", "2026-02-01", "2026-06-30"],
    ]

    # when
    job = _apply(org, boss, upload(org, boss, csv_file(PRICE_HEADERS, rows), "prices"))

    # then
    assert (job.status, job.rows_written) == (ImportStatus.APPLIED, 3)
    items = PriceListItem.objects.filter(price_list=price_list).order_by(
        "product__code", "min_quantity"
    )
    assert [
        (i.product.code, i.unit_price, i.min_quantity, i.valid_from, i.valid_to) for i in items
    ] == [
        ("P1", Decimal("12.5000"), Decimal("0.000"), date(2026, 1, 1), None),
        ("P1", Decimal("11.0000"), Decimal("100.000"), date(2026, 1, 1), None),
        ("P2", Decimal("8.0000"), Decimal("0.000"), date(2026, 2, 1), date(2026, 6, 30)),
    ]


def test_negative_prices_and_overlaps_are_refused_by_row_and_column(org, boss):
    # given
    price_list = PriceListFactory(name="批发价", valid_from=date(2026, 1, 1))
    old = ProductFactory(code="P1")
    ProductFactory(code="P2")
    PriceListItemFactory(price_list=price_list, product=old, valid_from=date(2026, 1, 1))
    rows = [
        ["批发价", "P1", "10", "", "2026-03-01", ""],
        ["批发价", "P2", "-1", "", "", ""],
        ["批发价", "P2", "9", "", "2026-01-01", "2026-05-31"],
        ["批发价", "P2", "9.5", "", "2026-05-01", ""],
        ["无此表", "P2", "9", "", "", ""],
        ["批发价", "P404", "9", "", "", ""],
    ]

    # when
    job = upload(org, boss, csv_file(PRICE_HEADERS, rows), "prices")

    # then
    assert problems(job) == [
        (3, "单价", "negative"),
        (6, "价格表", "unknown_price_list"),
        (7, "商品编码", "unknown_product"),
        (2, "生效日期", "overlapping_price"),
        (5, "生效日期", "overlapping_price"),
    ]
    assert "Row 3, column “单价”" in job.errors[0]["message"]
    assert PriceListItem.objects.count() == 1


def test_the_price_template_round_trips(org, boss, login):
    # given
    PriceListFactory(name="零售价", valid_from=date(2026, 1, 1))
    ProductFactory(code="P1")
    response = login(boss).get(reverse("imports-template", args=["prices"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    filled = {"price_list": "零售价", "product": "P1", "unit_price": 12.5}
    sheet.append(_filled("prices", headers, filled | {"valid_from": date(2026, 2, 1)}))
    buffer = io.BytesIO()
    book.save(buffer)

    # when
    job = upload(org, boss, SimpleUploadedFile("prices.xlsx", buffer.getvalue()), "prices")
    job = _apply(org, boss, job)

    # then
    assert job.status == ImportStatus.APPLIED, job.errors
    item = PriceListItem.objects.get()
    assert (item.unit_price, item.valid_from) == (Decimal("12.5000"), date(2026, 2, 1))


def test_a_price_that_starts_to_overlap_before_apply_fails_the_job(org, boss):
    # given: valid at upload
    price_list = PriceListFactory(name="批发价", valid_from=date(2026, 1, 1))
    product = ProductFactory(code="P1")
    job = upload(org, boss, xlsx_file(PRICE_HEADERS, [["批发价", "P1", "10"]]), "prices")
    assert job.status == ImportStatus.VALIDATED
    PriceListItemFactory(price_list=price_list, product=product)

    # when
    job = _apply(org, boss, job)

    # then
    assert problems(job) == [(2, "生效日期", "overlapping_price")]
    assert PriceListItem.objects.count() == 1
