"""The catalog's pages, by use case."""

from qudao.catalog.views.brands import (  # noqa: F401
    brand_archive,
    brand_create,
    brand_edit,
    brand_export,
    brand_list,
)
from qudao.catalog.views.categories import (  # noqa: F401
    category_archive,
    category_create,
    category_edit,
    category_list,
)
from qudao.catalog.views.prices import (  # noqa: F401
    price_check,
    pricelist_add_item,
    pricelist_archive,
    pricelist_create,
    pricelist_detail,
    pricelist_export,
    pricelist_items_export,
    pricelist_list,
    pricelist_rename,
    pricelist_set_price,
)
from qudao.catalog.views.products import (  # noqa: F401
    product_archive,
    product_create,
    product_detail,
    product_edit,
    product_export,
    product_list,
)
