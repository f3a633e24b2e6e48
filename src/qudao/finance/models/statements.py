"""Statements of account (对账单): an issued statement is a numbered snapshot whose lines are
frozen when issued, so what the customer confirmed or disputed never changes afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qudao.core.money import money_field
from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel


class StatementStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("statement", "Issued")
    CONFIRMED = "confirmed", pgettext_lazy("statement", "Confirmed")
    DISPUTED = "disputed", pgettext_lazy("statement", "Disputed")
    RESOLVED = "resolved", pgettext_lazy("statement", "Disputes resolved")


STATEMENT_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    StatementStatus.ISSUED: frozenset({StatementStatus.CONFIRMED, StatementStatus.DISPUTED}),
    # a disputed statement may get more disputes until finance has resolved them all
    StatementStatus.DISPUTED: frozenset({StatementStatus.DISPUTED, StatementStatus.RESOLVED}),
    StatementStatus.RESOLVED: frozenset({StatementStatus.CONFIRMED, StatementStatus.DISPUTED}),
}


class StatementLineKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    PAYMENT = "payment", _("Payment")
    REBATE = "rebate", _("Rebate")
    REFUND = "refund", _("Refund")
    ADJUSTMENT = "adjustment", _("Adjustment")


class Statement(OrgScopedModel):
    """A customer's receivable for a period: opening balance, documents, closing balance."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    opening_balance = money_field(verbose_name=_("opening balance"))
    total_debit = money_field(verbose_name=_("charged"))
    total_credit = money_field(verbose_name=_("credited and paid"))
    closing_balance = money_field(verbose_name=_("closing balance"))
    prepayment_balance = money_field(verbose_name=_("prepayment balance at the end"))
    rebate_balance = money_field(verbose_name=_("rebate balance at the end"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StatementStatus.choices,
        default=StatementStatus.ISSUED,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
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

    class Meta:
        verbose_name = _("statement of account")
        verbose_name_plural = _("statements of account")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="statement_org_number"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="statement_period_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "-period_end"], name="statement_customer"),
            models.Index(fields=["org", "status"], name="statement_org_status"),
        ]

    def __str__(self) -> str:
        return self.number


class StatementLine(OrgScopedModel):
    """One document of the period as it stood when the statement was issued."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveIntegerField(_("position"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=StatementLineKind.choices)
    document_number = models.CharField(_("document"), max_length=30, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    debit = money_field(verbose_name=_("charged"))
    credit = money_field(verbose_name=_("credited and paid"))
    balance = money_field(verbose_name=_("balance"))
    source_type = models.CharField(_("source document type"), max_length=40, blank=True)
    source_id = models.BigIntegerField(_("source document id"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "statement", "position"], name="statementline_org_position"
            ),
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.date} {self.document_number}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute", "Open")
    RESOLVED = "resolved", pgettext_lazy("dispute", "Resolved")


class StatementDispute(OrgScopedModel):
    """The customer's objection to one line, tracked until finance resolves it."""

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("statement")
    )
    line = models.ForeignKey(
        StatementLine, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("line")
    )
    comment = models.CharField(_("comment"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("statement dispute")
        verbose_name_plural = _("statement disputes")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "line"],
                condition=Q(status="open"),
                name="statementdispute_one_open_per_line",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(resolution="") & Q(resolved_at__isnull=False)),
                name="statementdispute_resolved_has_note",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "raised_at"], name="statementdispute_status"),
            models.Index(fields=["org", "statement"], name="statementdispute_statement"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.line_id}"
