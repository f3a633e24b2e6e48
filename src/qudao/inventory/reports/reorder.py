"""Reorder suggestions (勤进快销): for each reorder rule, how fast the product sells, how many
days the available stock lasts, and how much to order now.

daily sales = units shipped to customers out of warehouse stock in the window ÷ window days
days of cover = available ÷ daily sales
target = daily sales × (lead time + review period) + safety stock,
         safety stock = the larger of daily sales × safety days and the minimum stock
suggested = target − available − on order, rounded up to whole packaging units (nothing
            when ≤ 0)

On order is what open purchase orders still bring (ordered, not yet received), counted through
the lookups registered in `qudao.inventory.on_order` (purchasing registers its own: it sits
above inventory). Days of cover count only the stock at hand. One query for the rules and their
figures; the last rounding runs on the rows shown, in exact decimals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Final

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.utils import timezone

from qudao.inventory.models import LocationKind, ReorderRule, StockLevel
from qudao.inventory.on_order import on_order
from qudao.inventory.reports.moves import QUANTITY, ZERO, outflow_from_stock, summed

DEFAULT_WINDOW: Final = 28
WINDOWS: Final = (7, 14, 28, 56, 91)
QUANTITY_STEP: Final = Decimal("0.001")


def _available() -> object:
    levels = StockLevel.objects.filter(
        product_id=OuterRef("product_id"),
        location__kind=LocationKind.INTERNAL,
        warehouse_id=Coalesce(OuterRef("warehouse_id"), F("warehouse_id")),
    )
    return summed(levels, "available")


def reorder_suggestions(
    *, window: int = DEFAULT_WINDOW, now: datetime.datetime | None = None
) -> QuerySet[ReorderRule]:
    """Every rule with `available`, `on_order`, `sold` (in the window), `velocity`, `cover`
    (days; null when nothing sold) and `shortfall` (target − available − on order), most urgent
    first."""
    now = now or timezone.now()
    # × (1 / window), not ÷ window: SQLite divides two whole numbers as integers
    per_day = Value(Decimal(1) / Decimal(window), output_field=DecimalField())
    sold = outflow_from_stock(
        product=OuterRef("product_id"),
        warehouse=OuterRef("warehouse_id"),
        since=now - datetime.timedelta(days=window),
    )
    velocity = ExpressionWrapper(F("sold") * per_day, output_field=QUANTITY)
    safety = Greatest(velocity * F("safety_days"), F("safety_quantity"), output_field=QUANTITY)
    return (
        ReorderRule.objects.select_related(
            "product", "product__brand", "warehouse", "packaging_unit"
        )
        .annotate(
            available=_available(),
            sold=sold,
            on_order=on_order(product=OuterRef("product_id"), warehouse=OuterRef("warehouse_id")),
        )
        .annotate(
            velocity=velocity,
            cover=F("available") / NullIf(velocity, ZERO),
            shortfall=velocity * (F("lead_time_days") + F("review_period_days"))
            + safety
            - F("available")
            - F("on_order"),
        )
        .order_by(F("cover").asc(nulls_last=True), "product__code", "id")
    )


@dataclass(frozen=True)
class Suggestion:
    """The exact figures for one rule (from the query's sums, in decimals)."""

    velocity: Decimal
    on_order: Decimal
    cover: Decimal | None
    target: Decimal
    suggested: Decimal
    packs: Decimal | None
    is_urgent: bool


def suggestion(rule: ReorderRule, *, window: int) -> Suggestion:
    """Recompute a row's figures exactly: SQLite hands sums back as binary floats."""
    available = Decimal(rule.available).quantize(QUANTITY_STEP)  # type: ignore[attr-defined]
    sold = Decimal(rule.sold).quantize(QUANTITY_STEP)  # type: ignore[attr-defined]
    ordered = Decimal(getattr(rule, "on_order", 0)).quantize(QUANTITY_STEP)
    velocity = sold / window
    safety = max(velocity * rule.safety_days, rule.safety_quantity)
    target = velocity * (rule.lead_time_days + rule.review_period_days) + safety
    need = target - available - ordered
    packs = None
    if need <= 0:
        suggested = Decimal("0")
    elif rule.packaging_unit is not None:
        packs = (need / rule.packaging_unit.factor).to_integral_value(rounding=ROUND_CEILING)
        suggested = packs * rule.packaging_unit.factor
    else:
        suggested = need.quantize(Decimal("1"), rounding=ROUND_CEILING)
    cover = (available / velocity).quantize(Decimal("0.1")) if velocity > 0 else None
    horizon = rule.lead_time_days + rule.safety_days
    is_urgent = need > 0 and (cover is None or cover <= horizon)
    return Suggestion(
        velocity.quantize(QUANTITY_STEP),
        ordered,
        cover,
        target.quantize(QUANTITY_STEP),
        suggested.normalize(),
        packs,
        is_urgent,
    )
