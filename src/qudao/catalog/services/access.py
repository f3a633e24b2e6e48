"""The catalog's questions about the actor, answered by tenancy's permissions."""

from __future__ import annotations

from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def can_edit_catalog(actor: Membership | None) -> bool:
    return can(actor, Perm.EDIT_CATALOG)


def can_edit_prices(actor: Membership | None) -> bool:
    return can(actor, Perm.EDIT_PRICES)


def can_see_purchase_prices(actor: Membership | None) -> bool:
    """Purchase prices are costs: only the roles granted VIEW_PURCHASE_PRICES see them."""
    return can(actor, Perm.VIEW_PURCHASE_PRICES)
