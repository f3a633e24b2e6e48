"""Damage claims on a third party (索赔): a carrier or a manufacturer owes us for damaged goods.

Sales (goods broken on the way to a customer) and purchasing (goods damaged on arrival) keep
their own claim documents; what they share lives here, below both: the claim's life
(`ClaimStatus`, `CLAIM_TRANSITIONS`), and the receivable on 1221 other receivables with the
party that owes it (`finance.services.claims`: booked when the claim is recorded, settled with
what was recovered, the rest written off, or reversed when the claim was recorded in error).

Finance may not import the contexts above it, so each registers, from its AppConfig.ready, the
source type of its claim entries and a lookup of what its open claims still have on 1221 per
party; the nightly check proves the account equals their sum, party by party.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _

from qudao.finance.models.ledger import BANK, CASH, OTHER_MONETARY_FUNDS


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SETTLED = "settled", _("Settled")
    CLOSED = "closed", _("Closed, nothing owed")
    CANCELLED = "cancelled", _("Cancelled")


# Open: a third party owes us until finance settles it (what it paid, the rest written off).
# Closed: nobody owes us (we or the customer bear the loss). Either is cancelled when recorded
# in error, where the document offers it; a settled claim stays as it is.
CLAIM_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    ClaimStatus.OPEN: frozenset({ClaimStatus.SETTLED, ClaimStatus.CANCELLED}),
    ClaimStatus.CLOSED: frozenset({ClaimStatus.CANCELLED}),
}

# where money recovered from the third party comes in
RECOVERY_CHOICES: Final = (
    (BANK, _("Bank deposits")),
    (CASH, _("Cash on hand")),
    (OTHER_MONETARY_FUNDS, _("Other monetary funds (WeChat Pay, Alipay)")),
)
RECOVERY_ACCOUNTS: Final = tuple(code for code, _label in RECOVERY_CHOICES)


class ClaimEntries(models.Model):
    """What a claim document keeps of its receivable (sales' and purchasing's claims both
    inherit it): the entry that booked it on 1221 and the one that settled it, with finance's
    note. Both empty when nobody owes us (or for a claim recorded before it was booked)."""

    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    settlement_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settlement entry"),
    )
    settlement_note = models.CharField(_("settlement note"), max_length=300, blank=True)

    class Meta:
        abstract = True


OpenClaims = Callable[[], Mapping[int | None, Decimal]]
_SOURCES: dict[str, OpenClaims] = {}


def register_claim_source(source_type: str, open_claims: OpenClaims) -> None:
    """Let a context count its claims in the 1221 check: `source_type` is what its claim
    entries carry; `open_claims()` answers, inside the org scope, party id (None: a party
    named only in text) → what its open claims still have on 1221."""
    _SOURCES[source_type] = open_claims


def claim_sources() -> Mapping[str, OpenClaims]:
    return dict(_SOURCES)
