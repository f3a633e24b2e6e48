"""The navigation of every capability in DESIGN.md, shown by role.

An entry whose page does not exist yet (its URL name does not resolve) is hidden, so the
menu grows by itself as capabilities land and never shows a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: Perm


@dataclass(frozen=True)
class NavSection:
    label: str | Promise
    icon: str
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(
        _("Customers & suppliers"),
        "users",
        (
            NavItem(_("Customers"), "parties-customer-list", Perm.VIEW_PARTIES),
            NavItem(_("Suppliers"), "parties-supplier-list", Perm.VIEW_PARTIES),
            NavItem(_("Territories"), "parties-territory-list", Perm.VIEW_PARTIES),
        ),
    ),
    NavSection(
        _("Catalog"),
        "package",
        (
            NavItem(_("Products"), "catalog-product-list", Perm.VIEW_CATALOG),
            NavItem(_("Categories"), "catalog-category-list", Perm.VIEW_CATALOG),
            NavItem(_("Brands"), "catalog-brand-list", Perm.VIEW_CATALOG),
            NavItem(_("Price lists"), "catalog-pricelist-list", Perm.VIEW_CATALOG),
        ),
    ),
    NavSection(
        _("Buying"),
        "truck",
        (
            NavItem(_("Purchase orders"), "purchasing-order-list", Perm.VIEW_STOCK),
            NavItem(_("Goods receipts"), "purchasing-receipt-list", Perm.VIEW_STOCK),
            NavItem(_("Receipt damage claims"), "purchasing-claim-list", Perm.VIEW_STOCK),
            NavItem(_("Supplier invoices"), "purchasing-invoice-list", Perm.VIEW_COSTS),
            NavItem(_("Supplier payments"), "purchasing-payment-list", Perm.VIEW_COSTS),
            NavItem(_("Payables"), "purchasing-payables", Perm.VIEW_COSTS),
            NavItem(
                _("Received, not invoiced"), "purchasing-received-not-invoiced", Perm.VIEW_COSTS
            ),
        ),
    ),
    NavSection(
        _("Selling"),
        "shopping-cart",
        (
            NavItem(_("Sales orders"), "sales-order-list", Perm.VIEW_ORDERS),
            NavItem(_("Delivery notes"), "sales-delivery-list", Perm.VIEW_ORDERS),
            NavItem(_("Returns"), "sales-return-list", Perm.VIEW_ORDERS),
            NavItem(_("Damage claims"), "sales-damage-list", Perm.VIEW_ORDERS),
            NavItem(_("Consignment"), "sales-consignment-list", Perm.VIEW_ORDERS),
            NavItem(_("Sales settings"), "sales-settings", Perm.MANAGE_SALES_SETTINGS),
        ),
    ),
    NavSection(
        _("Stock"),
        "box",
        (
            NavItem(_("Stock on hand"), "inventory-stock-list", Perm.VIEW_STOCK),
            NavItem(_("Stock moves"), "inventory-move-list", Perm.VIEW_STOCK),
            NavItem(_("Transfers"), "inventory-transfer-list", Perm.VIEW_STOCK),
            NavItem(_("Stock counts"), "inventory-count-list", Perm.VIEW_STOCK),
            NavItem(_("Turnover"), "inventory-turnover", Perm.VIEW_STOCK),
            NavItem(_("Stock ageing"), "inventory-ageing", Perm.VIEW_STOCK),
            NavItem(_("Slow movers"), "inventory-slow-movers", Perm.VIEW_STOCK),
            NavItem(_("Reorder suggestions"), "inventory-reorder", Perm.VIEW_STOCK),
            NavItem(_("Warehouses"), "inventory-warehouse-list", Perm.VIEW_STOCK),
        ),
    ),
    NavSection(
        _("Money"),
        "wallet",
        (
            NavItem(_("Invoices"), "finance-invoice-list", Perm.VIEW_FINANCE),
            NavItem(_("Payments"), "finance-payment-list", Perm.VIEW_FINANCE),
            NavItem(_("Customer accounts"), "finance-account-list", Perm.VIEW_FINANCE),
            NavItem(_("Prepayment top-ups"), "finance-topup-list", Perm.VIEW_FINANCE),
            NavItem(_("Credit control"), "finance-credit-list", Perm.VIEW_FINANCE),
            NavItem(_("Aging"), "finance-aging", Perm.VIEW_FINANCE),
            NavItem(_("Statements"), "finance-statement-list", Perm.VIEW_FINANCE),
            NavItem(_("Payment reminders"), "finance-reminder-log", Perm.VIEW_FINANCE),
            NavItem(_("Collections"), "finance-collection-workbench", Perm.VIEW_FINANCE),
            NavItem(_("Collection targets"), "finance-collection-targets", Perm.VIEW_FINANCE),
            NavItem(_("Bills receivable"), "finance-bill-list", Perm.VIEW_FINANCE),
            NavItem(_("Journal"), "finance-journal", Perm.POST_FINANCE),
        ),
    ),
    NavSection(
        _("Programs & rebates"),
        "gift",
        (NavItem(_("Programs"), "programs-program-list", Perm.VIEW_PARTIES),),
    ),
    NavSection(
        _("After-sales"),
        "tool",
        (
            NavItem(_("Warranty cases"), "aftersales-case-list", Perm.VIEW_PARTIES),
            NavItem(_("Warranty policies"), "aftersales-policy-list", Perm.VIEW_PARTIES),
        ),
    ),
    NavSection(
        _("Relationships"),
        "heart",
        (
            NavItem(_("Relationship log"), "relations-log-list", Perm.VIEW_PARTIES),
            NavItem(_("Commitments"), "relations-commitment-list", Perm.VIEW_PARTIES),
            NavItem(_("Events & training"), "relations-event-list", Perm.VIEW_PARTIES),
        ),
    ),
    NavSection(
        _("Analytics"),
        "chart-bar",
        (
            NavItem(_("Cash squeeze"), "analytics-cash-squeeze", Perm.VIEW_COSTS),
            NavItem(_("Profit plan"), "analytics-profit-plan", Perm.VIEW_PARTIES),
            NavItem(_("Reports"), "analytics-report-list", Perm.VIEW_PARTIES),
        ),
    ),
    NavSection(
        _("Portal"),
        "building-store",
        (
            NavItem(_("My account"), "portal-home", Perm.USE_PORTAL),
            NavItem(_("My statements"), "portal-statement-list", Perm.USE_RETAILER_PORTAL),
            NavItem(_("Prepayment & rebate"), "portal-account", Perm.USE_RETAILER_PORTAL),
            NavItem(_("Consignment goods"), "portal-consignment", Perm.USE_RETAILER_PORTAL),
        ),
    ),
    NavSection(
        _("Administration"),
        "settings",
        (
            NavItem(_("Members"), "tenancy-member-list", Perm.VIEW_MEMBERS),
            NavItem(_("Data import"), "imports-job-list", Perm.MANAGE_PARTIES),
            NavItem(_("Activity log"), "tenancy-activity", Perm.VIEW_AUDIT),
            NavItem(_("API tokens"), "tenancy-token-list", Perm.VIEW_HOME),  # externals: user menu
        ),
    ),
)


@cache
def _resolves(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class VisibleItem:
    label: str
    url: str
    url_name: str
    active: bool


@dataclass(frozen=True)
class VisibleSection:
    label: str
    icon: str
    items: tuple[VisibleItem, ...]


def navigation_for(membership: Membership | None, path: str = "") -> list[VisibleSection]:
    """The sections and entries this member may open, leaving out pages not built yet.

    At most one entry is active: the one whose URL is the longest prefix of `path`, so
    /portal/account/ lights "Prepayment & rebate" only, not also "My account" at /portal/.
    """
    visible: list[tuple[NavSection, list[tuple[NavItem, str]]]] = []
    for section in NAVIGATION:
        items = [
            (item, url)
            for item in section.items
            if can(membership, item.perm) and (url := _resolves(item.url_name)) is not None
        ]
        if items:
            visible.append((section, items))
    matches = [url for _, items in visible for _, url in items if path.startswith(url)]
    active_url = max(matches, key=len, default=None)
    return [
        VisibleSection(
            str(section.label),
            section.icon,
            tuple(
                VisibleItem(str(item.label), url, item.url_name, url == active_url)
                for item, url in items
            ),
        )
        for section, items in visible
    ]
