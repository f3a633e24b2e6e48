"""What every import kind is made of: columns with bilingual headers, cell cleaners, problems.

A spec names its columns; `prepare()` loads every lookup it needs (one query per referenced
table) into a `Checker`, which then validates rows in plain Python and builds model instances.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Final

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from qudao.imports.reading import Cell
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Perm

HEADER_NOISE: Final = re.compile(r"[\s*＊:：()（）]+")


def normalize_header(text: str) -> str:
    """Headers match loosely: case, spaces, asterisks and brackets do not matter."""
    return HEADER_NOISE.sub("", text).casefold()


@dataclass(frozen=True)
class Column:
    """One column: its English msgid, its Chinese header (works before catalogues compile)."""

    key: str
    english: str  # a msgid, marked with gettext_noop where the column is declared
    chinese: str
    required: bool = False
    hint: str = ""  # a msgid too: what goes in the column, for the template's notes
    example: str = ""

    @property
    def label(self) -> str:
        return _(self.english)

    def names(self) -> set[str]:
        """Every header this column is recognised by: English, Chinese, current translation."""
        return {normalize_header(name) for name in (self.english, self.chinese, self.label)}

    def header(self, language: str) -> str:
        return self.chinese if language.lower().startswith("zh") else _(self.english)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    code: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message, "code": self.code}


@dataclass
class Report:
    """Problems found so far: all are counted, the first `keep` are kept."""

    keep: int
    count: int = 0
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key → header in the file

    def add(self, row: int, key: str, message: str, code: str) -> None:
        self.count += 1
        if len(self.problems) < self.keep:
            self.problems.append(Problem(row, self.headers.get(key, key), message, code))


RowCheck = Callable[[int, Sequence[Cell], Report], object | None]


class Checker:
    """Validates rows against lookups loaded once; hands the checked rows to the owning service."""

    def check(self, row: int, values: Mapping[str, Cell], report: Report) -> object | None:
        """The row as the owning service takes it, or None when it has a problem (reported)."""
        raise NotImplementedError

    def row_check(self, keys: Sequence[str]) -> RowCheck:
        """`check` for rows given as cells in the order of `keys`, the file's matched columns.

        A kind may return a faster function, made once per file, that accepts the usual row
        straight from its cells and hands every other row to `check`: same rows, same problems.
        """
        check = self.check

        def check_cells(row: int, cells: Sequence[Cell], report: Report) -> object | None:
            return check(row, dict(zip(keys, cells, strict=True)), report)

        return check_cells

    def finish(self, report: Report, rows: Sequence[tuple[int, object]]) -> None:
        """Checks across rows (duplicates, overlaps…) once every row was seen."""

    def insert(self, *, actor: Membership, rows: Sequence[object]) -> int:
        """Write the checked rows through the service of the app that owns the table."""
        raise NotImplementedError

    def encode(self, row: object) -> Sequence[object]:
        """A checked row as JSON values (decimals and dates may stay: they become strings)."""
        raise NotImplementedError

    def decode(self, values: list[object]) -> object:
        """The checked row back from `encode`'s values."""
        raise NotImplementedError


def optional_date(value: object) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(str(value))


class Spec:
    kind: ClassVar[str]
    perm: ClassVar[Perm]
    columns: ClassVar[Sequence[Column]]
    notes: ClassVar[Sequence[str]] = ()  # msgids: extra lines for the template's notes sheet

    def prepare(self, *, org: Organization, actor: Membership) -> Checker:
        raise NotImplementedError


# --- cell cleaners: each returns the clean value, or reports and returns None --------------


def text(value: Cell, row: int, key: str, report: Report, *, max_length: int) -> str | None:
    if not isinstance(value, str):
        value = value.isoformat()
    if len(value) > max_length:
        report.add(
            row,
            key,
            _("Row %(row)s, column “%(column)s”: at most %(max)s characters, this has %(length)s.")
            % {
                "row": row,
                "column": report.headers.get(key, key),
                "max": max_length,
                "length": len(value),
            },
            "too_long",
        )
        return None
    return value


def required(value: Cell, row: int, key: str, report: Report) -> bool:
    if value == "":
        report.add(
            row,
            key,
            _("Row %(row)s, column “%(column)s”: this value is required.")
            % {"row": row, "column": report.headers.get(key, key)},
            "required",
        )
        return False
    return True


def choice_lookup(
    choices: Iterable[tuple[str, Promise | str]], chinese: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Accept a choice by its stored value, English label, Chinese names or current label."""
    lookup: dict[str, str] = {}
    choices = list(choices)
    with translation.override("en"):
        english = {value: str(label) for value, label in choices}
    for value, label in choices:
        names = [value, str(label), english[value], *chinese.get(value, ())]
        for name in names:
            lookup[normalize_header(name)] = value
    # the names exactly as written too: most cells match one and skip normalising
    for value, label in choices:
        for name in (value, str(label), english[value], *chinese.get(value, ())):
            lookup.setdefault(name, value)
    return lookup


def choice(
    value: Cell, row: int, key: str, report: Report, *, lookup: Mapping[str, str], allowed: str
) -> str | None:
    found = lookup.get(value) if isinstance(value, str) else None
    if found is None:
        found = lookup.get(normalize_header(str(value)))
    if found is None:
        report.add(
            row,
            key,
            _("Row %(row)s, column “%(column)s”: “%(value)s” is not one of: %(allowed)s.")
            % {
                "row": row,
                "column": report.headers.get(key, key),
                "value": value,
                "allowed": allowed,
            },
            "invalid_choice",
        )
    return found


YES: Final = frozenset({"1", "y", "yes", "true", "是", "对", "√", "✓"})
NO: Final = frozenset({"", "0", "n", "no", "false", "否", "不是", "×"})


def yes_no(value: Cell, row: int, key: str, report: Report) -> bool | None:
    word = str(value).strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    report.add(
        row,
        key,
        _("Row %(row)s, column “%(column)s”: write 是 or 否 (yes or no), not “%(value)s”.")
        % {"row": row, "column": report.headers.get(key, key), "value": value},
        "invalid_boolean",
    )
    return None


DATE_FORMATS: Final = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def date(value: Cell, row: int, key: str, report: Report) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    report.add(
        row,
        key,
        _("Row %(row)s, column “%(column)s”: “%(value)s” is not a date; write it as 2026-03-31.")
        % {"row": row, "column": report.headers.get(key, key), "value": value},
        "invalid_date",
    )
    return None


def decimal(
    value: Cell, row: int, key: str, report: Report, *, places: int, minimum: Decimal | None
) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        report.add(
            row,
            key,
            _("Row %(row)s, column “%(column)s”: “%(value)s” is not a number.")
            % {"row": row, "column": report.headers.get(key, key), "value": value},
            "invalid_number",
        )
        return None
    if minimum is not None and amount < minimum:
        report.add(
            row,
            key,
            _("Row %(row)s, column “%(column)s”: must not be negative.")
            % {"row": row, "column": report.headers.get(key, key)},
            "negative",
        )
        return None
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        report.add(
            row,
            key,
            _("Row %(row)s, column “%(column)s”: at most %(places)s decimal places.")
            % {"row": row, "column": report.headers.get(key, key), "places": places},
            "too_many_places",
        )
        return None
    return amount
