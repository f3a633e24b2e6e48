"""What the stock report pages share: a list over grouped rows, and the report's own choices.

Grouped rows (GROUP BY product, brand or warehouse) cannot break ties on `id`, and a few
columns can be null (never sold, nothing sold), which SQLite and PostgreSQL sort apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, Model, OrderBy
from django.http import HttpRequest

from qudao.core.listing import Listing


@dataclass
class ReportListing(Listing[Model]):
    """A list whose ties break on `tiebreak` and whose null columns sort the same everywhere:
    null is the smallest value in `nulls_small`, the largest in `nulls_large`."""

    tiebreak: str = "id"
    nulls_small: Sequence[str] = ()
    nulls_large: Sequence[str] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        self.ordering = [self._order(term) for term in self.ordering]

    def _order(self, term: object) -> str | OrderBy:
        assert isinstance(term, str)
        descending, field = term.startswith("-"), term.removeprefix("-")
        if field == "id":
            field = self.tiebreak
        if field in self.nulls_small or field in self.nulls_large:
            small = field in self.nulls_small
            if descending:
                return F(field).desc(nulls_last=True) if small else F(field).desc(nulls_first=True)
            return F(field).asc(nulls_first=True) if small else F(field).asc(nulls_last=True)
        return f"-{field}" if descending else field


def list_url(request: HttpRequest, keep: Sequence[str]) -> str:
    """The page's address with the report's own choices, so searching and filtering keep them."""
    params = {name: request.GET[name] for name in keep if request.GET.get(name)}
    return f"{request.path}?{urlencode(params)}" if params else request.path


def whole_number(request: HttpRequest, name: str, choices: Sequence[int], default: int) -> int:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) in choices else default
