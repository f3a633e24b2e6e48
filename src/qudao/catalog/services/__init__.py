"""Every change to the catalog: brands, categories, products, price lists and prices."""

from qudao.catalog.services.access import (
    can_edit_catalog,
    can_edit_prices,
    can_see_purchase_prices,
)
from qudao.catalog.services.bulk import (
    NewPrice,
    check_new_prices,
    check_new_products,
    insert_prices,
    insert_products,
)
from qudao.catalog.services.prices import (
    PriceDraft,
    PriceListDraft,
    add_price,
    add_prices,
    archive_price_list,
    close_price_list,
    create_price_list,
    format_period,
    rename_price_list,
    set_price,
)
from qudao.catalog.services.products import (
    archive_brand,
    archive_category,
    archive_product,
    check_products,
    create_brand,
    create_category,
    create_product,
    update_brand,
    update_category,
    update_product,
)
from qudao.catalog.validation import PackagingDraft, ProductDraft

__all__ = [
    "NewPrice",
    "check_new_prices",
    "check_new_products",
    "insert_prices",
    "insert_products",
    "PackagingDraft",
    "PriceDraft",
    "PriceListDraft",
    "ProductDraft",
    "add_price",
    "add_prices",
    "archive_brand",
    "archive_category",
    "archive_price_list",
    "archive_product",
    "can_edit_catalog",
    "can_edit_prices",
    "can_see_purchase_prices",
    "check_products",
    "close_price_list",
    "create_brand",
    "create_category",
    "create_price_list",
    "create_product",
    "format_period",
    "rename_price_list",
    "set_price",
    "update_brand",
    "update_category",
    "update_product",
]
