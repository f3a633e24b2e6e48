"""Reading an uploaded spreadsheet (.xlsx or CSV in UTF-8, UTF-8 with BOM or GBK) into rows.

A file that cannot be read raises `UnreadableFile` with a translated message; rows come out as
(spreadsheet row number, list of cell values) with blank rows skipped, so the numbers match what
the user sees in Excel (the header is row 1). Workbooks are read by `xlsx.py`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import IO, Final

from django.utils.translation import gettext as _

from qudao.imports.cells import Cell, Rows, UnreadableFile
from qudao.imports.xlsx import xlsx_rows

__all__ = ["Cell", "Rows", "Table", "UnreadableFile", "open_table"]

ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
CSV_ENCODINGS: Final = ("utf-8-sig", "gb18030")


@dataclass
class Table:
    headers: list[str]
    rows: Rows
    estimated_rows: int  # for progress only: the sheet's stated size or the number of lines


def open_table(stream: IO[bytes], *, name: str) -> Table:
    """Open `stream` as a table; refuse files that are empty or not a spreadsheet."""
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise UnreadableFile(_("The file is empty."), code="empty_file")
    if head.startswith(OLE_MAGIC) or name.lower().endswith(".xls"):
        raise UnreadableFile(
            _("Old .xls files cannot be read. Save the file as .xlsx (Excel workbook) or CSV."),
            code="old_xls",
        )
    if head.startswith(ZIP_MAGIC):
        rows, estimate = xlsx_rows(stream)
    elif name.lower().endswith(".xlsx"):
        raise UnreadableFile(_("This file is not a valid Excel workbook."), code="not_spreadsheet")
    else:
        rows, estimate = _csv_rows(stream.read())
    for _number, values in rows:
        headers = [_text(value) for value in values]
        while headers and not headers[-1]:
            headers.pop()
        return Table(headers=headers, rows=rows, estimated_rows=max(estimate - 1, 0))
    raise UnreadableFile(_("The file is empty."), code="empty_file")


def _text(value: Cell) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _csv_rows(data: bytes) -> tuple[Rows, int]:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(
            _("This file is not a spreadsheet. Upload an .xlsx workbook or a CSV file."),
            code="not_spreadsheet",
        )
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _csv_lines(text), text.count("\n") + 1
    raise UnreadableFile(
        _("The file's text encoding was not recognised. Save the CSV as UTF-8 or GBK."),
        code="unknown_encoding",
    )


def _csv_lines(text: str) -> Rows:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, values in enumerate(reader, start=1):
            cells: list[Cell] = [value.strip() for value in values]
            if any(cells):
                yield number, cells
    except csv.Error as broken:
        raise UnreadableFile(
            _("The CSV file is malformed near row %(row)s.") % {"row": reader.line_num},
            code="malformed_csv",
        ) from broken
