"""Selling: the approval chain's settings, sales orders (销售订单), delivery notes (送货单) and
the serial numbers they hand over.

Quantities are in the product's base unit (a line keeps the unit it was entered in); unit
prices are before VAT and per base unit; line amounts and VAT are rounded per line, like the
invoices they turn into. An order counts against the customer's credit with its total incl. VAT.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field, quantity_field, unit_price_field
from qudao.finance.models import CreditMode
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel

ZERO_QUANTITY: Final = Decimal("0.000")
DEFAULT_TAX_RATE: Final = Decimal("0.13")


class ControlPoint(models.TextChoices):
    ORDER = "order", _("When the order is confirmed")
    SHIPMENT = "shipment", _("When the goods are shipped")
    BOTH = "both", _("Both")


class SalesSettings(OrgScopedModel):
    """How this organization's orders move: which approval steps are on, where credit is checked.

    The chain is 订单审核 → 财务审核 → (confirmed) → 出库审核 → 发货确认 → 收货确认. Shipping
    itself cannot be switched off (it is the stock move); every other step can. Returns run the
    same chain the other way: 退货审核 → 财务审核 → 入库审核 → 发货确认 → 收货确认, where
    receiving is the stock move and cannot be switched off.
    """

    order_review = models.BooleanField(_("order review (订单审核)"), default=False)
    finance_review = models.BooleanField(_("finance review (财务审核)"), default=True)
    warehouse_release = models.BooleanField(_("warehouse release (出库审核)"), default=True)
    receipt_confirmation = models.BooleanField(_("receipt confirmation (收货确认)"), default=True)
    return_review = models.BooleanField(_("return review (退货审核)"), default=True)
    return_finance_review = models.BooleanField(
        _("return finance review (财务审核)"), default=False
    )
    return_warehouse_acceptance = models.BooleanField(
        _("return warehouse acceptance (入库审核)"), default=False
    )
    return_shipment = models.BooleanField(_("return on its way (发货确认)"), default=False)
    credit_control = models.CharField(
        _("check credit"), max_length=10, choices=ControlPoint.choices, default=ControlPoint.ORDER
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = history()

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")
        constraints = [models.UniqueConstraint(fields=["org"], name="salessettings_org")]

    @property
    def checks_at_order(self) -> bool:
        return self.credit_control in (ControlPoint.ORDER, ControlPoint.BOTH)

    @property
    def checks_at_shipment(self) -> bool:
        return self.credit_control in (ControlPoint.SHIPMENT, ControlPoint.BOTH)


class OrderSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    ON_BEHALF = "on_behalf", _("Entered for the customer (代客下单)")
    API = "api", _("API")
    PORTAL = "portal", _("Retailer portal")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_CUSTOMER = "awaiting_customer", _("Waiting for the customer")
    ORDER_REVIEW = "order_review", _("Order review")
    FINANCE_REVIEW = "finance_review", _("Finance review")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIALLY_SHIPPED = "partial", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES: Final = frozenset(
    {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED}
)  # goods still to ship, stock and credit reserved
ORDER_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    OrderStatus.DRAFT: frozenset(
        {
            OrderStatus.AWAITING_CUSTOMER,
            OrderStatus.ORDER_REVIEW,
            OrderStatus.FINANCE_REVIEW,
            OrderStatus.CONFIRMED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.AWAITING_CUSTOMER: frozenset(
        {
            OrderStatus.DRAFT,
            OrderStatus.ORDER_REVIEW,
            OrderStatus.FINANCE_REVIEW,
            OrderStatus.CONFIRMED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.ORDER_REVIEW: frozenset(
        {
            OrderStatus.DRAFT,
            OrderStatus.FINANCE_REVIEW,
            OrderStatus.CONFIRMED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.FINANCE_REVIEW: frozenset(
        {OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.CANCELLED}
    ),
    OrderStatus.CONFIRMED: frozenset(
        {
            OrderStatus.PARTIALLY_SHIPPED,
            OrderStatus.SHIPPED,
            OrderStatus.CLOSED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.PARTIALLY_SHIPPED: frozenset(
        {OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CONFIRMED}
    ),
    OrderStatus.SHIPPED: frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.CLOSED}),
}
EDITABLE_STATUSES: Final = frozenset({OrderStatus.DRAFT})


class SalesOrder(OrgScopedModel):
    """What a customer orders from us. Numbered on submission; priced and named for good then."""

    number = models.CharField(_("number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    source = models.CharField(
        _("source"), max_length=10, choices=OrderSource.choices, default=OrderSource.STAFF
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    sales_rep = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales rep"),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ship from"),
    )
    payment_mode = models.CharField(_("payment mode"), max_length=12, blank=True)
    requested_on = models.DateField(_("wanted on"), null=True, blank=True)
    ship_to = models.CharField(_("ship to"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    subtotal = money_field(verbose_name=_("subtotal"))
    tax_total = money_field(verbose_name=_("VAT"))
    total = money_field(verbose_name=_("total"))
    rebate_amount = money_field(verbose_name=_("paid by rebate"))
    customer_token = models.CharField(_("customer confirmation key"), max_length=64, blank=True)
    customer_confirmed_at = models.DateTimeField(
        _("confirmed by the customer at"), null=True, blank=True
    )
    credit_overridden_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("credit overridden by"),
    )
    credit_override_reason = models.CharField(
        _("credit override reason"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
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
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="salesorder_org_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | ~Q(number=""),
                name="salesorder_submitted_is_numbered",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(subtotal__gte=0) & Q(tax_total__gte=0),
                name="salesorder_total_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(rebate_amount__gte=0), name="salesorder_rebate_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-id"], name="salesorder_org_status"),
            models.Index(fields=["org", "customer", "-id"], name="salesorder_org_customer"),
            models.Index(fields=["org", "sales_rep", "-id"], name="salesorder_org_rep"),
            models.Index(fields=["org", "customer_token"], name="salesorder_org_token"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft sales order"))

    @property
    def reference(self) -> str:
        """The key its credit commitments and stock reservations are kept under."""
        return f"sales_order:{self.pk}"

    @property
    def to_pay(self) -> Decimal:
        """What the customer pays beside its rebate."""
        return self.total - self.rebate_amount

    @property
    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def in_review(self) -> bool:
        return self.status in (OrderStatus.ORDER_REVIEW, OrderStatus.FINANCE_REVIEW)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def payment_mode_label(self) -> str:
        if self.payment_mode in CreditMode.values:
            return str(CreditMode(self.payment_mode).label)
        return self.payment_mode


class SalesOrderLine(OrgScopedModel):
    """One product on an order; `quantity` is in the base unit, `unit_quantity` in `unit`."""

    order = models.ForeignKey(
        SalesOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    product_code = models.CharField(_("product code"), max_length=40, blank=True)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    base_unit = models.CharField(_("base unit"), max_length=10, blank=True)
    unit = models.CharField(_("unit"), max_length=10)
    unit_factor = quantity_field(verbose_name=_("base units per unit"), default=Decimal("1"))
    unit_quantity = quantity_field(verbose_name=_("quantity in unit"))
    quantity = quantity_field(verbose_name=_("quantity"))
    unit_price = unit_price_field(verbose_name=_("unit price"))
    price_rule = models.CharField(_("price rule"), max_length=300, blank=True)
    tax_rate = models.DecimalField(
        _("VAT rate"), max_digits=4, decimal_places=3, default=DEFAULT_TAX_RATE
    )
    amount = money_field(verbose_name=_("amount"))
    tax = money_field(verbose_name=_("VAT"))
    shipped_quantity = quantity_field(verbose_name=_("shipped"), default=ZERO_QUANTITY)
    cancelled_quantity = quantity_field(verbose_name=_("cancelled"), default=ZERO_QUANTITY)

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "order", "product"], name="salesorderline_org_order_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_quantity__gt=0) & Q(unit_factor__gt=0),
                name="salesorderline_quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="salesorderline_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(shipped_quantity__gte=0)
                & Q(cancelled_quantity__gte=0)
                & Q(shipped_quantity__lte=models.F("quantity") - models.F("cancelled_quantity")),
                name="salesorderline_shipped_within_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_code or self.product_id} × {self.quantity}"

    @property
    def open_quantity(self) -> Decimal:
        """Still to ship (a backorder once something has shipped)."""
        return self.quantity - self.cancelled_quantity - self.shipped_quantity

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


class DeliveryStatus(models.TextChoices):
    PICKING = "picking", _("Picking")
    RELEASED = "released", _("Released by the warehouse")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Received by the customer")
    CANCELLED = "cancelled", _("Cancelled")


DELIVERY_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    DeliveryStatus.PICKING: frozenset(
        {DeliveryStatus.RELEASED, DeliveryStatus.SHIPPED, DeliveryStatus.CANCELLED}
    ),
    DeliveryStatus.RELEASED: frozenset({DeliveryStatus.SHIPPED, DeliveryStatus.CANCELLED}),
    DeliveryStatus.SHIPPED: frozenset({DeliveryStatus.DELIVERED}),
}


class DeliveryNote(OrgScopedModel):
    """A shipment of (part of) one order (送货单). Stock leaves when it is shipped."""

    number = models.CharField(_("number"), max_length=30)
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PICKING
    )
    ship_to = models.CharField(_("ship to"), max_length=300, blank=True)
    carrier = models.CharField(_("carrier / driver"), max_length=100, blank=True)
    subtotal = money_field(verbose_name=_("subtotal"))
    tax_total = money_field(verbose_name=_("VAT"))
    total = money_field(verbose_name=_("total"))
    invoice_id = models.BigIntegerField(_("invoice"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipped by"),
    )
    delivered_at = models.DateTimeField(_("received at"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=100, blank=True)
    signature_note = models.CharField(_("receipt note"), max_length=300, blank=True)
    signed_copy = models.FileField(
        _("signed copy"), upload_to="deliveries/%Y/%m/", max_length=200, blank=True
    )
    confirmed_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt recorded by"),
    )

    class Meta:
        verbose_name = _("delivery note")
        verbose_name_plural = _("delivery notes")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="deliverynote_org_number"),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-id"], name="deliverynote_org_status"),
            models.Index(fields=["org", "order"], name="deliverynote_org_order"),
            models.Index(fields=["org", "customer", "-id"], name="deliverynote_org_customer"),
        ]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(OrgScopedModel):
    """What one delivery note carries of one order line."""

    delivery = models.ForeignKey(
        DeliveryNote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("delivery")
    )
    order_line = models.ForeignKey(
        SalesOrderLine,
        on_delete=models.PROTECT,
        related_name="delivery_lines",
        verbose_name=_("order line"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    amount = money_field(verbose_name=_("amount"))
    tax = money_field(verbose_name=_("VAT"))
    serials = models.TextField(_("serial numbers"), blank=True)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "delivery", "order_line"], name="deliveryline_org_delivery_line"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="deliveryline_quantity_positive"
            ),
        ]

    @property
    def serial_list(self) -> list[str]:
        return [s for s in self.serials.split() if s]


class SoldSerial(OrgScopedModel):
    """A serialized unit handed to a customer: who got it and when (warranty counts from here)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    serial = models.CharField(_("serial number"), max_length=80)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    delivery = models.ForeignKey(
        DeliveryNote,
        on_delete=models.PROTECT,
        related_name="sold_serials",
        verbose_name=_("delivery"),
    )
    sold_on = models.DateField(_("sold to the customer on"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sold serial number")
        verbose_name_plural = _("sold serial numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "product", "serial"],
                condition=Q(returned_at__isnull=True),
                name="soldserial_org_product_serial",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "serial"], name="soldserial_org_serial"),
            models.Index(fields=["org", "customer"], name="soldserial_org_customer"),
        ]

    def __str__(self) -> str:
        return self.serial


# Returns, damage claims and consignment live beside these; load them with the app.
from qudao.sales import models_returns  # noqa: E402, F401
