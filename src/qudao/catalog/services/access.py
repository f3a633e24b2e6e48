"""Who may change the catalog and who may see costs.

Stop-gap until tenancy.roles grows the permissions (EDIT_CATALOG, EDIT_PRICES,
VIEW_PURCHASE_PRICES): the lead will move these role sets into `GRANTS` there.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _

from qudao.core.errors import PermissionDenied
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Role

CATALOG_EDITORS: Final = frozenset({Role.BOSS})
PRICE_EDITORS: Final = frozenset({Role.BOSS, Role.FINANCE})
COST_VIEWERS: Final = frozenset({Role.BOSS, Role.FINANCE})


def has_catalog_role(actor: Membership | None, roles: frozenset[str]) -> bool:
    return actor is not None and actor.is_active and actor.role in roles


def require_catalog_role(actor: Membership | None, roles: frozenset[str]) -> None:
    """Refuse when the actor's role is not one of `roles`."""
    if not has_catalog_role(actor, roles):
        raise PermissionDenied(_("Your role does not allow this."))


def can_edit_catalog(actor: Membership | None) -> bool:
    return has_catalog_role(actor, CATALOG_EDITORS)


def can_edit_prices(actor: Membership | None) -> bool:
    return has_catalog_role(actor, PRICE_EDITORS)


def can_see_purchase_prices(actor: Membership | None) -> bool:
    """Purchase prices are costs: only the boss and finance see them."""
    return has_catalog_role(actor, COST_VIEWERS)
