"""Reads of brands, categories, products and price lists, trimmed to what the role may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from qudao.catalog.models import Brand, Category, PriceKind, PriceList, PriceListItem, Product
from qudao.catalog.services.access import can_see_purchase_prices
from qudao.core.errors import BusinessRuleViolation
from qudao.tenancy.models import Membership


def visible_price_kinds(actor: Membership | None) -> list[str]:
    """Purchase prices are costs: only roles that may see costs get them."""
    kinds = [PriceKind.WHOLESALE.value, PriceKind.RETAIL.value]
    if can_see_purchase_prices(actor):
        kinds.insert(0, PriceKind.PURCHASE.value)
    return kinds


def products(*, include_archived: bool = False) -> QuerySet[Product]:
    rows = Product.objects.select_related("brand", "category")
    return rows if include_archived else rows.filter(archived_at__isnull=True)


def brands(*, include_archived: bool = False) -> QuerySet[Brand]:
    rows = Brand.objects.select_related("supplier").annotate(
        product_count=Count("products", filter=Q(products__archived_at__isnull=True))
    )
    return rows if include_archived else rows.filter(archived_at__isnull=True)


def live_brands() -> QuerySet[Brand]:
    return Brand.objects.filter(archived_at__isnull=True).order_by("name")


def category_tree(*, include_archived: bool = False) -> QuerySet[Category]:
    """Every category, parents before their children (depth says how far to indent)."""
    rows = Category.objects.annotate(
        product_count=Count("products", filter=Q(products__archived_at__isnull=True))
    ).order_by("path")
    return rows if include_archived else rows.filter(archived_at__isnull=True)


def category_choices() -> list[tuple[str, str]]:
    """(path, indented name) pairs: filtering by a path includes the subcategories."""
    return [
        (c.path, "\u2003" * c.depth + c.name)
        for c in Category.objects.filter(archived_at__isnull=True).order_by("path")
    ]


def price_lists(actor: Membership | None) -> QuerySet[PriceList]:
    """The price lists this member may see, with their item count."""
    return (
        PriceList.objects.filter(kind__in=visible_price_kinds(actor))
        .select_related("supplier", "customer")
        .annotate(item_count=Count("items"))
    )


def items_of(price_list: PriceList) -> QuerySet[PriceListItem]:
    return price_list.items.select_related("product").order_by(
        "product__code", "min_quantity", "-valid_from"
    )


def current_prices(
    *, actor: Membership | None, product: Product, on: date
) -> QuerySet[PriceListItem]:
    """The prices of `product` valid on `on`, in every list this member may see."""
    return (
        PriceListItem.objects.filter(
            product=product,
            price_list__kind__in=visible_price_kinds(actor),
            price_list__is_void=False,
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("price_list__customer", "price_list__supplier")
        .order_by("price_list__kind", "price_list__name", "min_quantity")
    )


def price_history(*, actor: Membership | None, product: Product) -> QuerySet[PriceListItem]:
    """Every price `product` ever had in the lists this member may see, newest first."""
    return (
        PriceListItem.objects.filter(
            product=product, price_list__kind__in=visible_price_kinds(actor)
        )
        .select_related("price_list")
        .order_by("-valid_from", "price_list__name", "min_quantity")
    )


def ids_by_code(model: type[Brand | Category | Product], codes: Iterable[str]) -> dict[str, int]:
    """code → id for the given codes, in one query (for imports that reference by code)."""
    return dict(model.objects.filter(code__in=set(codes)).values_list("code", "pk"))


def convert_quantity(
    *, product: Product, quantity: Decimal, from_unit: str, to_unit: str
) -> Decimal:
    """`quantity` in `from_unit` expressed in `to_unit` (either the base unit or a packaging one).

    Exact (not rounded): the caller rounds at its own named point.
    """
    factors = {product.base_unit: Decimal(1)} | {
        unit.name: unit.factor for unit in product.packaging_units.all()
    }
    for unit in (from_unit, to_unit):
        if unit not in factors:
            raise BusinessRuleViolation(
                _("“%(unit)s” is not a unit of %(product)s.") % {"unit": unit, "product": product},
                code="unknown_unit",
            )
    return quantity * factors[from_unit] / factors[to_unit]
