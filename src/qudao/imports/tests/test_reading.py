from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from qudao.imports.reading import UnreadableFile, open_table

HEADER = "客户编码,客户名称\n"
ROWS = "C001,杭州示例商贸有限公司\nC002,宁波百货\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    # given
    data = (HEADER + ROWS).encode(encoding)

    # when
    table = open_table(io.BytesIO(data), name="客户.csv")

    # then
    assert table.headers == ["客户编码", "客户名称"]
    assert list(table.rows) == [(2, ["C001", "杭州示例商贸有限公司"]), (3, ["C002", "宁波百货"])]


def test_blank_rows_are_skipped_and_numbers_keep_their_spreadsheet_row():
    table = open_table(io.BytesIO(b"code,name\n\nC1,A\n,\nC2,B\n"), name="x.csv")

    assert [number for number, _cells in table.rows] == [3, 5]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "empty_file"),
        (b"\n\n", "blank.csv", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "not_spreadsheet"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "not_spreadsheet"),
        (b"plain text", "fake.xlsx", "not_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "old_xls"),
        ("名称".encode("utf-16"), "utf16.csv", "unknown_encoding"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(content, name, code):
    with pytest.raises(UnreadableFile) as refused:
        table = open_table(io.BytesIO(content), name=name)
        list(table.rows)

    assert refused.value.code == code


def test_undecodable_csv_is_refused_with_an_encoding_message():
    # bytes that are neither UTF-8 nor GB18030
    with pytest.raises(UnreadableFile) as refused:
        open_table(io.BytesIO(b"code,name\nC1,\x80\x20\xff\n"), name="x.csv")

    assert refused.value.code == "unknown_encoding"


def _xlsx(sheet: str, *, shared: str = "", styles: str = "", prefix: str = "") -> bytes:
    """A minimal workbook written by hand, the way Excel and WPS lay out the parts."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    declare = f'xmlns:{prefix[:-1]}="{main}"' if prefix else f'xmlns="{main}"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{kinds}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
            '<sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{kinds}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{kinds}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{kinds}/styles" Target="/xl/styles.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {declare}>'
            f'<{prefix}dimension ref="A1:D3"/><{prefix}sheetData>{sheet}</{prefix}sheetData>'
            f"</{prefix}worksheet>",
        )
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared}</sst>')
        archive.writestr(
            "xl/styles.xml",
            styles
            or f'<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" '
            'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
            '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
            "</cellXfs></styleSheet>",
        )
    return buffer.getvalue()


SHARED = (
    "<si><t>客户编码</t></si><si><t>客户名称</t></si>"
    '<si><r><t>杭州</t></r><r><rPr><b/></rPr><t xml:space="preserve">示例 &amp; 商贸</t></r>'
    "<rPh><t>ハンシュウ</t></rPh></si>"
    "<si><t> C001 </t></si>"
)


def test_an_excel_sheet_reads_shared_rich_and_inline_strings_numbers_dates_and_gaps():
    # given: the cells Excel writes, with a gap in column C and a date in two formats
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="3" spans="1:5"><c r="A3" t="s"><v>3</v></c><c r="B3" t="s"><v>2</v></c>'
        '<c r="D3"><v>13800138000</v></c><c r="E3" s="1"><v>46023</v></c>'
        '<c r="F3" s="2"><v>46024</v></c><c r="G3" t="inlineStr"><is><t>&lt;备注&gt;</t></is></c>'
        '<c r="H3" t="b"><v>1</v></c><c r="I3"><v>12.5</v></c><c r="J3" t="str"><v>=x</v></c>'
        "</row>"
    )

    # when
    table = open_table(io.BytesIO(_xlsx(sheet, shared=SHARED)), name="客户.xlsx")

    # then
    assert (table.headers, table.estimated_rows) == (["客户编码", "客户名称"], 2)
    assert list(table.rows) == [
        (
            3,
            [
                "C001",
                "杭州示例 & 商贸",
                "",
                "13800138000",
                datetime.datetime(2026, 1, 1),
                datetime.datetime(2026, 1, 2),
                "<备注>",
                "True",
                "12.5",
                "=x",
            ],
        )
    ]


def test_a_sheet_with_prefixed_tags_and_no_cell_references_is_read_in_order():
    sheet = (
        '<x:row><x:c t="inlineStr"><x:is><x:t>code</x:t></x:is></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>C1</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c></x:row>'
    )

    table = open_table(io.BytesIO(_xlsx(sheet, prefix="x:")), name="wps.xlsx")

    assert (table.headers, list(table.rows)) == (["code"], [(2, ["C1", "7"])])


def test_a_sheet_with_comments_is_read_by_the_xml_parser_with_the_same_result():
    sheet = (
        '<row r="1"><!-- header --><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
        '<row r="2"><c r="B2" t="s"><v>3</v></c></row>'
    )

    table = open_table(io.BytesIO(_xlsx(sheet, shared=SHARED)), name="x.xlsx")

    assert list(table.rows) == [(2, ["", "C001"])]


def test_the_scan_reads_what_openpyxl_reads_on_a_large_generated_sheet():
    # given: more rows than one read block holds
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "amount", "day"])
    for n in range(30_000):
        sheet.append([f"C{n}", f"客户 {n} & 子公司", n * 1.5, datetime.date(2026, 1, 1 + n % 28)])
    buffer = io.BytesIO()
    book.save(buffer)
    expected = [
        [
            f"C{n}",
            f"客户 {n} & 子公司",
            str(n * 1.5).removesuffix(".0"),
            datetime.datetime(2026, 1, 1 + n % 28),
        ]
        for n in range(30_000)
    ]

    # when
    table = open_table(io.BytesIO(buffer.getvalue()), name="big.xlsx")

    # then
    assert [cells for _number, cells in table.rows] == expected


def test_character_references_and_entities_are_decoded_once():
    sheet = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&#23458;&#x6237;</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A&amp;#20;B &lt;&gt;&quot;&apos;</t></is></c>'
        "</row>"
    )

    table = open_table(io.BytesIO(_xlsx(sheet)), name="refs.xlsx")

    assert (table.headers, list(table.rows)) == (["客户"], [(2, ["A&#20;B <>\"'"])])
