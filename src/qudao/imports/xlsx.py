"""Reading the first sheet of an .xlsx workbook into numbered rows of cell values.

openpyxl builds a cell object per value, which made reading several times slower than checking
the rows; the sheet XML is scanned here instead. Most sheets repeat a few row layouts (which
columns, which cell types): each layout seen is made into one regular expression that matches
a whole row and captures its values, so a usual row costs one match. Other rows are scanned
cell by cell, and sheets with comments or CDATA go through ElementTree.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import string
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Final
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from qudao.imports.cells import Cell, Rows, UnreadableFile


def xlsx_rows(stream: IO[bytes]) -> tuple[Rows, int]:
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
        self._stripped: list[str] | None = None

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
        layouts = _Layouts(self)
        row_open, row_close = f"<{self.sheet_prefix}row", f"</{self.sheet_prefix}row>"
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
            *pieces, tail = text.split(row_close)  # a whole row ends each piece but the tail
            for piece in pieces:
                start = piece.find(row_open)
                end = piece.find(">", start)
                attributes = piece[start + len(row_open) : end]
                if (
                    start == -1
                    or end == -1
                    or attributes[:1] not in ROW_TAG_ENDS
                    or attributes.endswith("/")
                    or piece.find(row_open, end) != -1
                ):
                    rows = row_pattern.findall(piece + row_close)  # not one plain row
                else:
                    rows = [(attributes, piece[end + 1 :])]
                for attributes, inner in rows:
                    stated = ROW_NUMBER.search(attributes)
                    number = int(stated.group(1)) if stated else number + 1
                    cells = layouts.cells(inner)
                    if cells is None:
                        cells = self._scanned_cells(inner, cell_pattern, known)
                    if any(cells):
                        yield number, cells
            for attributes, inner in row_pattern.findall(tail):
                stated = ROW_NUMBER.search(attributes)
                number = int(stated.group(1)) if stated else number + 1
                cells = self._scanned_cells(inner, cell_pattern, known)
                if any(cells):
                    yield number, cells
            if not more:
                return
            block = more

    def _scanned_cells(
        self,
        inner: str,
        cell_pattern: re.Pattern[str],
        known: dict[str, tuple[str | None, str | None, str]],
    ) -> list[Cell]:
        """The cells of a row's XML, one cell at a time: any layout, any cell shape."""
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
            cells.append(self._cell_value(kind, style, content))
        return cells

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
            return _number(raw)
        if kind == "b":
            return _boolean(raw)
        if kind == "d":
            return _timestamp(raw)
        return raw.strip()  # "str" (a formula's text) and "e" (an error such as #N/A)

    def converter(self, kind: str | None, style: str | None) -> Callable[[str], Cell]:
        """`_cell_value` for a value already taken out of its <v> (or <is><t> for inlineStr)."""
        if kind == "inlineStr":
            return str.strip
        if kind == "s":
            strings = self.stripped_strings()
            return lambda raw: strings[int(raw)] if raw else ""
        if kind is None or kind == "n":
            if style and int(style) in self.date_styles:
                epoch = self.epoch
                return lambda raw: from_excel(float(raw), epoch) if raw else ""
            return _number
        if kind == "b":
            return _boolean
        if kind == "d":
            return _timestamp
        return str.strip

    def stripped_strings(self) -> list[str]:
        if self._stripped is None:
            self._stripped = [text.strip() for text in self.strings]
        return self._stripped

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


LAYOUTS_TRIED: Final = 8  # the most recently used layouts a row is matched against
LAYOUTS_MADE: Final = 64  # at most this many layouts are made per sheet; other rows are scanned
CellValue = Callable[[str], Cell]


@dataclass(frozen=True)
class _Layout:
    """Which cells a row has (column, type, how the value is written), as one whole-row match.

    `convert` is set when the row's cells fill the columns from A on and are all of one type;
    otherwise each captured value goes to its column through its own converter.
    """

    match: Callable[[str], re.Match[str] | None]
    width: int
    positions: tuple[int, ...]  # the columns of the captured values
    converters: tuple[CellValue, ...]
    convert: CellValue | None

    def cells(self, values: Sequence[str]) -> list[Cell]:
        if self.convert is not None:
            return list(map(self.convert, values))
        cells: list[Cell] = [""] * self.width
        for position, convert, value in zip(self.positions, self.converters, values, strict=True):
            cells[position] = convert(value)
        return cells


class _Layouts:
    """The row layouts of one sheet, made from the rows as they come."""

    def __init__(self, book: _Workbook) -> None:
        self.book = book
        tag = re.escape(book.sheet_prefix)
        self.prefix = tag
        self.inline = rf"><{tag}is><{tag}t>([^<]*)</{tag}t></{tag}is></{tag}c>"
        self.value = rf"><{tag}v>([^<]*)</{tag}v></{tag}c>"
        # the plain shapes a layout can hold: empty, one inline string, one value
        self.cell = re.compile(
            rf'<{tag}c r="([A-Z]{{1,3}})[0-9]+"([^>]*?)'
            rf"(/>|><{tag}is><{tag}t>[^<]*</{tag}t></{tag}is></{tag}c>"
            rf"|><{tag}v>[^<]*</{tag}v></{tag}c>)"
        )
        self.recent: list[_Layout] = []
        self.made: dict[tuple[tuple[str, str, str], ...], _Layout | None] = {}
        self.converters: dict[tuple[str | None, str | None, bool], CellValue] = {}

    def cells(self, inner: str) -> list[Cell] | None:
        """The cells of a row's XML when it has a plain layout; None means scan it instead."""
        recent = self.recent
        for index, layout in enumerate(recent):
            found = layout.match(inner)
            if found is not None:
                if index:
                    recent.insert(0, recent.pop(index))
                break
        else:
            made = self._layout(inner)
            found = made.match(inner) if made is not None else None
            if made is None or found is None:
                return None
            layout = made
            recent.insert(0, layout)
            del recent[LAYOUTS_TRIED:]
        values: Sequence[str] = found.groups()
        if "&" in inner:
            values = [_unescape(value) for value in values]
        return layout.cells(values)

    def _layout(self, inner: str) -> _Layout | None:
        """The layout of this row, when each of its cells is in one of the plain shapes."""
        if len(self.made) >= LAYOUTS_MADE:
            return None
        shapes: list[tuple[str, str, str]] = []
        end = 0
        for found in self.cell.finditer(inner):
            if found.start() != end:
                return None
            end = found.end()
            shapes.append(found.groups())  # type: ignore[arg-type]
        if end != len(inner):
            return None
        key = tuple(shapes)
        if key not in self.made:
            try:
                self.made[key] = self._made(key)
            except ValueError:  # a style that is not a number: the scan reports it
                self.made[key] = None
        return self.made[key]

    def _made(self, shapes: tuple[tuple[str, str, str], ...]) -> _Layout | None:
        tag = self.prefix
        pattern, positions, converters = [], [], []
        last = -1
        for letters, attributes, form in shapes:
            kind, style, ref = _attributes(attributes)
            position = _column(letters)
            if ref or position <= last:
                return None
            last = position
            pattern.append(rf'<{tag}c r="{letters}[0-9]+"{re.escape(attributes)}')
            if form == "/>":
                pattern.append("/>")
                continue
            inline = form.startswith(f"><{self.book.sheet_prefix}is>")
            pattern.append(self.inline if inline else self.value)
            positions.append(position)
            converters.append(self._converter(kind, style, inline=inline))
        dense = positions == list(range(len(shapes)))
        uniform = len(set(converters)) == 1
        return _Layout(
            match=re.compile("".join(pattern)).fullmatch,
            width=last + 1,
            positions=tuple(positions),
            converters=tuple(converters),
            convert=converters[0] if dense and uniform else None,
        )

    def _converter(self, kind: str | None, style: str | None, *, inline: bool) -> CellValue:
        key = (kind, style, inline)
        if key not in self.converters:
            if (kind == "inlineStr") != inline:
                # the value is not where the cell's type keeps it: read as empty, like the scan
                self.converters[key] = _blank
            else:
                self.converters[key] = self.book.converter(kind, style)
        return self.converters[key]


READ_BLOCK: Final = 1 << 22
ROW_TAG_ENDS: Final = frozenset(("", " ", "\t", "\n", "\r"))  # what may follow "<row"
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


def _number(raw: str) -> str:
    if not raw:
        return ""
    if "." in raw or "E" in raw or "e" in raw:
        amount = float(raw)
        return str(int(amount)) if amount.is_integer() else str(amount)
    return str(int(raw))


def _boolean(raw: str) -> str:
    return str(raw == "1") if raw else ""


def _timestamp(raw: str) -> Cell:
    return datetime.datetime.fromisoformat(raw) if raw else ""


def _blank(_raw: str) -> str:
    return ""


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
