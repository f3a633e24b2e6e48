"""Rows read through a layout (one whole-row match) are exactly what the cell-by-cell scan reads."""

from __future__ import annotations

import datetime
import io

import pytest

from qudao.imports import xlsx
from qudao.imports.reading import open_table
from qudao.imports.tests.test_reading import SHARED, _xlsx

# Excel's shapes: shared strings with and without a style, numbers, a date style, booleans,
# empty styled cells, gaps, columns past Z, inline strings with entities, a formula, an error,
# rows without a number, cells without a reference, and a value where its type does not keep it.
SHEET = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="inlineStr"><is><t>金额</t></is></c></row>'
    '<row r="2" spans="1:3"><c r="A2" t="s"><v>3</v></c><c r="B2" s="0" t="s"><v>2</v></c>'
    '<c r="C2"><v>13800138000</v></c></row>'
    '<row r="3" spans="1:3"><c r="A3" t="s"><v>3</v></c><c r="B3" s="0" t="s"><v>0</v></c>'
    '<c r="C3"><v>12.50</v></c></row>'
    '<row r="4"><c r="A4" s="1"><v>46023</v></c><c r="B4" s="2"/><c r="D4" t="b"><v>1</v></c>'
    '<c r="AA4" t="inlineStr"><is><t> &lt;备注&gt; &#23458; </t></is></c></row>'
    '<row r="5"><c r="A5" s="1"><v>46024</v></c><c r="B5" s="2"/><c r="D5" t="b"><v>0</v></c>'
    '<c r="AA5" t="inlineStr"><is><t>A&amp;B</t></is></c></row>'
    '<row r="6"><c r="B6" t="str"><f>A1</f><v>公式</v></c><c r="C6" t="e"><v>#N/A</v></c></row>'
    '<row><c r="A7" t="inlineStr"><v>3</v></c><c r="B7" t="s"><is><t>x</t></is></c>'
    '<c r="C7"><v>1.5E3</v></c></row>'
    '<row r="9"><c t="inlineStr"><is><t>无引用</t></is></c><c><v>7</v></c></row>'
    '<row r="10"><c r="A10" t="inlineStr"><is><t>  </t></is></c><c r="B10" s="2"/></row>'
    '<row r="11"><c r="A11" t="s"><v>3</v></c><c r="B11" s="0" t="s"><v>2</v></c>'
    '<c r="C11"><v>-3</v></c></row>'
)
EXPECTED = [
    (2, ["C001", "杭州示例 & 商贸", "13800138000"]),
    (3, ["C001", "客户编码", "12.5"]),
    (4, [datetime.datetime(2026, 1, 1), "", "", "True", *[""] * 22, "<备注> 客"]),
    (5, [datetime.datetime(2026, 1, 2), "", "", "False", *[""] * 22, "A&B"]),
    (6, ["", "公式", "#N/A"]),
    (7, ["", "", "1500"]),
    (9, ["无引用", "7"]),
    (11, ["C001", "杭州示例 & 商贸", "-3"]),
]


def _rows(sheet: str) -> list[tuple[int, list[object]]]:
    table = open_table(io.BytesIO(_xlsx(sheet, shared=SHARED)), name="x.xlsx")
    assert table.headers == ["客户编码", "客户名称", "金额"]
    return list(table.rows)


def test_every_cell_shape_reads_the_same_with_and_without_layouts(monkeypatch):
    # given: the sheet read through layouts
    with_layouts = _rows(SHEET)

    # when: no layout may be made, so every row is scanned cell by cell
    monkeypatch.setattr(xlsx, "LAYOUTS_MADE", 0)
    scanned = _rows(SHEET)

    # then
    assert with_layouts == scanned == EXPECTED


def test_many_rows_of_a_few_layouts_are_read_in_order(monkeypatch):
    # given: rows alternating between three layouts, one with a gap and one past column Z
    layouts = (
        '<c r="A{n}" t="inlineStr"><is><t>C{n}</t></is></c><c r="B{n}"><v>{n}</v></c>',
        '<c r="A{n}" t="inlineStr"><is><t>C{n}</t></is></c><c r="C{n}" s="1"><v>46023</v></c>',
        '<c r="A{n}" t="inlineStr"><is><t>C{n}</t></is></c><c r="AB{n}" t="s"><v>3</v></c>',
    )
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    body = "".join(f'<row r="{n}">{layouts[n % 3].format(n=n)}</row>' for n in range(2, 3000))

    matched = []
    cells = xlsx._Layouts.cells

    def counted(layouts: xlsx._Layouts, inner: str) -> list[object] | None:
        found = cells(layouts, inner)
        matched.append(found is not None)
        return found

    monkeypatch.setattr(xlsx._Layouts, "cells", counted)

    # when
    table = open_table(io.BytesIO(_xlsx(header + body, shared=SHARED)), name="x.xlsx")
    rows = list(table.rows)
    through_layouts = list(matched)
    monkeypatch.setattr(xlsx, "LAYOUTS_MADE", 0)
    scanned = list(open_table(io.BytesIO(_xlsx(header + body, shared=SHARED)), name="x.xlsx").rows)

    # then: every row matched a layout, and the scan reads the same
    assert through_layouts == [True] * 2999
    assert rows == scanned
    assert rows[:3] == [
        (2, ["C2", *[""] * 26, "C001"]),
        (3, ["C3", "3"]),
        (4, ["C4", "", datetime.datetime(2026, 1, 1)]),
    ]
    assert [number for number, _cells in rows] == list(range(2, 3000))


@pytest.mark.parametrize(
    "row",
    [
        '<row r="2"><c r="A2" s="x"><v>1</v></c></row>',  # a style that is not a number
        '<row r="2"><c r="A2" t="s"><v>9</v></c></row>',  # no such shared string
    ],
)
def test_a_broken_cell_fails_the_same_way_with_and_without_layouts(monkeypatch, row):
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'

    def outcome() -> str:
        table = open_table(io.BytesIO(_xlsx(header + row, shared=SHARED)), name="x.xlsx")
        try:
            return repr(list(table.rows))
        except Exception as error:  # noqa: BLE001 - the kind of failure is what is compared
            return type(error).__name__

    with_layouts = outcome()
    monkeypatch.setattr(xlsx, "LAYOUTS_MADE", 0)

    assert with_layouts == outcome()
