"""What reading a spreadsheet gives: cell values, numbered rows, and the refusal of a file."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

Cell = str | datetime.date | datetime.datetime
Rows = Iterator[tuple[int, list[Cell]]]


class UnreadableFile(Exception):
    """The upload is not a spreadsheet we can read; `message` is translated."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
