from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qudao.core.money import allocate, amount_in_words, quantize

positive_weights = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=20
)


@given(total=st.decimals(min_value=0, max_value=10**9, places=2), weights=positive_weights)
def test_allocation_parts_sum_exactly_to_total(total, weights):
    parts = allocate(total, weights, currency="CNY")
    assert sum(parts) == total
    assert all(p >= 0 and p == quantize(p, "CNY") for p in parts)


def test_allocation_follows_the_weights():
    assert allocate(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_quantize_rounds_half_away_from_zero():
    assert quantize(Decimal("2.345")) == Decimal("2.35")
    assert quantize(Decimal("-2.345")) == Decimal("-2.35")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("105.50", "壹佰零伍元伍角整"),
        ("1004.07", "壹仟零肆元零柒分"),
        ("10000", "壹万元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100000000", "壹亿元整"),
        ("200000300.10", "贰亿零叁佰元壹角整"),
        ("-12.30", "负壹拾贰元叁角整"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_money_never_meets_a_float():
    with pytest.raises(Exception, match="FloatOperation"):
        Decimal(0.1)  # noqa: B018
