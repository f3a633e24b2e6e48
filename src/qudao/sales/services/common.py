"""What the sales services share: refusals, the settings row, customer and line checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.rows import fetch
from qudao.parties.models import Party, PartyKind
from qudao.parties.selectors import visible_customers
from qudao.sales.models import SalesOrder, SalesSettings
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import OrgScopeError, current_org

QUANTITY_STEP: Final = Decimal("0.001")


def refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def settings_of(org: Organization) -> SalesSettings:
    """The organization's sales settings; the defaults until someone saves them (read by hand:
    every confirmation reads them)."""
    found = fetch(SalesSettings, "t.org_id = %s", [org.pk])
    return found[0] if found else SalesSettings(org=org)


def customer_for(actor: Membership | None, customer_id: int) -> Party:
    """A live customer the actor may sell to (a sales rep: only his own)."""
    customers = (
        visible_customers(actor)
        if actor is not None
        else Party.objects.filter(kind=PartyKind.CUSTOMER)
    )
    customer = customers.filter(pk=customer_id, archived_at__isnull=True).first()
    if customer is None:
        message = _("Choose one of your customers.")
        raise refuse(message, "customer_not_found", customer_id=message)
    if customer.status in ("suspended", "closed"):
        raise refuse(
            _("%(name)s is %(status)s: no new orders.")
            % {"name": customer.name, "status": customer.get_status_display()},
            "customer_inactive",
        )
    return customer


def locked(order: SalesOrder) -> SalesOrder:
    """The order, locked (its customer read along, not locked: credit locks it when needed),
    in one hand-written statement: every step of an order starts here."""
    org = current_org()
    if org is None:
        raise OrgScopeError("SalesOrder queried outside an org scope")
    found = fetch(
        SalesOrder,
        "t.id = %s AND t.org_id = %s",
        [order.pk, org.pk],
        related="customer",
        lock=True,
    )
    if not found:
        raise SalesOrder.DoesNotExist
    return found[0]


def checked_quantity(quantity: Decimal) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity < 0:
        raise refuse(_("A quantity cannot be negative."), "invalid_quantity", quantity="")
    return quantity
