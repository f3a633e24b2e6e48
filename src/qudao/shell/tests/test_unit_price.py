"""Unit prices read like prices: two decimals, four only when they are there."""

from decimal import Decimal

import pytest

from qudao.shell.templatetags.qudao import unit_price


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("80.4500"), "80.45"),
        (Decimal("114"), "114.00"),
        (Decimal("3.1416"), "3.1416"),
        (Decimal("1234.5000"), "1,234.50"),
        (Decimal("0.0050"), "0.0050"),
        (None, ""),
    ],
)
def test_a_unit_price_has_two_decimals_or_four_when_it_needs_them(
    value: Decimal | None, shown: str
) -> None:
    assert unit_price(value) == shown
