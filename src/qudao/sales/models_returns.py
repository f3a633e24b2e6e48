"""Returns (退货), damage claims (破损) and consignment (代销): what comes back from customers
and what sits at their consignment locations. Imported into `qudao.sales.models`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field, quantity_field
from qudao.finance.claims import ClaimEntries, ClaimStatus
from qudao.sales.models import DeliveryLine, DeliveryNote, SalesOrderLine
from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel

if TYPE_CHECKING:
    from qudao.parties.models import Party


class ReturnStatus(models.TextChoices):
    """The return's chain: 退货审核 → 财务审核 → 入库审核 → (approved) → 发货确认 → 收货确认.

    Each step but receiving (the stock move and the credit) can be switched off in the sales
    settings; a return skips the steps that are off.
    """

    REVIEW = "review", _("Waiting for review")
    FINANCE_REVIEW = "finance", _("Waiting for finance review")
    WAREHOUSE_ACCEPTANCE = "acceptance", _("Waiting for the warehouse to accept")
    APPROVED = "approved", _("Approved, goods expected")
    IN_TRANSIT = "in_transit", _("On the way back")
    RECEIVED = "received", _("Goods received")
    REJECTED = "rejected", _("Rejected")


RETURN_REVIEW_STEPS: Final = (
    ReturnStatus.REVIEW,
    ReturnStatus.FINANCE_REVIEW,
    ReturnStatus.WAREHOUSE_ACCEPTANCE,
)
RETURN_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    ReturnStatus.REVIEW: frozenset(
        {
            ReturnStatus.FINANCE_REVIEW,
            ReturnStatus.WAREHOUSE_ACCEPTANCE,
            ReturnStatus.APPROVED,
            ReturnStatus.REJECTED,
        }
    ),
    ReturnStatus.FINANCE_REVIEW: frozenset(
        {ReturnStatus.WAREHOUSE_ACCEPTANCE, ReturnStatus.APPROVED, ReturnStatus.REJECTED}
    ),
    ReturnStatus.WAREHOUSE_ACCEPTANCE: frozenset({ReturnStatus.APPROVED, ReturnStatus.REJECTED}),
    ReturnStatus.APPROVED: frozenset(
        {ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED, ReturnStatus.REJECTED}
    ),
    ReturnStatus.IN_TRANSIT: frozenset({ReturnStatus.RECEIVED}),
}


class Disposition(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    SCRAP = "scrap", _("Scrap")


class CustomerCreditFields(models.Model):
    """What a return or a claim gives back to the customer (incl. VAT) and how.

    Invoiced goods: a credit note (`credit_note_id`), issued by finance when the receiver may
    not post (then `credit_pending`). Goods not invoiced yet: the delivery's commitment drops.
    """

    subtotal = money_field(verbose_name=_("subtotal"))
    tax_total = money_field(verbose_name=_("VAT"))
    total = money_field(verbose_name=_("total"))
    credit_note_id = models.BigIntegerField(_("credit note"), null=True, blank=True)
    credit_pending = models.BooleanField(_("credit note to issue"), default=False)

    class Meta:
        abstract = True


class SalesReturn(CustomerCreditFields, OrgScopedModel):
    """Goods a customer sends back from one delivery (退货), restocked or scrapped per line."""

    number = models.CharField(_("number"), max_length=30)
    delivery = models.ForeignKey(
        DeliveryNote, on_delete=models.PROTECT, related_name="returns", verbose_name=_("delivery")
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.REVIEW
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    carrier = models.CharField(_("carrier / driver"), max_length=100, blank=True)
    shipped_at = models.DateTimeField(_("on the way since"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    class Meta:
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="salesreturn_org_number"),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-id"], name="salesreturn_org_status"),
            models.Index(fields=["org", "delivery"], name="salesreturn_org_delivery"),
            models.Index(fields=["org", "customer", "-id"], name="salesreturn_org_customer"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def in_review(self) -> bool:
        return self.status in RETURN_REVIEW_STEPS


class ReturnLine(OrgScopedModel):
    """What comes back of one delivery line, and where it goes."""

    sales_return = models.ForeignKey(
        SalesReturn, on_delete=models.CASCADE, related_name="lines", verbose_name=_("return")
    )
    delivery_line = models.ForeignKey(
        DeliveryLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("delivery line")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, default=Disposition.RESTOCK
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("into")
    )
    amount = money_field(verbose_name=_("amount"))
    tax = money_field(verbose_name=_("VAT"))
    serials = models.TextField(_("serial numbers"), blank=True)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="returnline_quantity_positive"
            ),
        ]

    @property
    def serial_list(self) -> list[str]:
        return [s for s in self.serials.split() if s]


class Bearer(models.TextChoices):
    US = "us", _("We bear it")
    CARRIER = "carrier", _("The carrier")
    MANUFACTURER = "manufacturer", _("The manufacturer")
    CUSTOMER = "customer", _("The customer")


class DamageClaim(CustomerCreditFields, OrgScopedModel, ClaimEntries):
    """Goods broken on a delivery (破损) and who bears the loss.

    Us, the carrier or the manufacturer: the broken goods are written off (a scrap move at the
    cost they left with) and the customer is not charged for them. The carrier or the
    manufacturer owes us `claim_amount` on 1221 other receivables (`journal_entry`, the claim
    receivable purchasing shares) until finance settles it (`settlement_entry`). The customer:
    nothing moves.
    """

    number = models.CharField(_("number"), max_length=30)
    delivery = models.ForeignKey(
        DeliveryNote, on_delete=models.PROTECT, related_name="damages", verbose_name=_("delivery")
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    bearer = models.CharField(_("who bears the loss"), max_length=12, choices=Bearer.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.CLOSED
    )
    description = models.CharField(_("what happened"), max_length=300)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    supplier = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manufacturer"),
    )
    carrier_party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carrier (as a party)"),
    )
    claim_amount = money_field(verbose_name=_("claimed"))
    settled_amount = money_field(verbose_name=_("settled"))
    cost_value = money_field(verbose_name=_("written off at cost"))
    photo = models.FileField(_("photo"), upload_to="damages/%Y/%m/", max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settled by"),
    )

    class Meta:
        verbose_name = _("damage claim")
        verbose_name_plural = _("damage claims")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="damageclaim_org_number"),
            models.CheckConstraint(
                condition=Q(claim_amount__gte=0) & Q(settled_amount__gte=0),
                name="damageclaim_amounts_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-id"], name="damageclaim_org_status"),
            models.Index(fields=["org", "delivery"], name="damageclaim_org_delivery"),
            models.Index(fields=["org", "customer", "-id"], name="damageclaim_org_customer"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def credits_customer(self) -> bool:
        return self.bearer != Bearer.CUSTOMER

    @property
    def debtor(self) -> Party | None:
        """Who owes us the claim: the carrier's or the manufacturer's party, when there is one."""
        return self.supplier if self.bearer == Bearer.MANUFACTURER else self.carrier_party


class DamageLine(OrgScopedModel):
    claim = models.ForeignKey(
        DamageClaim, on_delete=models.CASCADE, related_name="lines", verbose_name=_("claim")
    )
    delivery_line = models.ForeignKey(
        DeliveryLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("delivery line")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    amount = money_field(verbose_name=_("amount"))
    tax = money_field(verbose_name=_("VAT"))

    class Meta:
        verbose_name = _("damage line")
        verbose_name_plural = _("damage lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="damageline_quantity_positive"
            ),
        ]


class ReportSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PORTAL = "portal", _("Retailer portal")
    UPLOAD = "upload", _("Spreadsheet upload")
    API = "api", _("API")


class SellThroughReport(OrgScopedModel):
    """What a consignment customer says it sold in a period (代销售出报告)."""

    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    source = models.CharField(_("source"), max_length=10, choices=ReportSource.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    settlement = models.ForeignKey(
        "ConsignmentSettlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("settlement"),
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )

    class Meta:
        verbose_name = _("sell-through report")
        verbose_name_plural = _("sell-through reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="sellthrough_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "-id"], name="sellthrough_org_customer"),
        ]


class SellThroughLine(OrgScopedModel):
    report = models.ForeignKey(
        SellThroughReport, on_delete=models.CASCADE, related_name="lines", verbose_name=_("report")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity sold"))

    class Meta:
        verbose_name = _("sell-through line")
        verbose_name_plural = _("sell-through lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "report", "product"], name="sellthroughline_org_report_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sellthroughline_quantity_positive"
            ),
        ]


class ConsignmentSettlement(OrgScopedModel):
    """Reported-sold consignment goods turned into a posted invoice (代销结算)."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    invoice_id = models.BigIntegerField(_("invoice"))
    total = money_field(verbose_name=_("total"))
    created_at = models.DateTimeField(_("settled at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("settled by")
    )

    class Meta:
        verbose_name = _("consignment settlement")
        verbose_name_plural = _("consignment settlements")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="consettlement_org_number"),
        ]


class ConsignmentRecall(OrgScopedModel):
    """Unsold consignment goods brought back to one of our internal locations."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("into")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recalled at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recalled by")
    )

    class Meta:
        verbose_name = _("consignment recall")
        verbose_name_plural = _("consignment recalls")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="conrecall_org_number"),
        ]


class ConsignmentLine(OrgScopedModel):
    """How much of one consignment order line a settlement invoiced or a recall took back."""

    order_line = models.ForeignKey(
        SalesOrderLine,
        on_delete=models.PROTECT,
        related_name="consignment_lines",
        verbose_name=_("order line"),
    )
    settlement = models.ForeignKey(
        ConsignmentSettlement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("settlement"),
    )
    recall = models.ForeignKey(
        ConsignmentRecall,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("recall"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    amount = money_field(verbose_name=_("amount"))
    tax = money_field(verbose_name=_("VAT"))

    class Meta:
        verbose_name = _("consignment line")
        verbose_name_plural = _("consignment lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="consignmentline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=(Q(settlement__isnull=False) & Q(recall__isnull=True))
                | (Q(settlement__isnull=True) & Q(recall__isnull=False)),
                name="consignmentline_one_document",
            ),
        ]
