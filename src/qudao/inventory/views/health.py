"""Stock ageing (库龄) and slow movers (滞销品): which stock sits, for how long, and what to do.

Everyone inside the organization reads them (VIEW_STOCK); stock values at moving-average cost
appear only for roles that may see costs (VIEW_COSTS), on the page and in the export.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qudao.catalog.exports import Cell, xlsx_response
from qudao.catalog.selectors import live_brands
from qudao.core.listing import Column, Filter
from qudao.core.money import quantize
from qudao.inventory import selectors
from qudao.inventory.reports import ageing, slow_movers
from qudao.inventory.views.common import actor_of, flags
from qudao.inventory.views.reporting import ReportListing, list_url, whole_number
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

STEP = Decimal("0.001")


def _filters(*, brand: bool = True) -> list[Filter]:
    found = [
        Filter(
            "warehouse", gettext_lazy("Warehouse"), "warehouse_id", selectors.warehouse_choices()
        )
    ]
    if brand:
        found.append(
            Filter(
                "brand",
                gettext_lazy("Brand"),
                "product__brand_id",
                [(str(b.pk), b.name) for b in live_brands()],
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# Stock ageing


@dataclass(frozen=True)
class AgeingChoice:
    group_by: str
    edges: tuple[int, ...]
    error: str = ""


def _ageing_choice(request: HttpRequest) -> AgeingChoice:
    """The grouping and bucket edges asked for; the defaults, with why, if invalid."""
    group_by = request.GET.get("group") or ageing.AgeingGroup.PRODUCT
    if group_by not in ageing.AgeingGroup.values:
        return AgeingChoice(
            ageing.AgeingGroup.PRODUCT, ageing.DEFAULT_EDGES, _("Unknown grouping.")
        )
    try:
        edges = ageing.parse_edges(request.GET.get("buckets"))
    except ValueError as invalid:
        return AgeingChoice(group_by, ageing.DEFAULT_EDGES, str(invalid))
    return AgeingChoice(group_by, edges)


_GROUP_COLUMNS = {
    ageing.AgeingGroup.PRODUCT: (
        "product__code",
        [
            Column("product", gettext_lazy("Product"), "product__code"),
            Column("brand", gettext_lazy("Brand"), phone=False),
        ],
        ("product__code", "product__name", "product__pinyin", "product__barcode"),
    ),
    ageing.AgeingGroup.BRAND: (
        "product__brand__code",
        [Column("brand", gettext_lazy("Brand"), "product__brand__name")],
        ("product__brand__name", "product__brand__code"),
    ),
    ageing.AgeingGroup.WAREHOUSE: (
        "warehouse__code",
        [Column("warehouse", gettext_lazy("Warehouse"), "warehouse__name")],
        ("warehouse__name", "warehouse__code"),
    ),
}


def _ageing_listing(request: HttpRequest, choice: AgeingChoice, show_costs: bool) -> ReportListing:
    tiebreak, columns, search = _GROUP_COLUMNS[choice.group_by]
    labels = ageing.bucket_labels(choice.edges)
    last = len(labels) - 1
    columns = [
        *columns,
        *(
            Column(f"age_{i}", label, f"age_{i}", numeric=True, phone=i == last)
            for i, label in enumerate(labels)
        ),
        Column("on_hand", gettext_lazy("On hand"), "on_hand", numeric=True),
    ]
    if show_costs:
        columns.append(Column("value", gettext_lazy("Value"), "value", numeric=True, phone=False))
    return ReportListing(
        request=request,
        queryset=ageing.stock_ageing(edges=choice.edges, group_by=choice.group_by),
        columns=columns,
        search_fields=search,
        filters=_filters(brand=choice.group_by != ageing.AgeingGroup.BRAND),
        default_sort=f"-age_{last}",
        tiebreak=tiebreak,
    )


def _ageing_cells(row: dict[str, object], count: int) -> list[tuple[Decimal, Decimal]]:
    return [
        (row[f"age_{i}"].quantize(STEP), quantize(row[f"value_{i}"]))  # type: ignore[attr-defined]
        for i in range(count)
    ]


@member_required(Perm.VIEW_STOCK)
def stock_ageing(request: HttpRequest) -> HttpResponse:
    choice = _ageing_choice(request)
    show_costs = selectors.can_see_costs(actor_of(request))
    listing = _ageing_listing(request, choice, show_costs)
    context = listing.context()
    count = len(choice.edges) + 1
    context["rows"] = [row | {"cells": _ageing_cells(row, count)} for row in context["rows"]]  # type: ignore[attr-defined]
    context |= flags(request) | {
        "list_url": list_url(request, ("group", "buckets")),
        "row_template": "inventory/_ageing_row.html",
        "search_placeholder": _("Search"),
        "empty_message": _("No stock on hand."),
        "export_url": reverse("inventory-ageing-export"),
        "choice": choice,
        "groups": ageing.AgeingGroup.choices,
        "buckets": ",".join(str(days) for days in choice.edges),
    }
    template = "shell/_list.html" if request.htmx else "inventory/ageing.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if choice.error else 200)


@member_required(Perm.VIEW_STOCK)
def stock_ageing_export(request: HttpRequest) -> HttpResponse:
    choice = _ageing_choice(request)
    if choice.error:
        return HttpResponse(choice.error, status=400, content_type="text/plain; charset=utf-8")
    show_costs = selectors.can_see_costs(actor_of(request))
    listing = _ageing_listing(request, choice, show_costs)
    labels = ageing.bucket_labels(choice.edges)
    key = {
        ageing.AgeingGroup.PRODUCT: ("product__code", "product__name"),
        ageing.AgeingGroup.BRAND: ("product__brand__code", "product__brand__name"),
        ageing.AgeingGroup.WAREHOUSE: ("warehouse__code", "warehouse__name"),
    }[choice.group_by]
    headers = [_("Code"), _("Name"), *labels, _("On hand")]
    if show_costs:
        headers += [_("Value of %(bucket)s") % {"bucket": label} for label in labels]
        headers.append(_("Value"))

    def lines() -> object:
        for row in listing.rows().iterator():
            cells = _ageing_cells(row, len(labels))
            line: list[Cell] = [row[key[0]] or "", row[key[1]] or _("No brand")]
            line += [qty for qty, _value in cells] + [row["on_hand"].quantize(STEP)]
            if show_costs:
                line += [value for _qty, value in cells] + [quantize(row["value"])]
            yield line

    return xlsx_response(
        filename=f"stock-ageing-{choice.group_by}",
        title=_("Stock ageing"),
        headers=headers,
        rows=lines(),  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------------------------
# Slow movers


@dataclass(frozen=True)
class SlowChoice:
    days: int
    share: int
    warehouse_id: int | None


def _slow_choice(request: HttpRequest) -> SlowChoice:
    warehouse = request.GET.get("warehouse", "")
    return SlowChoice(
        days=whole_number(request, "days", slow_movers.PERIODS, slow_movers.DEFAULT_DAYS),
        share=whole_number(request, "share", slow_movers.SHARES, slow_movers.DEFAULT_SHARE),
        warehouse_id=int(warehouse) if warehouse.isdigit() else None,
    )


def _slow_listing(request: HttpRequest, choice: SlowChoice, show_costs: bool) -> ReportListing:
    columns = [
        Column("product", gettext_lazy("Product"), "product__code"),
        Column("brand", gettext_lazy("Brand"), phone=False),
        Column("on_hand", gettext_lazy("On hand"), "on_hand", numeric=True),
        Column("sold", gettext_lazy("Sold in the period"), "sold", numeric=True, phone=False),
        Column("last_sale", gettext_lazy("Last sale"), "last_sale", phone=False),
        Column("idle", gettext_lazy("Days since"), numeric=True),
    ]
    if show_costs:
        columns.append(Column("value", gettext_lazy("Value"), "value", numeric=True, phone=False))
    columns.append(Column("action", gettext_lazy("Suggested action")))
    return ReportListing(
        request=request,
        queryset=slow_movers.slow_movers(
            days=choice.days, share=choice.share, warehouse_id=choice.warehouse_id
        ),
        columns=columns,
        search_fields=("product__code", "product__name", "product__pinyin", "product__barcode"),
        filters=_filters(),
        default_sort="last_sale",
        tiebreak="product__code",
        nulls_small=("last_sale",),
    )


def _slow_row(row: dict[str, object], days: int) -> dict[str, object]:
    sold = row["sold"].quantize(STEP)  # type: ignore[attr-defined]
    last_sale = row["last_sale"]
    return row | {
        "sold": sold,
        "idle": slow_movers.days_since(last_sale),  # type: ignore[arg-type]
        "advice": slow_movers.advice(last_sale=last_sale, sold=sold, days=days),  # type: ignore[arg-type]
    }


@member_required(Perm.VIEW_STOCK)
def slow_mover_list(request: HttpRequest) -> HttpResponse:
    choice = _slow_choice(request)
    listing = _slow_listing(request, choice, selectors.can_see_costs(actor_of(request)))
    context = listing.context()
    context["rows"] = [_slow_row(row, choice.days) for row in context["rows"]]  # type: ignore[attr-defined]
    context |= flags(request) | {
        "list_url": list_url(request, ("days", "share")),
        "row_template": "inventory/_slow_mover_row.html",
        "search_placeholder": _("Search by code, name, pinyin or barcode"),
        "empty_message": _("No slow movers: everything in stock sold in this period."),
        "export_url": reverse("inventory-slow-mover-export"),
        "choice": choice,
        "periods": slow_movers.PERIODS,
        "shares": slow_movers.SHARES,
    }
    template = "shell/_list.html" if request.htmx else "inventory/slow_movers.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.VIEW_STOCK)
def slow_mover_export(request: HttpRequest) -> HttpResponse:
    choice = _slow_choice(request)
    show_costs = selectors.can_see_costs(actor_of(request))
    listing = _slow_listing(request, choice, show_costs)
    headers = [
        _("Code"),
        _("Product"),
        _("Brand"),
        _("Base unit"),
        _("On hand"),
        _("Sold in the period"),
        _("Last sale"),
        _("Days since"),
    ]
    if show_costs:
        headers.append(_("Value"))
    headers.append(_("Suggested action"))

    def lines() -> object:
        for raw in listing.rows().iterator():
            row = _slow_row(raw, choice.days)
            last_sale = row["last_sale"]
            line: list[Cell] = [
                row["product__code"],  # type: ignore[list-item]
                row["product__name"],  # type: ignore[list-item]
                row["product__brand__name"] or "",  # type: ignore[list-item]
                row["product__base_unit"],  # type: ignore[list-item]
                row["on_hand"].quantize(STEP),  # type: ignore[attr-defined]
                row["sold"],  # type: ignore[list-item]
                timezone.localdate(last_sale) if last_sale else None,  # type: ignore[arg-type]
                row["idle"],  # type: ignore[list-item]
            ]
            if show_costs:
                line.append(quantize(row["value"]))  # type: ignore[arg-type]
            line.append(row["advice"].text)  # type: ignore[attr-defined]
            yield line

    return xlsx_response(
        filename="slow-movers",
        title=_("Slow movers"),
        headers=headers,
        rows=lines(),  # type: ignore[arg-type]
    )
