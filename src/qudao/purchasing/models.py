"""Purchasing: supplier terms, purchase orders (采购订单), prepayments and goods receipts (入库).

Quantities are in the product's base unit; an order line also keeps the unit it was entered in.
Unit prices are per base unit (4 places), amounts are rounded per line (2 places).

Damaged on arrival: damaged units are received (they are ours, and the supplier owes us a
claim for them) into a damaged-kind location, at the order line's price; they count as
delivered against the order and are shown separately on the order line.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qudao.core.money import ZERO, money_field, quantity_field, unit_price_field
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel

ZERO_QUANTITY: Final = Decimal("0.000")


class PaymentCondition(models.TextChoices):
    PREPAYMENT = "prepayment", _("Prepayment required before shipment")
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    ON_TERMS = "terms", _("On terms")


class SupplierTerms(OrgScopedModel):
    """How we usually buy from one supplier: the default payment condition of its orders."""

    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    payment_condition = models.CharField(
        _("payment condition"), max_length=12, choices=PaymentCondition.choices
    )
    term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=0)
    over_delivery_tolerance = models.DecimalField(
        _("over-delivery tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Deliveries above the order by more than this are flagged as push stock."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = history()

    class Meta:
        verbose_name = _("supplier purchase terms")
        verbose_name_plural = _("supplier purchase terms")
        constraints = [
            models.UniqueConstraint(fields=["org", "supplier"], name="supplierterms_org_supplier"),
            models.CheckConstraint(
                condition=Q(over_delivery_tolerance__gte=0),
                name="supplierterms_tolerance_not_negative",
            ),
        ]


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIALLY_RECEIVED = "partial", _("Partially received")
    RECEIVED = "received", pgettext_lazy("order status", "Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset(
        {
            OrderStatus.PARTIALLY_RECEIVED,
            OrderStatus.RECEIVED,
            OrderStatus.CLOSED,
            OrderStatus.CANCELLED,
        }
    ),
    # a reversing receipt can take an order back to where it was before the goods came
    OrderStatus.PARTIALLY_RECEIVED: frozenset(
        {OrderStatus.RECEIVED, OrderStatus.CONFIRMED, OrderStatus.CLOSED}
    ),
    OrderStatus.RECEIVED: frozenset(
        {OrderStatus.PARTIALLY_RECEIVED, OrderStatus.CONFIRMED, OrderStatus.CLOSED}
    ),
}
RECEIVABLE_STATUSES: Final = frozenset(
    {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_RECEIVED, OrderStatus.RECEIVED}
)


class PurchaseOrder(OrgScopedModel):
    """What we order from a supplier. Numbered, priced and named for good at confirmation."""

    number = models.CharField(_("number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    supplier_name = models.CharField(_("supplier name"), max_length=200, blank=True)
    payment_condition = models.CharField(
        _("payment condition"), max_length=12, choices=PaymentCondition.choices
    )
    term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=0)
    over_delivery_tolerance = models.DecimalField(
        _("over-delivery tolerance (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deliver to"),
    )
    note = models.TextField(_("note"), blank=True)
    total = money_field(verbose_name=_("total"))
    prepayment_requested = money_field(verbose_name=_("prepayment requested"))
    prepayment_due_on = models.DateField(_("prepayment due on"), null=True, blank=True)
    prepayment_paid = money_field(verbose_name=_("prepayment paid"))
    ready_to_ship_at = models.DateTimeField(_("ready to ship at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    closed_at = models.DateTimeField(_("closed or cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="purchaseorder_org_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | ~Q(number=""),
                name="purchaseorder_confirmed_is_numbered",
            ),
            models.CheckConstraint(
                condition=Q(prepayment_paid__gte=0) & Q(prepayment_requested__gte=0),
                name="purchaseorder_prepayment_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-id"], name="purchaseorder_org_status"),
            models.Index(fields=["org", "supplier", "-id"], name="purchaseorder_org_supplier"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft purchase order"))

    @property
    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def needs_prepayment(self) -> bool:
        return self.payment_condition == PaymentCondition.PREPAYMENT

    @property
    def prepayment_due(self) -> Decimal:
        """What must be paid before shipment: the requested amount, or the whole order."""
        return self.prepayment_requested if self.prepayment_requested > 0 else self.total

    @property
    def prepayment_state(self) -> str:
        """A stable code: not_required, requested, not_paid, partially_paid, paid."""
        if not self.needs_prepayment:
            return "not_required"
        if self.prepayment_paid <= ZERO:
            return "requested" if self.prepayment_requested > 0 else "not_paid"
        return "partially_paid" if self.prepayment_paid < self.prepayment_due else "paid"

    @property
    def prepayment_status(self) -> str:
        labels = {
            "not_required": _("Not required"),
            "requested": _("Requested"),
            "not_paid": _("Not paid"),
            "partially_paid": _("Partially paid"),
            "paid": _("Paid in full"),
        }
        return str(labels[self.prepayment_state])


class PurchaseOrderLine(OrgScopedModel):
    """One product on an order; `quantity` is in the base unit, `unit_quantity` in `unit`."""

    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    product_code = models.CharField(_("product code"), max_length=40, blank=True)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    base_unit = models.CharField(_("base unit"), max_length=10, blank=True)
    unit = models.CharField(_("unit"), max_length=10)
    unit_factor = quantity_field(verbose_name=_("base units per unit"), default=Decimal("1"))
    unit_quantity = quantity_field(verbose_name=_("quantity in unit"))
    quantity = quantity_field(verbose_name=_("quantity"))
    unit_price = unit_price_field(verbose_name=_("unit price"))
    price_rule = models.CharField(_("price rule"), max_length=300, blank=True)
    amount = money_field(verbose_name=_("amount"))
    received_quantity = quantity_field(verbose_name=_("received"), default=ZERO_QUANTITY)
    damaged_quantity = quantity_field(verbose_name=_("damaged on arrival"), default=ZERO_QUANTITY)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "order", "product"], name="purchaseorderline_org_order_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_quantity__gt=0) & Q(unit_factor__gt=0),
                name="purchaseorderline_quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="purchaseorderline_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0) & Q(damaged_quantity__gte=0),
                name="purchaseorderline_received_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_code or self.product_id} × {self.quantity}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, ZERO_QUANTITY)

    @property
    def over_quantity(self) -> Decimal:
        return max(self.received_quantity - self.quantity, ZERO_QUANTITY)


class Prepayment(OrgScopedModel):
    """A payment we made to the supplier before shipment, recorded against the order.

    Its money moves as the posted supplier payment `payment` (Dr payables, Cr bank), which
    settles the order's supplier invoices first when they are posted.
    """

    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        related_name="prepayments",
        verbose_name=_("order"),
    )
    amount = money_field(verbose_name=_("amount"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    payment = models.ForeignKey(
        "purchasing.SupplierPayment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prepayments",
        verbose_name=_("supplier payment"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("prepayment")
        verbose_name_plural = _("prepayments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="prepayment_amount_positive"),
        ]
        indexes = [models.Index(fields=["org", "order"], name="prepayment_org_order")]


class GoodsReceipt(OrgScopedModel):
    """Goods arriving in our warehouse (入库), posted at once and never changed.

    A receipt not backed by our own order, or above it beyond the tolerance, is push stock
    (压货). A correction is a reversing receipt that points back at this one.
    """

    number = models.CharField(_("number"), max_length=30, blank=True)  # set last when posting
    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name=_("purchase order"),
    )
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("into")
    )
    damaged_location = models.ForeignKey(
        "inventory.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("damaged goods into"),
    )
    received_on = models.DateField(_("received on"))
    delivery_reference = models.CharField(_("supplier's delivery note"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_push_stock = models.BooleanField(_("push stock"), default=False)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
    )
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by")
    )
    # GR/IR (暂估入库): Dr inventory / Cr goods received not invoiced, at the receipt's cost;
    # negative on a reversal. Receipts posted before GR/IR have no entry and accrue nothing.
    accrued_value = money_field(verbose_name=_("accrued at cost (暂估)"))
    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )

    class Meta:
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="goodsreceipt_org_number"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "-id"], name="goodsreceipt_org_recent"),
            models.Index(fields=["org", "is_push_stock", "-id"], name="goodsreceipt_org_push"),
            models.Index(fields=["org", "order"], name="goodsreceipt_org_order"),
            models.Index(fields=["org", "supplier", "-id"], name="goodsreceipt_org_supplier"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class GoodsReceiptLine(OrgScopedModel):
    """What arrived of one product. Reversal lines carry negative quantities."""

    receipt = models.ForeignKey(
        GoodsReceipt, on_delete=models.PROTECT, related_name="lines", verbose_name=_("receipt")
    )
    order_line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipt_lines",
        verbose_name=_("order line"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("received in good order"))
    damaged_quantity = quantity_field(verbose_name=_("damaged on arrival"), default=ZERO_QUANTITY)
    expected_quantity = quantity_field(verbose_name=_("open on the order"), default=ZERO_QUANTITY)
    over_quantity = quantity_field(verbose_name=_("over-delivered"), default=ZERO_QUANTITY)
    short_quantity = quantity_field(verbose_name=_("short-delivered"), default=ZERO_QUANTITY)
    push_quantity = quantity_field(verbose_name=_("push stock"), default=ZERO_QUANTITY)
    unit_cost = unit_price_field(verbose_name=_("unit cost"))

    class Meta:
        verbose_name = _("goods receipt line")
        verbose_name_plural = _("goods receipt lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "receipt", "product"], name="goodsreceiptline_org_receipt_product"
            ),
            models.CheckConstraint(
                condition=(Q(quantity__gte=0) & Q(damaged_quantity__gte=0))
                | (Q(quantity__lte=0) & Q(damaged_quantity__lte=0)),
                name="goodsreceiptline_same_sign",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="goodsreceiptline_cost_not_negative"
            ),
        ]

    @property
    def total_quantity(self) -> Decimal:
        return self.quantity + self.damaged_quantity

    @property
    def is_push_stock(self) -> bool:
        return self.push_quantity > 0


class ReceivedSerial(OrgScopedModel):
    """A serialized unit as it arrived: its factory date (出厂日期) and the day we received it.

    One live row per product and serial; a reversing receipt marks it returned, so the same
    unit may arrive again later.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    serial = models.CharField(_("serial number"), max_length=80)
    factory_date = models.DateField(_("factory date"))
    received_on = models.DateField(_("received on"))
    receipt = models.ForeignKey(
        GoodsReceipt, on_delete=models.PROTECT, related_name="serials", verbose_name=_("receipt")
    )
    is_damaged = models.BooleanField(_("damaged on arrival"), default=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("received serial number")
        verbose_name_plural = _("received serial numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "product", "serial"],
                condition=Q(returned_at__isnull=True),
                name="receivedserial_org_product_serial",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "serial"], name="receivedserial_org_serial"),
            models.Index(fields=["org", "receipt"], name="receivedserial_org_receipt"),
        ]

    def __str__(self) -> str:
        return self.serial


# the payables models (supplier invoices, payments, allocations) live in their own module
from qudao.purchasing.payables.models import (  # noqa: E402, F401
    SupplierAllocation,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)

# ---------------------------------------------------------------------------------------------
# Claims for goods damaged on arrival (进货破损索赔) live in their own module
# isort: split
from qudao.purchasing.claim_models import (  # noqa: E402, F401
    ReceiptClaim,
    ReceiptClaimLine,
)
