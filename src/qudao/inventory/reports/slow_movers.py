"""Slow movers (滞销品): products with stock on hand that sold nothing, or little, lately.

"Little" is a share of what is on hand: with the default 10 %, a product is slow when the last
N days sold less than a tenth of its stock — at that pace the stock lasts more than 10 × N days.
One grouped query over the average-cost rows, with correlated sums of customer shipments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db.models import F, OuterRef, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.inventory.models import WarehouseCost
from qudao.inventory.reports.moves import (
    QUANTITY,
    VALUE,
    customer_sales,
    last_customer_sale,
)

DEFAULT_DAYS: Final = 90
PERIODS: Final = (30, 60, 90, 180, 365)
DEFAULT_SHARE: Final = 10
SHARES: Final = (0, 10, 25)  # percent of on hand; 0: nothing sold at all
HALF_A_YEAR: Final = 180


def slow_movers(
    *, days: int, share: int, warehouse_id: int | None = None, now: datetime.datetime | None = None
) -> QuerySet[WarehouseCost]:
    """Per product: `on_hand`, `value` (at moving-average cost), `sold` in the last `days` days
    and `last_sale` (ever), for products that sold at most `share` % of their on hand."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    warehouse = OuterRef("warehouse_id") if warehouse_id is not None else None
    rows = WarehouseCost.objects.filter(quantity__gt=0)
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    sold = customer_sales(product=OuterRef("product_id"), warehouse=warehouse, since=since)
    limit = Value(Decimal(share) / 100, output_field=QUANTITY)
    slow = Q(sold__lte=0) if share == 0 else Q(sold__lt=F("on_hand") * limit)
    return (
        rows.values(
            "product_id",
            "product__code",
            "product__name",
            "product__base_unit",
            "product__brand__name",
        )
        .annotate(
            on_hand=Sum("quantity"),
            value=Sum(F("quantity") * F("average_cost"), output_field=VALUE),
            sold=sold,
            last_sale=last_customer_sale(product=OuterRef("product_id"), warehouse=warehouse),
        )
        .filter(slow)
    )


@dataclass(frozen=True)
class Advice:
    code: str
    text: str


def advice(*, last_sale: datetime.datetime | None, sold: Decimal, days: int) -> Advice:
    """What to do with a slow mover, in plain words."""
    if last_sale is None:
        return Advice(
            "never_sold",
            _(
                "Never sold. Ask the manufacturer to take it back or exchange it, "
                "or offer it to customers in a promotion."
            ),
        )
    idle = (timezone.localdate() - timezone.localdate(last_sale)).days
    if idle > HALF_A_YEAR:
        return Advice(
            "clear",
            _(
                "No sale for more than half a year. Clear it: return or exchange it with the "
                "manufacturer, or sell it at a discount."
            ),
        )
    if sold <= 0:
        return Advice(
            "push",
            _(
                "No sale in the last %(days)s days. Have the sales reps push it and do not "
                "reorder it for now."
            )
            % {"days": days},
        )
    return Advice(
        "slow",
        _("Selling slowly. Do not reorder until the stock runs down; bundle it with fast sellers."),
    )


def days_since(moment: datetime.datetime | None) -> int | None:
    return None if moment is None else (timezone.localdate() - timezone.localdate(moment)).days
