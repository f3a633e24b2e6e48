"""Realistic, deterministic demo data for an appliance and FMCG distributor in East China.

Pure functions plan the rows from a seeded `random.Random`; `build` inserts them, set-based."""

from qudao.shell.demo.build import build, key_customers, total_steps
from qudao.shell.demo.catalog import (
    BRANDS,
    CATEGORIES,
    PackRow,
    ProductRow,
    catalog_rows,
    gtin_check_digit,
)
from qudao.shell.demo.people import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    SIZES,
    SUPPLIERS,
    CustomerBatch,
    Size,
    branch_customer_rows,
    customer_batches,
    district_names,
    rep_rows,
    supplier_rows,
)
from qudao.shell.demo.prices import (
    KEY_CUSTOMERS,
    PRICE_LISTS,
    PriceListRow,
    PriceRow,
    price_rows,
)

__all__ = [
    "BRANDS",
    "CATEGORIES",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "KEY_CUSTOMERS",
    "PRICE_LISTS",
    "SIZES",
    "SUPPLIERS",
    "CustomerBatch",
    "PackRow",
    "PriceListRow",
    "PriceRow",
    "ProductRow",
    "Size",
    "branch_customer_rows",
    "build",
    "catalog_rows",
    "customer_batches",
    "district_names",
    "gtin_check_digit",
    "key_customers",
    "price_rows",
    "rep_rows",
    "supplier_rows",
    "total_steps",
]
