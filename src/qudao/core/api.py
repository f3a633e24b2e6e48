"""Shared pieces of every context's API: the error shape and page-number pagination."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Error(Schema):
    """Every API error: a stable code, a translated message, and per-field messages."""

    code: str
    message: str
    fields: dict[str, str] = {}


class PageNumber(PaginationBase):
    """?page=&page_size= → {count, page, page_size, results}."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(50, ge=1, le=500)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, **params: Any
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "count": queryset.count(),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "results": list(queryset[offset : offset + pagination.page_size]),
        }
