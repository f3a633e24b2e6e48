"""Clearing received bank acceptance bills (承兑汇票): a customer's payment by bill sits in bills
receivable (1121) until the bank pays it at maturity, discounts it early (贴现), or we endorse it
to a supplier as payment (背书转让). One clearing per bill, posted once and never changed."""

from __future__ import annotations

import datetime

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
    ENDORSED = "endorsed", _("Endorsed to a supplier")


class BillClearing(OrgScopedModel):
    """How a received bill left bills receivable: Dr bank (+ Dr financial expenses for the
    discount interest), Cr bills receivable for its face amount; or, endorsed to a supplier,
    Dr accounts payable (the supplier), Cr bills receivable, with nothing received in the bank.

    A discounted or endorsed bill keeps us liable by recourse until its maturity: if the
    accepting bank refuses to pay, the discounting bank or the supplier comes back to us. So it
    still counts in the customer's credit exposure until its maturity date, and stops counting
    after it (`ends_exposure`)."""

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
    endorsee = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endorsed to"),
    )
    # the supplier payment's number (purchasing's document; its entry's source names it too)
    endorsement_reference = models.CharField(_("supplier payment"), max_length=100, blank=True)
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
                & Q(discount_interest__gte=0)
                & (
                    # an endorsed bill brings nothing into the bank: it settles a payable
                    Q(kind="endorsed", proceeds=0)
                    | (
                        ~Q(kind="endorsed")
                        & Q(proceeds__gt=0)
                        # half a fen of slack: SQLite adds decimal columns in binary floating point
                        & Q(face_amount__gt=F("proceeds") + F("discount_interest") - HALF_FEN)
                        & Q(face_amount__lt=F("proceeds") + F("discount_interest") + HALF_FEN)
                    )
                ),
                name="billclearing_amounts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(kind="discounted") | Q(discount_interest=0),
                name="billclearing_interest_only_when_discounted",
            ),
            models.CheckConstraint(
                condition=Q(kind="endorsed", endorsee__isnull=False)
                | (~Q(kind="endorsed") & Q(endorsee__isnull=True)),
                name="billclearing_endorsed_names_endorsee",
            ),
        ]
        indexes = [models.Index(fields=["org", "-date"], name="billclearing_org_date")]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.kind} {self.date}"

    @staticmethod
    def ends_exposure(today: datetime.date) -> Q:
        """The clearings after which a bill no longer counts in its customer's credit exposure
        on `today`: paid by the bank, or discounted or endorsed and past maturity (recourse
        has ended)."""
        return Q(kind=ClearingKind.MATURED) | Q(payment__bill_maturity__lt=today)
