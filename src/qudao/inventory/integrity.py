"""The stock invariant for the nightly check: on hand equals the sum of the moves."""

from __future__ import annotations

from qudao.inventory.selectors import level_mismatches
from qudao.tenancy.integrity import Problem
from qudao.tenancy.models import Organization


def find_problems(org: Organization) -> list[Problem]:
    """Stock levels of `org` (already in scope) that disagree with their move ledger."""
    mismatches = level_mismatches()
    return (
        [Problem("inventory.stock_level_differs_from_moves", len(mismatches))] if mismatches else []
    )
