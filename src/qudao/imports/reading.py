"""Reading an uploaded spreadsheet (.xlsx or CSV in UTF-8, UTF-8 with BOM or GBK) into rows.

A file that cannot be read raises `UnreadableFile` with a translated message; rows come out as
(spreadsheet row number, list of cell values) with blank rows skipped, so the numbers match what
the user sees in Excel (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime
import io
import posixpath
import re
import string
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Final
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

Cell = str | datetime.date | datetime.datetime
ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
CSV_ENCODINGS: Final = ("utf-8-sig", "gb18030")


class UnreadableFile(Exception):
    """The upload is not a spreadsheet we can read; `message` is translated."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


Rows = Iterator[tuple[int, list[Cell]]]


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
        rows, estimate = _xlsx_rows(stream)
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


def _xlsx_rows(stream: IO[bytes]) -> tuple[Rows, int]:
    try:
        book = _Workbook(zipfile.ZipFile(stream))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError) as broken:
        raise UnreadableFile(
            _("This file is not a valid Excel workbook."), code="not_spreadsheet"
        ) from broken
    return book.rows(), book.stated_rows


# The first worksheet is read straight from its XML with iterparse: openpyxl builds a cell
# object per value, which made reading several times slower than checking the rows.
PACKAGE_RELATIONS: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RELATION_ID: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STRICT_RELATION_ID: Final = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
COLUMN_LETTERS: Final = {
    "".join(letters): index
    for index, letters in enumerate(
        [(a,) for a in string.ascii_uppercase]
        + [(a, b) for a in string.ascii_uppercase for b in string.ascii_uppercase]
    )
}
DIGITS: Final = "0123456789"


def _namespace(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _column(letters: str) -> int:
    index = COLUMN_LETTERS.get(letters)
    if index is None:  # past ZZ: rare enough to compute
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        index -= 1
    return index


class _Workbook:
    """The parts of an .xlsx needed to read its first sheet: paths, strings, date styles."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        workbook_path = self._office_document(names)
        relations = self._relations(workbook_path, names)
        workbook = ElementTree.fromstring(archive.read(workbook_path))
        ns = _namespace(workbook.tag)
        properties = workbook.find(f"{ns}workbookPr")
        self.epoch = (
            CALENDAR_MAC_1904
            if properties is not None and properties.get("date1904", "").lower() in ("1", "true")
            else CALENDAR_WINDOWS_1900
        )
        sheets = workbook.find(f"{ns}sheets")
        if sheets is None or not len(sheets):
            raise UnreadableFile(_("The file is empty."), code="empty_file")
        first = sheets[0]
        relation = first.get(RELATION_ID) or first.get(STRICT_RELATION_ID) or ""
        self.sheet_path = relations[relation][1]
        by_type = {kind.rsplit("/", 1)[-1]: path for kind, path in relations.values()}
        self.strings = self._shared_strings(by_type.get("sharedStrings"), names)
        self.date_styles = self._date_styles(by_type.get("styles"), names)
        self.stated_rows, self.sheet_namespace, self.sheet_prefix = self._sheet_head()

    def _office_document(self, names: set[str]) -> str:
        if "_rels/.rels" in names:
            for relation in ElementTree.fromstring(self.archive.read("_rels/.rels")):
                if relation.get("Type", "").endswith("/officeDocument"):
                    return relation.get("Target", "").lstrip("/")
        return "xl/workbook.xml"

    def _relations(self, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
        """Relation id → (type, path inside the archive) for the relations of `part`."""
        folder, _slash, name = part.rpartition("/")
        relations_path = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if relations_path not in names:
            return {}
        found = {}
        for relation in ElementTree.fromstring(self.archive.read(relations_path)):
            target = relation.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join(folder, target))
            found[relation.get("Id", "")] = (relation.get("Type", ""), path)
        return found

    def _shared_strings(self, path: str | None, names: set[str]) -> list[str]:
        if path is None or path not in names:
            return []
        data = self.archive.read(path)
        if b"<!--" not in data and b"<![CDATA[" not in data:
            text = data.decode("utf-8")
            if "<rPh" in text:
                text = PHONETIC.sub("", text)
            return [_unescape("".join(TEXT.findall(item))) for item in STRING_ITEM.findall(text)]
        strings = []
        for _event, element in ElementTree.iterparse(io.BytesIO(data)):
            if element.tag.endswith("}si"):
                strings.append(_rich_text(element))
                element.clear()
        return strings

    def _date_styles(self, path: str | None, names: set[str]) -> frozenset[int]:
        """Indexes of the cell styles whose number format shows a date."""
        if path is None or path not in names:
            return frozenset()
        styles = ElementTree.fromstring(self.archive.read(path))
        ns = _namespace(styles.tag)
        formats = {int(key): code for key, code in BUILTIN_FORMATS.items()}
        for custom in styles.iterfind(f"{ns}numFmts/{ns}numFmt"):
            formats[int(custom.get("numFmtId", "0"))] = custom.get("formatCode", "")
        return frozenset(
            index
            for index, style in enumerate(styles.iterfind(f"{ns}cellXfs/{ns}xf"))
            if is_date_format(formats.get(int(style.get("numFmtId", "0")), ""))
        )

    def _sheet_head(self) -> tuple[int, str, str]:
        """The sheet's stated <dimension>, namespace and tag prefix, from its first bytes."""
        with self.archive.open(self.sheet_path) as part:
            head = part.read(4096).decode("utf-8", "replace")
        root = re.search(r"<(?:(\w+):)?worksheet\b([^>]*)>", head)
        prefix = root.group(1) or "" if root else ""
        declared = (
            re.search(rf"xmlns{':' + prefix if prefix else ''}\s*=\s*[\"']([^\"']+)", root.group(2))
            if root
            else None
        )
        namespace = f"{{{declared.group(1)}}}" if declared else ""
        dimension = re.search(r"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"", head)
        stated = int(dimension.group(1)) if dimension else 0
        return stated, namespace, f"{prefix}:" if prefix else ""

    def rows(self) -> Rows:
        try:
            with self.archive.open(self.sheet_path) as part:
                yield from self._sheet_rows(part)
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as broken:
            raise UnreadableFile(
                _("This file is not a valid Excel workbook."), code="not_spreadsheet"
            ) from broken
        finally:
            self.archive.close()

    def _sheet_rows(self, part: IO[bytes]) -> Rows:
        """Rows scanned from the sheet XML in blocks that end at a row's end.

        A regular-expression scan of the few tags a sheet's data uses is several times faster
        than a tree parser; a sheet with comments or CDATA goes through ElementTree instead.
        """
        head = part.read(READ_BLOCK)
        if b"<!--" in head or b"<![CDATA[" in head:
            yield from self._parsed_rows(_Rewound(head, part))
            return
        cell_value = self._cell_value
        # Runs of text without "<" are consumed in one step: no lazy, per-character matching.
        tag = re.escape(self.sheet_prefix)
        row_pattern = re.compile(
            rf"<{tag}row\b([^>]*?)(?:/>|>([^<]*(?:<(?!/{tag}row>)[^<]*)*)</{tag}row>)"
        )
        cell_pattern = re.compile(
            rf"<{tag}c(?: r=\"([A-Z]+)\d+\")?([^>]*?)"
            rf"(?:/>|>([^<]*(?:<(?!/{tag}c>)[^<]*)*)</{tag}c>)"
        )
        known: dict[str, tuple[str | None, str | None, str]] = {}  # attributes → t, s, r
        row_close = f"</{self.sheet_prefix}row>"
        number = 0
        block, pending = head, b""
        while True:
            more = part.read(READ_BLOCK) if block else b""
            data = pending + block
            if more:
                cut = data.rfind(row_close.encode())
                if cut == -1:
                    pending, block = data, more
                    continue
                cut += len(row_close)
                data, pending = data[:cut], data[cut:]
            text = data.decode("utf-8")
            if "<!--" in text or "<![CDATA[" in text:
                raise UnreadableFile(
                    _("This workbook could not be read; open it in Excel and save it again."),
                    code="not_spreadsheet",
                )
            for attributes, inner in row_pattern.findall(text):
                stated = ROW_NUMBER.search(attributes)
                number = int(stated.group(1)) if stated else number + 1
                cells: list[Cell] = []
                for letters, attributes, content in cell_pattern.findall(inner):
                    parsed = known.get(attributes)
                    if parsed is None:
                        parsed = _attributes(attributes)
                        if not parsed[2]:  # shared by many cells unless it holds the reference
                            known[attributes] = parsed
                    kind, style, ref = parsed
                    if letters or ref:
                        position = COLUMN_LETTERS.get(letters) if letters else None
                        if position is None:
                            position = _column(letters or ref.rstrip(DIGITS))
                        while len(cells) < position:
                            cells.append("")
                    cells.append(cell_value(kind, style, content))
                if any(cells):
                    yield number, cells
            if not more:
                return
            block = more

    def _cell_value(self, kind: str | None, style: str | None, content: str) -> Cell:
        if kind == "inlineStr":
            if content.startswith("<is><t>") and content.count("<", 7) == 2:  # the usual shape
                return _unescape(content[7 : content.index("<", 7)]).strip()
            if "<rPh" in content:
                content = PHONETIC.sub("", content)
            return _unescape("".join(TEXT.findall(content))).strip()
        if content.startswith("<v>") and content.count("<", 3) == 1:  # the usual shape
            raw = _unescape(content[3 : content.index("<", 3)])
        else:
            found = VALUE.search(content)
            raw = _unescape(found.group(1)) if found else ""
        if kind == "s":
            return self.strings[int(raw)].strip() if raw else ""
        if kind is None or kind == "n":
            if not raw:
                return ""
            if style and int(style) in self.date_styles:
                return from_excel(float(raw), self.epoch)  # type: ignore[no-any-return]
            if "." in raw or "E" in raw or "e" in raw:
                amount = float(raw)
                return str(int(amount)) if amount.is_integer() else str(amount)
            return str(int(raw))
        if kind == "b":
            return str(raw == "1") if raw else ""
        if kind == "d":
            return datetime.datetime.fromisoformat(raw) if raw else ""
        return raw.strip()  # "str" (a formula's text) and "e" (an error such as #N/A)

    def _parsed_rows(self, part: IO[bytes]) -> Rows:
        """The same rows through ElementTree, for sheets the scan does not read."""
        ns = self.sheet_namespace
        row_tag, cell_tag, value_tag, inline_tag = (f"{ns}{t}" for t in ("row", "c", "v", "is"))
        number = 0
        for _event, element in ElementTree.iterparse(part):
            if element.tag != row_tag:
                continue
            stated = element.get("r")
            number = int(stated) if stated else number + 1
            cells: list[Cell] = []
            for cell in element.iter(cell_tag):
                ref = cell.get("r")
                position = _column(ref.rstrip(DIGITS)) if ref else len(cells)
                while len(cells) < position:
                    cells.append("")
                kind = cell.get("t")
                if kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    cells.append(_rich_text(inline).strip() if inline is not None else "")
                    continue
                found = cell.find(value_tag)
                content = f"<v>{escape(found.text or '')}</v>" if found is not None else ""
                cells.append(self._cell_value(kind, cell.get("s"), content))
            element.clear()
            if any(cells):
                yield number, cells


class _Rewound(io.RawIOBase):
    """`head` (already read) followed by the rest of `rest`."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                data, self.head = self.head + self.rest.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.rest.read(size)


READ_BLOCK: Final = 1 << 22
ROW_NUMBER: Final = re.compile(r"\br\s*=\s*[\"'](\d+)")
ATTRIBUTE: Final = re.compile(r"([\w:]+)\s*=\s*[\"']([^\"']*)[\"']")
VALUE: Final = re.compile(r"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")
TEXT: Final = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
STRING_ITEM: Final = re.compile(r"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
PHONETIC: Final = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)


def _attributes(attributes: str) -> tuple[str | None, str | None, str]:
    """A cell's type, style and (when not first) reference, from its attribute text."""
    found = dict(ATTRIBUTE.findall(attributes))
    return found.get("t"), found.get("s"), found.get("r", "")


def _unescape(text: str) -> str:
    """XML's five entities and character references (some writers escape every Chinese
    character as &#27979;), with one small function per reference instead of html.unescape."""
    if "&" not in text:
        return text
    if "&#" in text:
        text = CHARACTER_REFERENCE.sub(_character, text)
        if "&" not in text:
            return text
    for entity, character in XML_ENTITIES:
        text = text.replace(entity, character)
    return text


def _character(found: re.Match[str]) -> str:
    decimal, hexadecimal = found.groups()
    return chr(int(decimal) if decimal else int(hexadecimal, 16))


CHARACTER_REFERENCE: Final = re.compile(r"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")
XML_ENTITIES: Final = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&apos;", "'"),
    ("&amp;", "&"),
)


def _rich_text(element: ElementTree.Element) -> str:
    """The text of a string item: plain <t>, or the <t> of each run; phonetic hints left out."""
    ns = _namespace(element.tag)
    plain = element.find(f"{ns}t")
    if plain is not None:
        return plain.text or ""
    return "".join(run.text or "" for run in element.iterfind(f"{ns}r/{ns}t"))


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
