"""Collection targets (回款目标): what a manufacturer expects us to pay it in a month, quarter
or year, and what we expect each sales rep to collect. Actuals are read from the ledger and the
payments, never stored."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel


class TargetKind(models.TextChoices):
    SUPPLIER = "supplier", _("Payment to a manufacturer")
    REP = "rep", _("Collection by a sales rep")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class CollectionTarget(OrgScopedModel):
    """An amount to pay a supplier (kind supplier) or to collect (kind rep) in one period,
    named by its kind and first day."""

    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices)
    supplier = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manufacturer"),
    )
    rep = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales rep"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period starts"))
    amount = money_field(verbose_name=_("target"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    history = history()

    class Meta:
        verbose_name = _("collection target")
        verbose_name_plural = _("collection targets")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "supplier", "period_kind", "period_start"],
                condition=Q(kind="supplier"),
                name="collectiontarget_one_per_supplier",
            ),
            models.UniqueConstraint(
                fields=["org", "rep", "period_kind", "period_start"],
                condition=Q(kind="rep"),
                name="collectiontarget_one_per_rep",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & (
                    Q(kind="supplier", supplier__isnull=False, rep__isnull=True)
                    | Q(kind="rep", rep__isnull=False, supplier__isnull=True)
                ),
                name="collectiontarget_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["org", "period_kind", "period_start"], name="collectiontarget_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_kind} {self.period_start} {self.amount}"
