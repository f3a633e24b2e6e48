"""Pages for stock on hand, the move ledger, stock cards, warehouses and locations.

Everyone inside the organization reads stock (VIEW_STOCK); boss and warehouse move it
(MOVE_STOCK); unit costs and values appear only for roles that may see costs (VIEW_COSTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_
from typing import Any, Final

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.catalog.models import Product
from qudao.catalog.selectors import live_brands
from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.inventory import selectors, services
from qudao.inventory.forms import (
    AdjustmentForm,
    LocationForm,
    WarehouseForm,
)
from qudao.inventory.models import (
    Location,
    LocationKind,
    MoveKind,
    StockLevel,
    StockMove,
    Warehouse,
)
from qudao.inventory.views.common import actor_of, flags, form_page
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

# ---------------------------------------------------------------------------------------------
# Stock on hand


def _stock_columns(show_costs: bool) -> list[Column]:
    columns = [
        Column("code", gettext_lazy("Code"), "product__code"),
        Column("product", gettext_lazy("Product"), "product__name"),
        Column("brand", gettext_lazy("Brand"), phone=False),
        Column("warehouse", gettext_lazy("Warehouse"), "warehouse__code", phone=False),
        Column("location", gettext_lazy("Location"), phone=False),
        Column("on_hand", gettext_lazy("On hand"), "on_hand", numeric=True),
        Column("reserved", gettext_lazy("Reserved"), "reserved", numeric=True, phone=False),
        Column("available", gettext_lazy("Available"), "available", numeric=True),
    ]
    if show_costs:
        columns += [
            Column("cost", gettext_lazy("Average cost"), numeric=True, phone=False),
            Column("value", gettext_lazy("Value"), numeric=True, phone=False),
        ]
    return columns


def _stock_listing(request: HttpRequest) -> Listing[StockLevel]:
    show_costs = selectors.can_see_costs(actor_of(request))
    levels = selectors.stock_levels()
    if show_costs:
        levels = selectors.with_average_cost(levels)
    return Listing(
        request=request,
        queryset=levels,
        columns=_stock_columns(show_costs),
        search_fields=("product__code", "product__name", "product__pinyin", "product__barcode"),
        filters=[
            Filter(
                "warehouse",
                gettext_lazy("Warehouse"),
                "warehouse_id",
                selectors.warehouse_choices(),
            ),
            Filter(
                "brand",
                gettext_lazy("Brand"),
                "product__brand_id",
                [(str(b.pk), b.name) for b in live_brands()],
            ),
            Filter("kind", gettext_lazy("Location kind"), "location__kind", LocationKind.choices),
            Filter(
                "available",
                gettext_lazy("Available"),
                "available__lt",
                [("0", gettext_lazy("Below zero"))],
            ),
        ],
        default_sort="product__code",
    )


@member_required(Perm.VIEW_STOCK)
def stock_list(request: HttpRequest) -> HttpResponse:
    listing = _stock_listing(request)
    context = (
        listing.context()
        | flags(request)
        | {
            "list_url": request.path,
            "row_template": "inventory/_stock_row.html",
            "search_placeholder": _("Search by code, name, pinyin or barcode"),
            "empty_message": _("No stock yet."),
        }
    )
    template = "shell/_list.html" if request.htmx else "inventory/stock_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# The page of each document a move may come from (reference_type → URL name): the contexts
# above inventory are named by URL only (inventory never imports them).
REFERENCE_PAGES: Final[dict[str, str]] = {
    "sales_delivery": "sales-delivery-detail",
    "sales_return": "sales-return-detail",
    "sales_damage": "sales-damage-detail",
    "sales_order": "sales-order-detail",
    "goods_receipt": "purchasing-receipt-detail",
    "receipt_claim": "purchasing-claim-detail",
    "stock_count": "inventory-count-detail",
    "transfer": "inventory-transfer-detail",
}


def reference_url(move: StockMove) -> str:
    """The page of the document a move comes from; "" when it has none."""
    name = REFERENCE_PAGES.get(move.reference_type)
    return reverse(name, args=[move.reference_id]) if name and move.reference_id else ""


@member_required(Perm.VIEW_STOCK)
def product_card(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product's moves with the running balance, in one warehouse or all of them."""
    product = get_object_or_404(Product, pk=product_id)
    warehouse_id = request.GET.get("warehouse", "")
    warehouse = (
        Warehouse.objects.filter(pk=int(warehouse_id)).first() if warehouse_id.isdigit() else None
    )
    card = selectors.stock_card(
        product_id=product.pk, warehouse_id=warehouse.pk if warehouse else None
    )
    moves = list(card.reverse()[:500])[::-1]
    for move in moves:
        move.reference_url = reference_url(move)  # type: ignore[attr-defined]
    levels = (
        selectors.stock_levels()
        .filter(product=product)
        .order_by("warehouse__code", "location__code")
    )
    return render(
        request,
        "inventory/product_card.html",
        {
            "product": product,
            "warehouse": warehouse,
            "warehouses": selectors.warehouses(),
            "moves": moves,
            "levels": levels,
            **flags(request),
        },
    )


# ---------------------------------------------------------------------------------------------
# The move ledger


MOVE_COLUMNS = (
    Column("moved_at", gettext_lazy("When"), "moved_at"),
    Column("product", gettext_lazy("Product"), "product__code"),
    Column("kind", gettext_lazy("Kind"), "kind", phone=False),
    Column("quantity", gettext_lazy("Quantity"), "quantity", numeric=True),
    Column("from", gettext_lazy("From"), phone=False),
    Column("to", gettext_lazy("To"), phone=False),
    Column("reference", gettext_lazy("Reference"), phone=False),
    Column("actor", gettext_lazy("By"), phone=False),
)


@dataclass
class MoveListing(Listing[StockMove]):
    """The warehouse filter matches either end of a move."""

    def rows(self) -> QuerySet[StockMove]:
        rows = self.queryset
        if self.search:
            rows = rows.filter(
                reduce(
                    or_, (Q(**{f"{name}__icontains": self.search}) for name in self.search_fields)
                )
            )
        if "kind" in self.active_filters:
            rows = rows.filter(kind=self.active_filters["kind"])
        if "warehouse" in self.active_filters:
            warehouse = int(self.active_filters["warehouse"])
            rows = rows.filter(
                Q(from_location__warehouse_id=warehouse) | Q(to_location__warehouse_id=warehouse)
            )
        return rows.order_by(*self.ordering)


@member_required(Perm.VIEW_STOCK)
def move_list(request: HttpRequest) -> HttpResponse:
    show_costs = selectors.can_see_costs(actor_of(request))
    columns = list(MOVE_COLUMNS)
    if show_costs:
        columns.insert(4, Column("unit_cost", gettext_lazy("Unit cost"), numeric=True, phone=False))
    listing = MoveListing(
        request=request,
        queryset=selectors.moves(),
        columns=columns,
        search_fields=("product__code", "product__name", "product__pinyin", "lot", "serial"),
        filters=[
            Filter("kind", gettext_lazy("Kind"), "kind", MoveKind.choices),
            Filter(
                "warehouse", gettext_lazy("Warehouse"), "warehouse", selectors.warehouse_choices()
            ),
        ],
        default_sort="-moved_at",
    )
    context = (
        listing.context()
        | flags(request)
        | {
            "list_url": request.path,
            "row_template": "inventory/_move_row.html",
            "search_placeholder": _("Search by product, lot or serial number"),
        }
    )
    template = "shell/_list.html" if request.htmx else "inventory/move_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.MOVE_STOCK)
def move_create(request: HttpRequest) -> HttpResponse:
    """Adjust, scrap or move stock by hand; a reason is required."""
    show_costs = selectors.can_see_costs(actor_of(request))
    form = AdjustmentForm(request.POST or None, show_costs=show_costs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.adjust_stock(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                moves=[
                    services.MoveLine(
                        product_id=data["product"].pk,
                        quantity=data["quantity"],
                        from_location_id=data["from_location"],
                        to_location_id=data["to_location"],
                        unit_cost=data.get("unit_cost"),
                    )
                ],
                reason=data["kind"],
                note=data["note"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("The stock move was posted."))
            return redirect("inventory-move-list")
    return form_page(
        request,
        form,
        title=_("Adjust stock"),
        back=reverse("inventory-move-list"),
        submit=_("Post"),
    )


@require_POST
@member_required(Perm.MOVE_STOCK)
def move_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    move = get_object_or_404(StockMove, pk=pk)
    try:
        services.reverse_move(
            org=request.org,  # type: ignore[attr-defined]
            actor=actor_of(request),
            move=move,
            note=request.POST.get("note", "")[:300],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The move was reversed."))
    return redirect("inventory-product-card", product_id=move.product_id)


# ---------------------------------------------------------------------------------------------
# Warehouses and locations


@member_required(Perm.VIEW_STOCK)
def warehouse_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.warehouses(include_archived=request.GET.get("archived") == "1")
    return render(request, "inventory/warehouse_list.html", {"warehouses": rows, **flags(request)})


@member_required(Perm.VIEW_STOCK)
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = get_object_or_404(Warehouse, pk=pk)
    return render(
        request,
        "inventory/warehouse_detail.html",
        {
            "warehouse": warehouse,
            "locations": selectors.locations(warehouse=warehouse, include_archived=True),
            **flags(request),
        },
    )


@member_required(Perm.MOVE_STOCK)
def warehouse_create(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = services.create_warehouse(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                **form.cleaned_data,
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": warehouse.name})
            return redirect("inventory-warehouse-detail", pk=warehouse.pk)
    return form_page(
        request,
        form,
        title=_("Add warehouse"),
        back=reverse("inventory-warehouse-list"),
        submit=_("Add warehouse"),
    )


@member_required(Perm.MOVE_STOCK)
def warehouse_edit(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = get_object_or_404(Warehouse, pk=pk)
    initial = {"code": warehouse.code, "name": warehouse.name, "address": warehouse.address}
    form = WarehouseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_warehouse(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                warehouse=warehouse,
                **form.cleaned_data,
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect("inventory-warehouse-detail", pk=warehouse.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": warehouse.name},
        back=reverse("inventory-warehouse-detail", args=[warehouse.pk]),
        submit=_("Save"),
    )


def _location_data(form: LocationForm) -> services.LocationData:
    data = form.cleaned_data
    return services.LocationData(
        code=data["code"], name=data["name"], kind=data["kind"], customer_id=data["customer"]
    )


@member_required(Perm.MOVE_STOCK)
def location_create(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_location(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                warehouse=warehouse,
                data=_location_data(form),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("The location was added."))
            return redirect("inventory-warehouse-detail", pk=warehouse.pk)
    return form_page(
        request,
        form,
        title=_("Add a location to %(name)s") % {"name": warehouse.name},
        back=reverse("inventory-warehouse-detail", args=[warehouse.pk]),
        submit=_("Add location"),
    )


@member_required(Perm.MOVE_STOCK)
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    initial: dict[str, Any] = {
        "code": location.code,
        "name": location.name,
        "kind": location.kind,
        "customer": location.customer_id or "",
    }
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_location(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                location=location,
                data=_location_data(form),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect("inventory-warehouse-detail", pk=location.warehouse_id)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": location},
        back=reverse("inventory-warehouse-detail", args=[location.warehouse_id]),
        submit=_("Save"),
    )


@require_POST
@member_required(Perm.MOVE_STOCK)
def location_archive(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(Location, pk=pk)
    try:
        services.archive_location(
            org=request.org,  # type: ignore[attr-defined]
            actor=actor_of(request),
            location=location,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The location was archived."))
    return redirect("inventory-warehouse-detail", pk=location.warehouse_id)


TURNOVER_PERIODS = (30, 90, 180, 365)


@member_required(Perm.VIEW_STOCK)
def turnover(request: HttpRequest) -> HttpResponse:
    """Days of inventory per product over the last 30/90/180/365 days, slowest first."""
    period = request.GET.get("days", "90")
    days = int(period) if period.isdigit() and int(period) in TURNOVER_PERIODS else 90
    warehouse_id = request.GET.get("warehouse", "")
    end = timezone.now()
    rows = selectors.turnover(
        start=end - timedelta(days=days),
        end=end,
        warehouse_id=int(warehouse_id) if warehouse_id.isdigit() else None,
    )
    return render(
        request,
        "inventory/turnover.html",
        {
            "rows": rows[:200],
            "days": days,
            "periods": TURNOVER_PERIODS,
            "warehouses": selectors.warehouses(),
            "warehouse_id": warehouse_id,
        },
    )
