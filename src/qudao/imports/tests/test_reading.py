from __future__ import annotations

import io

import pytest

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
