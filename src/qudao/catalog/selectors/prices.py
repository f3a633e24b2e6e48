"""Price lookup: which price applies to a customer, a product, a day and a quantity, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from django.db.models import F, Q
from django.utils.translation import gettext as _

from qudao.catalog.models import PriceKind, PriceListItem, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Organization

# Precedence among wholesale lists: the lower, the stronger.
SCOPE_RANK: Final = {"customer": 0, "tier": 1, "default": 2, "supplier": 0, "retail": 0}


@dataclass(frozen=True)
class PriceQuote:
    """The unit price (per base unit) that applies, and the rule that chose it."""

    product_id: int
    unit_price: Decimal
    price_list_id: int
    item_id: int
    rule: str
    kind: str
    scope: str
    price_list_name: str
    min_quantity: Decimal
    valid_from: date
    valid_to: date | None


def _period(start: date, end: date | None) -> str:
    if end is None:
        return _("from %(start)s") % {"start": start.isoformat()}
    return _("%(start)s–%(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def explain(item: PriceListItem) -> str:
    """A sentence saying which list and which quantity break gave this price."""
    scope = item.price_list.scope
    values = {
        "name": item.price_list.name,
        "period": _period(item.valid_from, item.valid_to),
        "minimum": _quantity(item.min_quantity),
        "tier": item.price_list.tier,
    }
    if item.min_quantity > 0:
        templates = {
            "customer": _(
                "Customer price list “%(name)s” valid %(period)s, quantity ≥ %(minimum)s."
            ),
            "tier": _(
                "Tier %(tier)s price list “%(name)s” valid %(period)s, quantity ≥ %(minimum)s."
            ),
            "default": _(
                "Default wholesale price list “%(name)s” valid %(period)s, quantity ≥ %(minimum)s."
            ),
            "supplier": _(
                "Purchase price list “%(name)s” valid %(period)s, quantity ≥ %(minimum)s."
            ),
            "retail": _(
                "Suggested retail price list “%(name)s” valid %(period)s, quantity ≥ %(minimum)s."
            ),
        }
    else:
        templates = {
            "customer": _("Customer price list “%(name)s” valid %(period)s, any quantity."),
            "tier": _("Tier %(tier)s price list “%(name)s” valid %(period)s, any quantity."),
            "default": _("Default wholesale price list “%(name)s” valid %(period)s, any quantity."),
            "supplier": _("Purchase price list “%(name)s” valid %(period)s, any quantity."),
            "retail": _("Suggested retail price list “%(name)s” valid %(period)s, any quantity."),
        }
    return templates[scope] % values


def _to_quote(item: PriceListItem) -> PriceQuote:
    return PriceQuote(
        product_id=item.product_id,
        unit_price=item.unit_price,
        price_list_id=item.price_list_id,
        item_id=item.pk,
        rule=explain(item),
        kind=item.price_list.kind,
        scope=item.price_list.scope,
        price_list_name=item.price_list.name,
        min_quantity=item.min_quantity,
        valid_from=item.valid_from,
        valid_to=item.valid_to,
    )


def _scope_filter(*, kind: str, customer_id: int | None, supplier_id: int | None) -> Q:
    if kind == PriceKind.PURCHASE:
        if supplier_id is None:  # the supplier that owns the product's brand
            return Q(price_list__supplier_id=F("product__brand__supplier_id"))
        return Q(price_list__supplier_id=supplier_id)
    if kind == PriceKind.RETAIL:
        return Q()
    everyone = Q(price_list__customer__isnull=True, price_list__tier="")
    if customer_id is None:
        return everyone
    tier = (
        Party.objects.filter(pk=customer_id, kind=PartyKind.CUSTOMER)
        .values_list("tier", flat=True)
        .first()
    )
    if tier is None:
        raise BusinessRuleViolation(
            _("Choose one of this organization's customers."),
            code="customer_not_found",
            fields={"customer_id": _("Choose one of this organization's customers.")},
        )
    scope = everyone | Q(price_list__customer_id=customer_id)
    if tier:
        scope |= Q(price_list__customer__isnull=True, price_list__tier=tier)
    return scope


def quote_many(
    *,
    org: Organization,
    customer_id: int | None,
    quantities: Mapping[int, Decimal],
    on: date,
    kind: str = PriceKind.WHOLESALE,
    supplier_id: int | None = None,
) -> dict[int, PriceQuote]:
    """product id → quote for many products at once, in two queries (customer, prices).

    Products without a price are left out; the caller decides whether that is an error.
    """
    if not quantities:
        return {}
    candidates = (
        PriceListItem.objects.filter(
            _scope_filter(kind=kind, customer_id=customer_id, supplier_id=supplier_id),
            org=org,
            product_id__in=list(quantities),
            price_list__kind=kind,
            price_list__is_void=False,
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("price_list")
    )
    best: dict[int, tuple[tuple[int, Decimal, date, int], PriceListItem]] = {}
    for item in candidates:
        if item.min_quantity > quantities[item.product_id]:
            continue
        rank = (
            SCOPE_RANK[item.price_list.scope],
            -item.min_quantity,
            -item.valid_from.toordinal(),
            -item.pk,
        )
        if item.product_id not in best or rank < best[item.product_id][0]:
            best[item.product_id] = (rank, item)
    return {product_id: _to_quote(item) for product_id, (_rank, item) in best.items()}


def price_for(
    *,
    org: Organization,
    customer_id: int | None,
    product_id: int,
    on: date,
    quantity: Decimal,
    kind: str = PriceKind.WHOLESALE,
    supplier_id: int | None = None,
) -> PriceQuote:
    """The price that applies, or BusinessRuleViolation "no_price".

    Wholesale: the customer's own list beats its tier's list, which beats the default list;
    within a list the highest minimum quantity not above `quantity` wins. Purchase: the
    supplier's list (by default the supplier of the product's brand). Retail: the MSRP list.
    """
    quotes = quote_many(
        org=org,
        customer_id=customer_id,
        quantities={product_id: quantity},
        on=on,
        kind=kind,
        supplier_id=supplier_id,
    )
    if product_id in quotes:
        return quotes[product_id]
    product = Product.objects.filter(pk=product_id).first()
    raise BusinessRuleViolation(
        _("No price applies to %(product)s on %(date)s for a quantity of %(quantity)s.")
        % {
            "product": product if product is not None else f"#{product_id}",
            "date": on.isoformat(),
            "quantity": _quantity(quantity),
        },
        code="no_price",
    )
