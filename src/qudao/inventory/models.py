"""Stock: warehouses and locations, the append-only move ledger, levels, costs, transfers, counts.

On hand at a location is the sum of the moves into it minus the moves out of it; `StockLevel`
keeps that sum (and what is reserved) up to date inside the transaction that writes the moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import quantity_field, unit_price_field
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel

ZERO_QUANTITY: Final = Decimal("0.000")
ZERO_COST: Final = Decimal("0.0000")


class Warehouse(OrgScopedModel):
    """A place we keep goods; it has locations (shelves, a damaged corner, consignment stores)."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="warehouse_org_code")]
        indexes = [models.Index(fields=["org", "name"], name="warehouse_org_name")]

    def __str__(self) -> str:
        return self.name


class LocationKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    CONSIGNMENT = "consignment", _("Consignment at a customer")
    DAMAGED = "damaged", _("Damaged / quarantine")
    TRANSIT = "transit", _("In transit")


class Location(OrgScopedModel):
    """A place inside a warehouse. Goods at every location are ours, consignment ones included."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="locations", verbose_name=_("warehouse")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=12, choices=LocationKind.choices, default=LocationKind.INTERNAL
    )
    customer = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        help_text=_("The retailer holding consignment goods (consignment locations only)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "warehouse", "code"], name="location_org_warehouse_code"
            ),
            models.CheckConstraint(
                condition=Q(kind="consignment", customer__isnull=False)
                | (~Q(kind="consignment") & Q(customer__isnull=True)),
                name="location_customer_iff_consignment",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "warehouse", "kind"], name="location_org_wh_kind"),
            models.Index(fields=["org", "customer"], name="location_org_customer"),
        ]
        ordering = ["warehouse_id", "code"]

    def __str__(self) -> str:
        return f"{self.warehouse.name} / {self.name}"


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SHIPMENT = "shipment", _("Shipment")
    TRANSFER = "transfer", _("Transfer")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Stock count")
    RETURN = "return", _("Return")
    SCRAP = "scrap", _("Scrap")


class StockMove(OrgScopedModel):
    """One posted movement of a product's base units; never changed (a trigger refuses it).

    A null location is the outside world: a supplier, a customer, an adjustment. A correction
    is a new move the other way that points back at this one.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    from_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    unit_cost = unit_price_field(verbose_name=_("unit cost"), default=ZERO_COST)
    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reference_type = models.CharField(_("reference type"), max_length=40, blank=True)
    reference_id = models.BigIntegerField(_("reference id"), null=True, blank=True)
    lot = models.CharField(_("lot"), max_length=60, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reverses"),
    )
    moved_at = models.DateTimeField(_("moved at"))
    actor = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stockmove_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="stockmove_unit_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(from_location__isnull=False) | Q(to_location__isnull=False),
                name="stockmove_has_a_location",
            ),
            models.CheckConstraint(
                condition=Q(from_location__isnull=True)
                | Q(to_location__isnull=True)
                | ~Q(from_location=F("to_location")),
                name="stockmove_locations_differ",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "product", "moved_at"], name="stockmove_org_product_at"),
            models.Index(fields=["org", "-moved_at"], name="stockmove_org_recent"),
            models.Index(fields=["org", "from_location", "moved_at"], name="stockmove_org_from"),
            models.Index(fields=["org", "to_location", "moved_at"], name="stockmove_org_to"),
            models.Index(fields=["org", "kind", "moved_at"], name="stockmove_org_kind"),
            models.Index(
                fields=["org", "reference_type", "reference_id"], name="stockmove_org_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.product_id}"

    @property
    def reference(self) -> str:
        return f"{self.reference_type}:{self.reference_id}" if self.reference_type else ""


class StockLevel(OrgScopedModel):
    """On hand and reserved of one product at one location; the sum of its moves, kept current.

    `warehouse` repeats the location's warehouse so lists filter and sort on an index.
    Neither `reserved` nor `available` is indexed: a reservation then rewrites its row in
    place (a HOT update), without a new entry in each of the row's indexes — every order
    confirmation reserves five or so rows. The stock list's "below zero" filter reads the
    organization's rows without an index of its own.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="levels", verbose_name=_("location")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    on_hand = quantity_field(verbose_name=_("on hand"), default=ZERO_QUANTITY)
    reserved = quantity_field(verbose_name=_("reserved"), default=ZERO_QUANTITY)
    available = models.GeneratedField(
        expression=F("on_hand") - F("reserved"),
        output_field=models.DecimalField(max_digits=14, decimal_places=3),
        db_persist=True,
        verbose_name=_("available"),
    )

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "product", "location"], name="stocklevel_org_product_location"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="stocklevel_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stocklevel_reserved_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "warehouse", "product"], name="stocklevel_org_wh_product"),
            models.Index(fields=["org", "location"], name="stocklevel_org_location"),
            models.Index(fields=["org", "on_hand"], name="stocklevel_org_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.on_hand}"


class WarehouseCost(OrgScopedModel):
    """A product's moving weighted-average unit cost in one warehouse, with the quantity it
    averages over (the product's on hand across the warehouse's locations)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    quantity = quantity_field(verbose_name=_("quantity"), default=ZERO_QUANTITY)
    average_cost = unit_price_field(verbose_name=_("average cost"), default=ZERO_COST)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("average cost")
        verbose_name_plural = _("average costs")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "product", "warehouse"], name="warehousecost_org_product_wh"
            ),
        ]


class Reservation(OrgScopedModel):
    """Quantity set aside at a location for a document (a confirmed sales order line)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    reference = models.CharField(_("reference"), max_length=80)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    actor = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="reservation_quantity_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "reference"], name="reservation_org_reference"),
            models.Index(fields=["org", "product", "location"], name="reservation_org_product"),
        ]

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


TRANSFER_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    TransferStatus.DRAFT: frozenset({TransferStatus.SHIPPED, TransferStatus.CANCELLED}),
    TransferStatus.SHIPPED: frozenset({TransferStatus.RECEIVED}),
}


class Transfer(OrgScopedModel):
    """Goods sent from one warehouse to another: shipped into transit, then received."""

    number = models.CharField(_("number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.DRAFT
    )
    from_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    transit_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in transit at"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="transfer_org_number"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(number=""), name="transfer_shipped_is_numbered"
            ),
        ]
        indexes = [models.Index(fields=["org", "status", "-id"], name="transfer_org_status")]

    def __str__(self) -> str:
        return self.number or str(_("Draft transfer"))


class TransferLine(OrgScopedModel):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="lines", verbose_name=_("transfer")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "transfer", "product"], name="transferline_org_transfer_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="transferline_quantity_positive"
            ),
        ]


class CountStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


COUNT_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    CountStatus.DRAFT: frozenset({CountStatus.POSTED, CountStatus.CANCELLED}),
}


class StockCount(OrgScopedModel):
    """A count sheet (盘点) for one location; posting turns differences into count moves."""

    number = models.CharField(_("number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CountStatus.choices, default=CountStatus.DRAFT
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="stockcount_org_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="posted") | (Q(posted_at__isnull=False) & ~Q(number="")),
                name="stockcount_posted_is_numbered_and_dated",
            ),
        ]
        indexes = [models.Index(fields=["org", "status", "-id"], name="stockcount_org_status")]

    def __str__(self) -> str:
        return self.number or str(_("Draft count"))


class StockCountLine(OrgScopedModel):
    count = models.ForeignKey(
        StockCount, on_delete=models.CASCADE, related_name="lines", verbose_name=_("count")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    counted = quantity_field(verbose_name=_("counted"))
    expected = quantity_field(
        verbose_name=_("on hand when posted"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "count", "product"], name="stockcountline_org_count_product"
            ),
            models.CheckConstraint(
                condition=Q(counted__gte=0), name="stockcountline_counted_not_negative"
            ),
        ]

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected is None else self.counted - self.expected


class ReorderRule(OrgScopedModel):
    """How a product is replenished (勤进快销), in one warehouse or across all of them.

    Suggested quantity = daily sales × (lead time + review period) + safety stock − available,
    where safety stock is the larger of daily sales × safety days and the safety quantity;
    rounded up to whole packaging units when one is chosen.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
        help_text=_("Leave empty to plan the product across all warehouses."),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), help_text=_("Days from placing the order to the goods arriving.")
    )
    review_period_days = models.PositiveSmallIntegerField(
        _("review period (days)"),
        default=7,
        help_text=_("How often you check and order this product."),
    )
    safety_days = models.PositiveSmallIntegerField(
        _("safety days"), default=0, help_text=_("Extra days of sales kept in reserve.")
    )
    safety_quantity = quantity_field(
        verbose_name=_("minimum stock"),
        default=ZERO_QUANTITY,
        help_text=_("Never plan below this many base units, however slow the sales."),
    )
    packaging_unit = models.ForeignKey(
        "catalog.PackagingUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order in"),
        help_text=_("Round the suggestion up to whole units of this packaging (a carton)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = history()

    class Meta:
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "product", "warehouse"],
                condition=Q(warehouse__isnull=False),
                name="reorderrule_org_product_wh",
            ),
            models.UniqueConstraint(
                fields=["org", "product"],
                condition=Q(warehouse__isnull=True),
                name="reorderrule_org_product_all",
            ),
            models.CheckConstraint(
                condition=Q(safety_quantity__gte=0), name="reorderrule_safety_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["org", "warehouse"], name="reorderrule_org_wh")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id or '*'}"
