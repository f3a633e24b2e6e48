"""Reads of parties, scoped to the organization and to the member's role."""

from __future__ import annotations

from django.db.models import QuerySet

from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def visible_customers(membership: Membership) -> QuerySet[Party]:
    """Customers this member may see: a sales rep sees the ones they own."""
    customers = Party.objects.filter(kind=PartyKind.CUSTOMER)
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        customers = customers.filter(owner=membership)
    return customers
