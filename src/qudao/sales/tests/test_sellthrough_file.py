"""Reading a sell-through spreadsheet: .xlsx and CSV, header skipped, bad rows named."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from qudao.catalog.tests.factories import ProductFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.sales.sellthrough_file import read_sell_through

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def test_an_xlsx_by_code_or_barcode_adds_up_per_product(org):
    beer = ProductFactory(code="BEER", barcode="6901234567892")
    stream = _xlsx([["商品编码", "售出数量"], ["BEER", 5], ["6901234567892", 2.5], [None, None]])
    assert read_sell_through(stream, name="sales.xlsx") == {beer.pk: Decimal("7.5")}


def test_bad_files_and_rows_are_refused_with_the_row_number(org):
    ProductFactory(code="BEER")
    for data, name, row in (
        (b"", "a.csv", ""),
        (b"BEER,1\nWINE,2\n", "a.csv", "2"),
        (b"code,qty\nBEER,1\nBEER,lots\n", "a.csv", "3"),
        (b"BEER,-1\n", "a.csv", "1"),
        (b"BEER,1\n", "a.pdf", ""),
        (b"PK\x03\x04broken", "a.xlsx", ""),
        (b"code,qty\n", "a.csv", ""),
    ):
        with pytest.raises(BusinessRuleViolation) as refused:
            read_sell_through(io.BytesIO(data), name=name)
        assert refused.value.code == "invalid_file" and row in refused.value.message
