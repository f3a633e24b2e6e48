"""Reads for returns and damage claims: what a member may see, and their timelines."""

from __future__ import annotations

from django.db.models import QuerySet

from qudao.sales.models_returns import DamageClaim, SalesReturn
from qudao.tenancy.models import Event, Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def visible_returns(membership: Membership) -> QuerySet[SalesReturn]:
    """Returns of the customers the member may see (a sales rep: his own)."""
    rows = SalesReturn.objects.select_related("customer", "delivery", "created_by__user")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        rows = rows.filter(customer__owner=membership)
    return rows


def visible_claims(membership: Membership) -> QuerySet[DamageClaim]:
    rows = DamageClaim.objects.select_related("customer", "delivery", "supplier")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        rows = rows.filter(customer__owner=membership)
    return rows


def events_of(subject_type: str, pk: int) -> list[Event]:
    """A document's events, newest first."""
    return list(
        Event.objects.filter(subject_type=subject_type, subject_id=pk)
        .select_related("actor__user")
        .order_by("-at", "-pk")
    )
