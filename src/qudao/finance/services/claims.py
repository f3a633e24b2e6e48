"""The receivable behind a damage claim on a carrier or a manufacturer (see `finance.claims`).

Recorded: Dr 1221 other receivables, with the party that owes it / Cr the account the loss came
out of. Settled: Dr bank, cash or other monetary funds for what was recovered, Dr the write-off
account for the rest, Cr 1221 for the whole claim. Recorded in error: a red-ink copy of the
recording entry that points back at it. The claim document belongs to the context that owns
it (sales, purchasing): these services post its entries and take it as plain data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import quantize
from qudao.finance.claims import RECOVERY_ACCOUNTS
from qudao.finance.models import BANK, JournalEntry, JournalLine
from qudao.finance.models.ledger import OTHER_RECEIVABLES
from qudao.finance.services.ledger import Posting, post_entry
from qudao.parties.models import Party
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number


@dataclass(frozen=True)
class ClaimReceivable:
    """The claim as finance sees it: its document, what is claimed and from whom (`party`
    None: a carrier named only in text)."""

    source_type: str
    source_id: int
    amount: Decimal
    party: Party | None = None


@dataclass(frozen=True)
class Recovery:
    """What finance records: `amount` received (None: all that was claimed), the account it
    came into, and the day (None: today)."""

    amount: Decimal | None = None
    received_into: str = BANK
    date: datetime.date | None = None


def _refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def _is_fen(amount: object) -> bool:
    return (
        isinstance(amount, Decimal)
        and amount.is_finite()
        and amount >= 0
        and amount == quantize(amount)
    )


def checked_settlement(
    claimed: Decimal, amount: Decimal | None, date: datetime.date | None
) -> Decimal:
    """The amount settled (None: all of `claimed`), refused unless in fen, at most what was
    claimed and not dated in the future."""
    amount = claimed if amount is None else amount
    if not _is_fen(amount):
        message = _("The settled amount must be zero or more, in yuan and fen.")
        raise _refuse(message, "invalid_amount", amount=message)
    if amount > claimed:
        message = _("At most the claimed %(claimed)s can be settled.") % {"claimed": claimed}
        raise _refuse(message, "more_than_claimed", amount=message)
    if date is not None and date > timezone.localdate():
        message = _("A settlement cannot be dated in the future.")
        raise _refuse(message, "future_date", date=message)
    return quantize(amount)


@transaction.atomic
def book_claim_receivable(
    *,
    org: Organization,
    actor: Membership,
    claim: ClaimReceivable,
    counter_account: str,
    memo: str,
    perm: Perm,
) -> JournalEntry:
    """Book what the third party owes: Dr 1221 (its party) / Cr `counter_account`.

    `perm`: what recording the claim needed; the entry follows from that act."""
    if not _is_fen(claim.amount) or claim.amount <= 0:
        message = _("Enter the amount claimed, in yuan and fen.")
        raise _refuse(message, "claim_amount_required", claim_amount=message)
    return post_entry(
        org=org,
        actor=actor,
        date=timezone.localdate(),
        memo=memo,
        postings=[
            Posting(OTHER_RECEIVABLES, debit=claim.amount, party=claim.party),
            Posting(counter_account, credit=claim.amount),
        ],
        source_type=claim.source_type,
        source_id=claim.source_id,
        perm=perm,
    )


@transaction.atomic
def settle_claim_receivable(
    *,
    org: Organization,
    actor: Membership,
    claim: ClaimReceivable,
    recovery: Recovery,
    write_off_account: str,
    memo: str,
) -> tuple[Decimal, JournalEntry]:
    """Clear the receivable: what was recovered into bank, cash or other funds, the rest to
    `write_off_account`. Returns the amount recovered and the entry."""
    recovered = checked_settlement(claim.amount, recovery.amount, recovery.date)
    if recovery.received_into not in RECOVERY_ACCOUNTS:
        message = _("Choose where the money came in.")
        raise _refuse(message, "invalid_account", received_into=message)
    rest = claim.amount - recovered
    postings = [Posting(OTHER_RECEIVABLES, credit=claim.amount, party=claim.party)]
    if recovered:
        postings.append(Posting(recovery.received_into, debit=recovered))
    if rest:
        postings.append(Posting(write_off_account, debit=rest))
    entry = post_entry(
        org=org,
        actor=actor,
        date=recovery.date or timezone.localdate(),
        memo=memo,
        postings=postings,
        source_type=claim.source_type,
        source_id=claim.source_id,
    )
    return recovered, entry


@transaction.atomic
def reverse_claim_receivable(
    *,
    org: Organization,
    actor: Membership,
    claim: ClaimReceivable,
    entry: JournalEntry,
    memo: str,
    perm: Perm,
) -> JournalEntry:
    """Cancel the claim's recording `entry` with a red-ink copy pointing back at it; `entry`
    itself is untouched. Refused for an entry of another document, or one already reversed."""
    require_perm(actor, perm)
    entry = JournalEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if (entry.source_type, entry.source_id) != (claim.source_type, claim.source_id):
        raise _refuse(_("This entry belongs to another document."), "document_entry")
    if entry.reverses_id is not None or JournalEntry.objects.filter(reverses=entry).exists():
        raise _refuse(_("This entry is already part of a reversal."), "not_reversible")
    today = timezone.localdate()
    reversal = JournalEntry.objects.create(
        org=org,
        number=next_number(org=org, key=f"JE{today.year}"),
        date=today,
        memo=memo[:300],
        source_type=claim.source_type,
        source_id=claim.source_id,
        reverses=entry,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            org=org,
            entry=reversal,
            account_id=line.account_id,
            party_id=line.party_id,
            debit=-line.debit,
            credit=-line.credit,
        )
        for line in entry.lines.order_by("pk")
    )
    return reversal
