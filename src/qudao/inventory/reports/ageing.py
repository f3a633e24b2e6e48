"""Stock ageing (库龄): what is on hand now, split by how long ago it arrived.

The rule (first in, first out): goods leave in the order they came, so what is still on hand
is the most recent arrivals. Walking back from today, each arrival into the warehouse (a
receipt, a return, a transfer from another warehouse) covers the on-hand quantity until it is
used up; whatever no arrival covers (stock found in a count, for example) is counted in the
oldest bucket. In one formula per product and warehouse: with A(d) the units that arrived in
the last d days and Q the on hand, min(Q, A(d)) units are at most d days old.

One grouped query over the average-cost rows (a product's on hand per warehouse, with its
moving-average cost), one correlated sum of arrivals per bucket edge.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from django.db.models import F, OuterRef, QuerySet, Sum, TextChoices
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qudao.inventory.models import WarehouseCost
from qudao.inventory.reports.moves import QUANTITY, VALUE, arrivals, summed

DEFAULT_EDGES: Final = (30, 60, 90, 180)
MAX_EDGES: Final = 6
MAX_DAYS: Final = 3650


class AgeingGroup(TextChoices):
    PRODUCT = "product", gettext_lazy("Product")
    BRAND = "brand", gettext_lazy("Brand")
    WAREHOUSE = "warehouse", gettext_lazy("Warehouse")


GROUP_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    AgeingGroup.PRODUCT: (
        "product_id",
        "product__code",
        "product__name",
        "product__base_unit",
        "product__brand__name",
    ),
    AgeingGroup.BRAND: ("product__brand_id", "product__brand__code", "product__brand__name"),
    AgeingGroup.WAREHOUSE: ("warehouse_id", "warehouse__code", "warehouse__name"),
}


def parse_edges(text: str | None) -> tuple[int, ...]:
    """`"30,60,90,180"` → (30, 60, 90, 180): increasing whole days; ValueError otherwise."""
    if not text or not text.strip():
        return DEFAULT_EDGES
    try:
        edges = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(_("Bucket edges are whole numbers of days, like 30,60,90.")) from None
    if not edges or len(edges) > MAX_EDGES:
        raise ValueError(_("Give between 1 and %(count)s bucket edges.") % {"count": MAX_EDGES})
    if edges[0] < 1 or edges[-1] > MAX_DAYS or any(a >= b for a, b in pairwise(edges)):
        raise ValueError(
            _("Bucket edges must increase, from 1 to %(days)s days.") % {"days": MAX_DAYS}
        )
    return edges


def bucket_labels(edges: Sequence[int]) -> list[str]:
    """0–30 days, 31–60 days … and the open-ended oldest bucket."""
    labels, low = [], 0
    for high in edges:
        labels.append(_("%(low)s–%(high)s days") % {"low": low + 1 if low else 0, "high": high})
        low = high
    labels.append(_("Over %(days)s days") % {"days": low})
    return labels


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def stock_ageing(
    *, edges: Sequence[int], group_by: str = AgeingGroup.PRODUCT, today: datetime.date | None = None
) -> QuerySet[WarehouseCost]:
    """On hand per group split into len(edges) + 1 age buckets, as `age_0` … `age_n`, with
    `value_0` … `value_n` at moving-average cost, `on_hand` and `value`.

    An item received on day D is (today − D) days old; the bucket up to 30 days holds ages 0–30.
    """
    today = today or timezone.localdate()
    on_hand = F("quantity")
    covered = [
        Least(
            on_hand,
            summed(
                arrivals(
                    product=OuterRef("product_id"),
                    warehouse=OuterRef("warehouse_id"),
                    since=_day_start(today - datetime.timedelta(days=days)),
                )
            ),
        )
        for days in edges
    ]
    parts = [covered[0], *(b - a for a, b in pairwise(covered)), on_hand - covered[-1]]
    cost = F("average_cost")
    annotations = {"on_hand": Sum(on_hand), "value": Sum(on_hand * cost, output_field=VALUE)}
    for index, part in enumerate(parts):
        annotations[f"age_{index}"] = Sum(part, output_field=QUANTITY)
        annotations[f"value_{index}"] = Sum(part * cost, output_field=VALUE)
    return (
        WarehouseCost.objects.filter(quantity__gt=0)
        .values(*GROUP_FIELDS[group_by])
        .annotate(**annotations)
    )
