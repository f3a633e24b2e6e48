"""Which existing capability each purchasing act needs (purchasing adds no roles or perms).

Boss and finance order from suppliers and record prepayments; boss and warehouse receive
goods; everyone inside the organization reads; prices are costs, shown only to VIEW_COSTS.
"""

from __future__ import annotations

from typing import Final

from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

MANAGE_ORDERS: Final = Perm.POST_FINANCE
RECEIVE_GOODS: Final = Perm.MOVE_STOCK
READ: Final = Perm.VIEW_STOCK
SEE_COSTS: Final = Perm.VIEW_COSTS


def can_manage_orders(actor: Membership | None) -> bool:
    return can(actor, MANAGE_ORDERS)


def can_receive(actor: Membership | None) -> bool:
    return can(actor, RECEIVE_GOODS)


def can_see_costs(actor: Membership | None) -> bool:
    return can(actor, SEE_COSTS)
