"""The list-page pattern: search, filters, sorting and pagination over a queryset.

Sorting is limited to declared columns (each backed by an index where lists get large), the
count and the page are two queries, and nothing is loaded beyond the current page — so a list
stays fast at 100k rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Generic, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort: str = ""  # the ORM field to order by; empty: not sortable
    numeric: bool = False
    phone: bool = True  # shown on a phone-width screen


@dataclass(frozen=True)
class Filter:
    param: str
    label: str | Promise
    lookup: str
    choices: Sequence[tuple[str, str | Promise]] = field(default_factory=tuple)


@dataclass
class Listing(Generic[_M]):
    """Apply the request's q/sort/page/size and filters to `queryset`."""

    request: HttpRequest
    queryset: QuerySet[_M]
    columns: Sequence[Column]
    search_fields: Sequence[str] = ()
    filters: Sequence[Filter] = ()
    default_sort: str = "-id"

    def __post_init__(self) -> None:
        params = self.request.GET
        self.search = params.get("q", "").strip()[:100]
        sortable = {c.key: c.sort for c in self.columns if c.sort}
        raw_sort = params.get("sort", "")
        key = raw_sort.removeprefix("-")
        if key in sortable:
            self.sort = raw_sort
            direction = "-" if raw_sort.startswith("-") else ""
            self.ordering = [f"{direction}{sortable[key]}", f"{direction}id"]
        else:
            self.sort = ""
            self.ordering = [
                self.default_sort,
                "-id" if self.default_sort.startswith("-") else "id",
            ]
        sizes = settings.QUDAO_LIST_PAGE_SIZES
        try:
            size = int(params.get("size", sizes[0]))
        except ValueError:
            size = sizes[0]
        self.page_size = size if size in sizes else sizes[0]
        self.active_filters = {
            f.param: params[f.param]
            for f in self.filters
            if params.get(f.param) and params[f.param] in {str(v) for v, _ in f.choices}
        }

    def rows(self) -> QuerySet[_M]:
        rows = self.queryset
        if self.search and self.search_fields:
            rows = rows.filter(
                reduce(
                    or_, (Q(**{f"{name}__icontains": self.search}) for name in self.search_fields)
                )
            )
        for f in self.filters:
            if f.param in self.active_filters:
                rows = rows.filter(**{f.lookup: self.active_filters[f.param]})
        return rows.order_by(*self.ordering)

    def page(self) -> Page:  # type: ignore[type-arg]
        paginator = Paginator(self.rows(), self.page_size)
        return paginator.get_page(self.request.GET.get("page"))

    def context(self) -> dict[str, object]:
        page = self.page()
        return {
            "listing": self,
            "page": page,
            "rows": page.object_list,
            "columns": self.columns,
            "phone_hidden": [i for i, c in enumerate(self.columns, start=1) if not c.phone],
            "filters": self.filters,
            "page_sizes": settings.QUDAO_LIST_PAGE_SIZES,
        }
