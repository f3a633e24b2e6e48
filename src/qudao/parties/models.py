"""Parties: the suppliers we buy from and the customers we sell to; territories; contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel


class Territory(OrgScopedModel):
    """A sales territory; territories form a tree (region → province → city → district)."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent territory"),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    path = models.CharField(_("path"), max_length=500, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="territory_org_code"),
        ]
        indexes = [models.Index(fields=["org", "path"], name="territory_org_path")]
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class PartyKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")


class CustomerType(models.TextChoices):
    SUB_DISTRIBUTOR = "sub_distributor", _("Sub-distributor")
    WHOLESALER = "wholesaler", _("Wholesaler")
    RETAILER = "retailer", _("Retailer")
    CHAIN_STORE = "chain_store", _("Chain store")
    END_CUSTOMER = "end_customer", _("End customer")


class PartyStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


PARTY_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    PartyStatus.PROSPECT: frozenset({PartyStatus.ACTIVE, PartyStatus.CLOSED}),
    PartyStatus.ACTIVE: frozenset({PartyStatus.SUSPENDED, PartyStatus.CLOSED}),
    PartyStatus.SUSPENDED: frozenset({PartyStatus.ACTIVE, PartyStatus.CLOSED}),
    PartyStatus.CLOSED: frozenset({PartyStatus.ACTIVE}),
}


class Tier(models.TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")
    D = "D", _("Tier D")


class Party(OrgScopedModel):
    """A supplier (manufacturer, brand owner) or a customer (sub-distributor, retailer…)."""

    kind = models.CharField(_("kind"), max_length=10, choices=PartyKind.choices)
    customer_type = models.CharField(
        _("customer type"), max_length=20, choices=CustomerType.choices, blank=True
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PartyStatus.choices, default=PartyStatus.ACTIVE
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        verbose_name=_("territory"),
    )
    owner = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner sales rep"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "code"], name="party_org_kind_code"),
            models.CheckConstraint(
                condition=Q(kind="supplier", customer_type="") | Q(kind="customer"),
                name="party_customer_type_only_for_customers",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "kind", "name"], name="party_org_kind_name"),
            models.Index(fields=["org", "kind", "owner"], name="party_org_kind_owner"),
            models.Index(fields=["org", "kind", "territory"], name="party_org_kind_territory"),
            models.Index(fields=["org", "kind", "status"], name="party_org_kind_status"),
            models.Index(fields=["org", "phone"], name="party_org_phone"),
            models.Index(fields=["org", "tax_id"], name="party_org_tax_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_customer(self) -> bool:
        return self.kind == PartyKind.CUSTOMER


class Contact(OrgScopedModel):
    """A person at a party: who to call, their WeChat, their birthday."""

    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("party")
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wechat_id = models.CharField(_("WeChat id"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "party"],
                condition=Q(is_primary=True, archived_at__isnull=True),
                name="contact_one_primary_per_party",
            ),
        ]
        indexes = [models.Index(fields=["org", "party"], name="contact_org_party")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Reassignment(OrgScopedModel):
    """One move of customers from one sales rep to another, done by the boss in one act."""

    actor = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by")
    )
    from_owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("from sales rep")
    )
    to_owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("to sales rep")
    )
    reason = models.TextField(_("reason"), blank=True)
    count = models.PositiveIntegerField(_("customers moved"), default=0)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        indexes = [models.Index(fields=["org", "-at"], name="reassignment_recent")]

    def __str__(self) -> str:
        return f"{self.from_owner_id} → {self.to_owner_id} ({self.count})"


class ReassignedParty(OrgScopedModel):
    """A customer moved by a reassignment: puts the one reassignment on each party's timeline."""

    reassignment = models.ForeignKey(
        Reassignment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("reassignment")
    )
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="+", verbose_name=_("party")
    )

    class Meta:
        verbose_name = _("reassigned customer")
        verbose_name_plural = _("reassigned customers")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "reassignment", "party"], name="reassignedparty_once"
            ),
        ]
        indexes = [models.Index(fields=["org", "party"], name="reassignedparty_org_party")]
