"""The demo price lists, planned by `price_rows` from their own seeded generator."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Final

from qudao.catalog.models import LaunchStatus, PriceKind
from qudao.core.money import quantize
from qudao.parties.models import Tier
from qudao.shell.demo.catalog import ProductRow
from qudao.shell.demo.people import DEFAULT_SEED, SUPPLIERS

PRICES_FROM: Final = date(2026, 1, 1)
OLD_PRICES_FROM: Final = date(2025, 1, 1)
REPLACED_ON: Final = date(2026, 7, 1)
TIER_FACTORS: Final = {Tier.A: Decimal("0.96"), Tier.B: Decimal("0.98")}
KEY_CUSTOMER_FACTOR: Final = Decimal("0.98")  # of the tier-A price
BREAK_FACTOR: Final = Decimal("0.98")  # from 10 cases up, in the default list
KEY_CUSTOMERS: Final = 2


@dataclass(frozen=True)
class PriceRow:
    product: str
    unit_price: Decimal
    valid_from: date
    valid_to: date | None = None
    min_quantity: Decimal = Decimal(0)


@dataclass
class PriceListRow:
    kind: str
    name: str
    valid_from: date
    valid_to: date | None = None
    supplier: str = ""
    customer: str = ""
    tier: str = ""
    notes: str = ""
    items: list[PriceRow] = field(default_factory=list)


def _price(amount: Decimal) -> Decimal:
    """A list price: whole yuan from ¥100 up (as appliance price lists are), else fen."""
    return quantize(
        amount.quantize(Decimal(1), rounding=ROUND_HALF_UP) if amount >= 100 else amount
    )


def _retail_price(raw: Decimal) -> Decimal:
    """A shelf price at or above `raw`: ¥1.50, ¥25.90, ¥329, ¥2,899."""
    if raw < 10:
        step, less = Decimal("0.5"), Decimal(0)
    elif raw < 100:
        step, less = Decimal(1), Decimal("0.1")
    elif raw < 1000:
        step, less = Decimal(10), Decimal(1)
    else:
        step, less = Decimal(100), Decimal(1)
    return quantize(((raw + less) / step).to_integral_value(rounding=ROUND_CEILING) * step - less)


def price_rows(
    products: Sequence[ProductRow],
    key_customers: Sequence[tuple[str, str]],
    seed: int = DEFAULT_SEED,
) -> list[PriceListRow]:
    """Every price list with its items; pure and deterministic by `seed`.

    `key_customers` are (code, short name) of the customers with their own list. For every
    product: purchase < key customer < tier A < tier B < default wholesale < suggested retail.
    """
    rng = random.Random(f"{seed}/prices")
    short_names = {code: short for code, _name, short, _tax in SUPPLIERS}
    purchase = {
        code: PriceListRow(
            PriceKind.PURCHASE,
            f"{short_names[code]} 2026年采购价",
            PRICES_FROM,
            supplier=code,
            notes="厂家 2026 年度供货价（含税），按基本单位。",
        )
        for code, *_rest in SUPPLIERS
    }
    old_wholesale = PriceListRow(
        PriceKind.WHOLESALE,
        "2025年标准批发价",
        OLD_PRICES_FROM,
        REPLACED_ON - timedelta(days=1),
        notes="旧价：2026-07-01 起由“2026年标准批发价”中的新价替代。",
    )
    wholesale = PriceListRow(
        PriceKind.WHOLESALE,
        "2026年标准批发价",
        PRICES_FROM,
        notes="所有客户的默认批发价；饮料、粮油满 10 箱（件）另有优惠。",
    )
    tiers = {
        tier: PriceListRow(
            PriceKind.WHOLESALE,
            f"2026年{tier}类客户价",
            PRICES_FROM,
            tier=tier,
            notes=f"{tier}类客户在标准批发价基础上约 {100 - int(factor * 100)}% 优惠。",
        )
        for tier, factor in TIER_FACTORS.items()
    }
    customers = [
        PriceListRow(
            PriceKind.WHOLESALE,
            f"{short} 2026年协议价",
            PRICES_FROM,
            customer=code,
            notes="年度框架协议约定的重点商品价格。",
        )
        for code, short in key_customers
    ]
    old_retail = PriceListRow(
        PriceKind.RETAIL,
        "2025年建议零售价",
        OLD_PRICES_FROM,
        REPLACED_ON - timedelta(days=1),
        notes="旧价：2026-07-01 起由“2026年建议零售价”中的新价替代。",
    )
    retail = PriceListRow(PriceKind.RETAIL, "2026年建议零售价", PRICES_FROM)
    history_candidates = [
        p.code
        for p in products
        if p.launch_status == LaunchStatus.ACTIVE and p.launch_date < OLD_PRICES_FROM
    ]
    changed = set(
        rng.sample(history_candidates, min(len(history_candidates), max(5, len(products) // 60)))
    )
    for product in products:
        jitter = Decimal(rng.randrange(960, 1041)) / 1000
        cost = _price(product.cost * jitter)
        margin = rng.randrange(1080, 1151) if product.is_appliance else rng.randrange(1100, 1221)
        base = _price(cost * margin / 1000)
        tier_prices = {tier: _price(base * factor) for tier, factor in TIER_FACTORS.items()}
        markup = rng.randrange(125, 146) if product.is_appliance else rng.randrange(130, 161)
        shelf = _retail_price(base * markup / 100)
        key_price = _price(tier_prices[Tier.A] * KEY_CUSTOMER_FACTOR)
        if not cost < key_price < tier_prices[Tier.A] < tier_prices[Tier.B] < base < shelf:
            raise ValueError(f"prices of {product.code} are out of order")
        start = max(PRICES_FROM, product.launch_date)
        purchase[product.supplier].items.append(PriceRow(product.code, cost, start))
        current_from = start
        if product.code in changed:  # the 2025 price, replaced on 2026-07-01
            old_base = _price(base * rng.randrange(104, 109) / 100)
            last_day = REPLACED_ON - timedelta(days=1)
            old_wholesale.items.append(PriceRow(product.code, old_base, OLD_PRICES_FROM, last_day))
            old_retail.items.append(
                PriceRow(
                    product.code,
                    _retail_price(old_base * markup / 100),
                    OLD_PRICES_FROM,
                    last_day,
                )
            )
            current_from = REPLACED_ON
        wholesale.items.append(PriceRow(product.code, base, current_from))
        if product.packs and product.category.startswith("SP") and rng.random() < 0.5:
            volume_price = _price(base * BREAK_FACTOR)
            if cost < volume_price < base:
                wholesale.items.append(
                    PriceRow(
                        product.code,
                        volume_price,
                        current_from,
                        min_quantity=product.packs[0].factor * 10,
                    )
                )
        for tier, price in tier_prices.items():
            tiers[tier].items.append(PriceRow(product.code, price, start))
        for price_list in customers:
            if product.launch_status != LaunchStatus.DISCONTINUED and rng.random() < 0.25:
                price_list.items.append(PriceRow(product.code, key_price, start))
        retail.items.append(PriceRow(product.code, shelf, current_from))
    return [
        *purchase.values(),
        old_wholesale,
        wholesale,
        *tiers.values(),
        *customers,
        old_retail,
        retail,
    ]


PRICE_LISTS: Final = len(SUPPLIERS) + 4 + len(TIER_FACTORS) + KEY_CUSTOMERS
