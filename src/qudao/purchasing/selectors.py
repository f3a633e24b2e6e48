"""Every read in purchasing: orders, their lines and receipts, push stock, serial numbers."""

from __future__ import annotations

from django.db.models import QuerySet

from qudao.catalog.models import Product
from qudao.inventory.models import LocationKind
from qudao.inventory.selectors import locations
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.access import can_see_costs
from qudao.purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Prepayment,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceivedSerial,
    SupplierTerms,
)

__all__ = [
    "can_see_costs",
    "location_choices",
    "order_lines",
    "orders",
    "prepayments",
    "product_choices",
    "receipt_lines",
    "receipts",
    "serials",
    "supplier_choices",
    "supplier_terms",
]


def orders() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_related("supplier")


def order_lines(order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return order.lines.select_related("product").order_by("pk")


def prepayments(order: PurchaseOrder) -> QuerySet[Prepayment]:
    return order.prepayments.select_related("recorded_by__user", "payment").order_by(
        "paid_on", "pk"
    )


def receipts(*, push_stock_only: bool = False) -> QuerySet[GoodsReceipt]:
    rows = GoodsReceipt.objects.select_related("supplier", "order", "location__warehouse")
    return rows.filter(is_push_stock=True) if push_stock_only else rows


def receipt_lines(receipt: GoodsReceipt) -> QuerySet[GoodsReceiptLine]:
    return receipt.lines.select_related("product", "order_line").order_by("pk")


def serials() -> QuerySet[ReceivedSerial]:
    return ReceivedSerial.objects.select_related("product", "receipt")


def supplier_terms(supplier: Party) -> SupplierTerms | None:
    return SupplierTerms.objects.filter(supplier=supplier).first()


def supplier_choices() -> list[tuple[str, str]]:
    rows = Party.objects.filter(kind=PartyKind.SUPPLIER, archived_at__isnull=True).order_by("code")[
        :1000
    ]
    return [(str(p.pk), f"{p.code} {p.name}") for p in rows]


def location_choices(kind: str = LocationKind.INTERNAL) -> list[tuple[str, str]]:
    return [
        (str(loc.pk), f"{loc.warehouse.name} / {loc.name}") for loc in locations().filter(kind=kind)
    ]


def product_choices(limit: int = 2000) -> QuerySet[Product]:
    """Live products for the product search box (code, name, barcode)."""
    return Product.objects.filter(archived_at__isnull=True).order_by("code")[:limit]
