"""Catalog: brands, a category tree, products with packaging units, price lists and items."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import quantity_field, unit_price_field
from qudao.tenancy.models import history
from qudao.tenancy.scoping import OrgScopedModel


class Brand(OrgScopedModel):
    """A brand, owned by the supplier (manufacturer) we buy it from."""

    supplier = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supplier"),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    pinyin = models.CharField(_("pinyin initials"), max_length=100, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="brand_org_code")]
        indexes = [
            models.Index(fields=["org", "name"], name="brand_org_name"),
            models.Index(fields=["org", "supplier"], name="brand_org_supplier"),
        ]

    def __str__(self) -> str:
        return self.name


class Category(OrgScopedModel):
    """A product category; categories form a tree, `path` holds the ids from the root."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    path = models.CharField(_("path"), max_length=500, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="category_org_code")]
        indexes = [models.Index(fields=["org", "path"], name="category_org_path")]
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class LaunchStatus(models.TextChoices):
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    PHASING_OUT = "phasing_out", _("Phasing out")
    DISCONTINUED = "discontinued", _("Discontinued")


class Product(OrgScopedModel):
    """A sellable item (SKU); quantities and prices are in its base unit."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    pinyin = models.CharField(_("pinyin initials"), max_length=200, blank=True, editable=False)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("brand"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    base_unit = models.CharField(_("base unit"), max_length=10)
    is_serialized = models.BooleanField(_("serialized"), default=False)
    launch_status = models.CharField(
        _("launch status"), max_length=15, choices=LaunchStatus.choices, default=LaunchStatus.NEW
    )
    launch_date = models.DateField(_("launch date"), null=True, blank=True)
    warranty_policy_code = models.CharField(
        _("warranty policy"),
        max_length=40,
        blank=True,
        help_text=_("The code of the default warranty policy; after-sales will own policies."),
    )
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="product_org_code"),
            models.UniqueConstraint(
                fields=["org", "barcode"], condition=~Q(barcode=""), name="product_org_barcode"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "name"], name="product_org_name"),
            models.Index(fields=["org", "pinyin"], name="product_org_pinyin"),
            models.Index(fields=["org", "brand", "code"], name="product_org_brand_code"),
            models.Index(fields=["org", "category", "code"], name="product_org_category_code"),
            models.Index(fields=["org", "launch_status", "code"], name="product_org_status_code"),
            models.Index(fields=["org", "launch_date"], name="product_org_launch_date"),
            models.Index(fields=["org", "archived_at", "code"], name="product_org_live_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PackagingUnit(OrgScopedModel):
    """A larger unit the product is traded in: 1 箱 = `factor` base units."""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="packaging_units",
        verbose_name=_("product"),
    )
    name = models.CharField(_("name"), max_length=10)
    factor = quantity_field(verbose_name=_("base units per unit"))
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)

    history = history()

    class Meta:
        verbose_name = _("packaging unit")
        verbose_name_plural = _("packaging units")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "product", "name"], name="packagingunit_org_product_name"
            ),
            models.UniqueConstraint(
                fields=["org", "barcode"],
                condition=~Q(barcode=""),
                name="packagingunit_org_barcode",
            ),
            models.CheckConstraint(condition=Q(factor__gt=0), name="packagingunit_factor_positive"),
        ]
        ordering = ["factor"]

    def __str__(self) -> str:
        return f"{self.name} = {self.factor.normalize():f}"

    def to_base(self, quantity: Decimal) -> Decimal:
        """`quantity` of this unit in base units."""
        return quantity * self.factor


class PriceKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    WHOLESALE = "wholesale", _("Wholesale")
    RETAIL = "retail", _("Suggested retail")


class PriceList(OrgScopedModel):
    """Prices for one scope (a supplier, a customer tier, a customer, or everyone) in a period.

    Purchase lists name their supplier; wholesale lists name a customer, or a tier, or
    neither (the default list); suggested retail lists name nobody.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=PriceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    supplier = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    customer = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    tier = models.CharField(_("customer tier"), max_length=2, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_void = models.BooleanField(
        _("void"), default=False, help_text=_("Archived before it ever applied.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="pricelist_period_ordered",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="purchase", supplier__isnull=False, customer__isnull=True, tier="")
                    | Q(kind="wholesale", supplier__isnull=True, customer__isnull=True)
                    | Q(kind="wholesale", supplier__isnull=True, customer__isnull=False, tier="")
                    | Q(kind="retail", supplier__isnull=True, customer__isnull=True, tier="")
                ),
                name="pricelist_scope_fits_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "kind", "valid_from"], name="pricelist_org_kind_from"),
            models.Index(fields=["org", "customer"], name="pricelist_org_customer"),
            models.Index(fields=["org", "supplier"], name="pricelist_org_supplier"),
            models.Index(fields=["org", "name"], name="pricelist_org_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        """customer, tier, supplier, default (wholesale for everyone) or retail."""
        if self.kind == PriceKind.PURCHASE:
            return "supplier"
        if self.kind == PriceKind.RETAIL:
            return "retail"
        if self.customer_id is not None:
            return "customer"
        return "tier" if self.tier else "default"


class PriceListItem(OrgScopedModel):
    """One product's unit price (per base unit) in a list, for a period and a minimum quantity.

    A price that has applied is never changed: a new price is a new item, and the old one is
    closed the day before the new one starts.
    """

    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="price_items", verbose_name=_("product")
    )
    unit_price = unit_price_field(verbose_name=_("unit price"))
    min_quantity = quantity_field(verbose_name=_("minimum quantity"), default=Decimal("0"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="pricelistitem_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="pricelistitem_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=0), name="pricelistitem_min_quantity_not_negative"
            ),
            models.UniqueConstraint(
                fields=["org", "price_list", "product", "min_quantity", "valid_from"],
                name="pricelistitem_org_list_product_break_from",
            ),
        ]
        indexes = [
            models.Index(
                fields=["org", "product", "valid_from"], name="pricelistitem_org_product_from"
            ),
            models.Index(
                fields=["org", "price_list", "product"], name="pricelistitem_org_list_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.unit_price}"
