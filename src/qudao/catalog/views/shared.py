"""Helpers shared by the catalog pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Listing


def _show_refusal(form: Any, refusal: BusinessRuleViolation, aliases: dict[str, str]) -> None:
    """Put a service's refusal on the form: per field where it can, else on top."""
    placed = False
    for field, message in refusal.fields.items():
        name = aliases.get(field, field)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, refusal.message)


def _listing_page(
    request: HttpRequest, listing: Listing[Any], template: str, extra: dict[str, object]
) -> HttpResponse:
    context = listing.context() | {"list_url": request.path} | extra
    chosen = "shell/_list.html" if request.htmx else template  # type: ignore[attr-defined]
    return render(request, chosen, context)
