"""The purchasing fixtures (a supplier, its beer at 2.5000 a bottle, a shelf) for the reports."""

from qudao.purchasing.tests.conftest import (  # noqa: F401
    beer,
    finance,
    keeper,
    price_list,
    shelf,
    supplier,
    warehouse,
)
