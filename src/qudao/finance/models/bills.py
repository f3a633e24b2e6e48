"""Clearing received bank acceptance bills (承兑汇票): a customer's payment by bill sits in bills
receivable (1121) until the bank pays it at maturity or discounts it early (贴现). One clearing
per bill, posted once and never changed."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field
from qudao.finance.models.ledger import HALF_FEN
from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel


class ClearingKind(models.TextChoices):
    MATURED = "matured", _("Paid by the bank at maturity")
    DISCOUNTED = "discounted", _("Discounted at a bank")


class BillClearing(OrgScopedModel):
    """How a received bill left bills receivable: Dr bank (+ Dr financial expenses for the
    discount interest), Cr bills receivable for its face amount."""

    payment = models.ForeignKey(
        "finance.Payment",
        on_delete=models.PROTECT,
        related_name="bill_clearings",
        verbose_name=_("bill"),
    )
    kind = models.CharField(_("cleared by"), max_length=12, choices=ClearingKind.choices)
    date = models.DateField(_("date"))
    face_amount = money_field(verbose_name=_("face amount"))
    proceeds = money_field(verbose_name=_("received in the bank"))
    discount_interest = money_field(verbose_name=_("discount interest"))
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("bill clearing")
        verbose_name_plural = _("bill clearings")
        constraints = [
            models.UniqueConstraint(fields=["org", "payment"], name="billclearing_org_payment"),
            models.CheckConstraint(
                condition=Q(face_amount__gt=0)
                & Q(proceeds__gt=0)
                & Q(discount_interest__gte=0)
                # half a fen of slack: SQLite adds decimal columns in binary floating point
                & Q(face_amount__gt=F("proceeds") + F("discount_interest") - HALF_FEN)
                & Q(face_amount__lt=F("proceeds") + F("discount_interest") + HALF_FEN),
                name="billclearing_amounts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(kind="discounted") | Q(discount_interest=0),
                name="billclearing_interest_only_when_discounted",
            ),
        ]
        indexes = [models.Index(fields=["org", "-date"], name="billclearing_org_date")]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.kind} {self.date}"
