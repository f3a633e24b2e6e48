"""Every read of the catalog: lists, trees, current prices, history and price lookup."""

from qudao.catalog.selectors.catalog import (
    brands,
    category_choices,
    category_tree,
    convert_quantity,
    current_prices,
    ids_by_code,
    items_of,
    live_brands,
    price_history,
    price_lists,
    products,
    visible_price_kinds,
)
from qudao.catalog.selectors.prices import PriceQuote, explain, price_for, quote_many

__all__ = [
    "PriceQuote",
    "brands",
    "category_choices",
    "category_tree",
    "convert_quantity",
    "current_prices",
    "explain",
    "ids_by_code",
    "items_of",
    "live_brands",
    "price_for",
    "price_history",
    "price_lists",
    "products",
    "quote_many",
    "visible_price_kinds",
]
