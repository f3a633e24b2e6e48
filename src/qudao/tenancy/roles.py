"""Roles inside an organization and what each may do."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BOSS = "boss", _("Boss / administrator")
    SALES_REP = "sales_rep", _("Sales rep")
    FINANCE = "finance", _("Finance")
    WAREHOUSE = "warehouse", _("Warehouse keeper")
    AFTERSALES = "aftersales", _("After-sales")
    READONLY = "readonly", _("Read-only")
    MANUFACTURER = "manufacturer", _("Manufacturer user")
    RETAILER = "retailer", _("Retailer user")


STAFF_ROLES: Final = frozenset(
    {Role.BOSS, Role.SALES_REP, Role.FINANCE, Role.WAREHOUSE, Role.AFTERSALES, Role.READONLY}
)
EXTERNAL_ROLES: Final = frozenset({Role.MANUFACTURER, Role.RETAILER})


class Perm(StrEnum):
    """A capability a page or endpoint needs; roles grant capabilities below."""

    VIEW_HOME = "view_home"
    VIEW_PARTIES = "view_parties"
    VIEW_ALL_CUSTOMERS = "view_all_customers"
    MANAGE_PARTIES = "manage_parties"
    REASSIGN_CUSTOMERS = "reassign_customers"
    MANAGE_TERRITORIES = "manage_territories"
    VIEW_CATALOG = "view_catalog"
    EDIT_CATALOG = "edit_catalog"
    EDIT_PRICES = "edit_prices"
    VIEW_PURCHASE_PRICES = "view_purchase_prices"
    VIEW_FINANCE = "view_finance"
    POST_FINANCE = "post_finance"
    MANAGE_CREDIT = "manage_credit"
    WORK_COLLECTIONS = "work_collections"  # log collection calls and promises to pay
    VIEW_ORDERS = "view_orders"
    SELL = "sell"
    REVIEW_ORDERS = "review_orders"
    MANAGE_SALES_SETTINGS = "manage_sales_settings"
    VIEW_STOCK = "view_stock"
    MOVE_STOCK = "move_stock"
    VIEW_COSTS = "view_costs"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"
    USE_PORTAL = "use_portal"
    USE_RETAILER_PORTAL = "use_retailer_portal"  # statements, consignment: a retailer's own
    USE_API_TOKENS = "use_api_tokens"


_INTERNAL: Final = STAFF_ROLES
GRANTS: Final[dict[Perm, frozenset[str]]] = {
    Perm.VIEW_HOME: _INTERNAL,
    Perm.VIEW_PARTIES: _INTERNAL,
    Perm.VIEW_ALL_CUSTOMERS: frozenset(_INTERNAL - {Role.SALES_REP}),
    Perm.MANAGE_PARTIES: frozenset({Role.BOSS, Role.SALES_REP}),
    Perm.REASSIGN_CUSTOMERS: frozenset({Role.BOSS}),
    Perm.MANAGE_TERRITORIES: frozenset({Role.BOSS}),
    Perm.VIEW_CATALOG: _INTERNAL,
    Perm.EDIT_CATALOG: frozenset({Role.BOSS}),
    Perm.EDIT_PRICES: frozenset({Role.BOSS, Role.FINANCE}),
    Perm.VIEW_PURCHASE_PRICES: frozenset({Role.BOSS, Role.FINANCE}),  # costs: never external
    Perm.VIEW_FINANCE: frozenset({Role.BOSS, Role.FINANCE, Role.SALES_REP, Role.READONLY}),
    Perm.POST_FINANCE: frozenset({Role.BOSS, Role.FINANCE}),
    Perm.MANAGE_CREDIT: frozenset({Role.BOSS, Role.FINANCE}),
    Perm.WORK_COLLECTIONS: frozenset({Role.BOSS, Role.SALES_REP, Role.FINANCE}),
    Perm.VIEW_ORDERS: _INTERNAL,  # a sales rep sees the orders of his own customers
    Perm.SELL: frozenset({Role.BOSS, Role.SALES_REP}),
    Perm.REVIEW_ORDERS: frozenset({Role.BOSS}),
    Perm.MANAGE_SALES_SETTINGS: frozenset({Role.BOSS}),
    Perm.VIEW_STOCK: _INTERNAL,
    Perm.MOVE_STOCK: frozenset({Role.BOSS, Role.WAREHOUSE}),
    Perm.VIEW_COSTS: frozenset({Role.BOSS, Role.FINANCE}),  # stock values, unit costs
    Perm.VIEW_MEMBERS: frozenset({Role.BOSS}),
    Perm.MANAGE_MEMBERS: frozenset({Role.BOSS}),
    Perm.VIEW_AUDIT: frozenset({Role.BOSS, Role.FINANCE}),
    Perm.USE_PORTAL: EXTERNAL_ROLES,
    Perm.USE_RETAILER_PORTAL: frozenset({Role.RETAILER}),
    Perm.USE_API_TOKENS: frozenset(_INTERNAL | EXTERNAL_ROLES),
}


def has_perm(role: str, perm: Perm) -> bool:
    return role in GRANTS[perm]
