"""The collection workbench's one table: promises to pay (承诺付款), whose kept or broken state
is read from the payments received, never stored."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field
from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel


class PromiseToPay(OrgScopedModel):
    """A customer's promise, taken on a call: `amount` paid by `promised_on`."""

    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    promised_on = models.DateField(_("promised for"))
    amount = money_field(verbose_name=_("amount"))
    promised_by = models.CharField(_("who promised"), max_length=60)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_on = models.DateField(_("promise made on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(promised_on__gte=F("recorded_on")),
                name="promisetopay_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "promised_on"], name="promisetopay_org_date"),
            models.Index(fields=["org", "customer", "promised_on"], name="promisetopay_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.amount} {self.promised_on}"
