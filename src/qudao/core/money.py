"""Money: Decimal amounts, rounding at named points, allocation, Chinese capital numerals."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Final

from django.db import models

MINOR_UNIT: Final[dict[str, Decimal]] = {"CNY": Decimal("0.01"), "USD": Decimal("0.01")}
ZERO: Final = Decimal("0.00")


def money_field(**kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    """An amount of money: 18 digits, 2 decimals."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(max_digits=18, decimal_places=2, **kwargs)  # type: ignore[arg-type]


def unit_price_field(**kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    """A unit price keeps 4 decimals: a per-bottle price from a case price is rarely whole fen."""
    return models.DecimalField(max_digits=18, decimal_places=4, **kwargs)  # type: ignore[arg-type]


def quantity_field(**kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    """A quantity in the product's base unit."""
    return models.DecimalField(max_digits=14, decimal_places=3, **kwargs)  # type: ignore[arg-type]


def quantize(amount: Decimal, currency: str = "CNY") -> Decimal:
    """Round to the currency's minor unit, half away from zero."""
    return amount.quantize(MINOR_UNIT[currency], rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal], *, currency: str = "CNY") -> list[Decimal]:
    """Split a non-negative, rounded `total` by `weights`; the parts always sum to `total`."""
    unit = MINOR_UNIT[currency]
    weight_sum = sum(weights, Decimal(0))
    if not weights:
        return []
    if weight_sum == 0:
        weights = [Decimal(1)] * len(weights)
        weight_sum = Decimal(len(weights))
    exact = [total * w / weight_sum for w in weights]
    parts = [e.quantize(unit, rounding=ROUND_DOWN) for e in exact]
    leftover = int((total - sum(parts, Decimal(0))) / unit)
    by_remainder = sorted(range(len(parts)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[:leftover]:
        parts[i] += unit
    return parts


_DIGITS: Final = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS: Final = ["", "拾", "佰", "仟"]
_BIG_UNITS: Final = ["", "万", "亿", "万亿"]


def _four_digits(group: int) -> str:
    """Spell 0..9999 with 零 between non-adjacent digits (the caller adds leading 零s)."""
    text = ""
    zero_pending = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
            zero_pending = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def amount_in_words(amount: Decimal) -> str:
    """Spell a CNY amount in capital numerals (大写) per the PBOC rules: 整 after 元 or 角."""
    amount = quantize(amount)
    negative = amount < 0
    fen_total = int(abs(amount) * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)

    groups: list[int] = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or group < 1000):
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[index]
        need_zero = False
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        text = (text or "零元") + "整"
    else:
        if jiao:
            text += _DIGITS[jiao] + "角"
        elif text:
            text += "零"
        if fen:
            text += _DIGITS[fen] + "分"
        else:
            text += "整"
    return ("负" if negative else "") + text
