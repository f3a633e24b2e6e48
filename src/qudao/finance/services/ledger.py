"""The ledger: the chart of accounts, balanced posting, red-ink reversal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.finance.models import CHART, Account, JournalEntry, JournalLine
from qudao.parties.models import Party
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event


@dataclass(frozen=True)
class Posting:
    """One side of an entry: an account code, a debit or a credit, and maybe a party."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    party: Party | None = None


def ensure_chart(org: Organization) -> dict[str, Account]:
    """Create the accounts of the standard chart that `org` lacks; return them all by code."""
    existing = {a.code: a for a in Account.objects.filter(org=org)}
    missing = [
        Account(org=org, code=code, name=str(name), kind=kind)
        for code, name, kind in CHART
        if code not in existing
    ]
    if missing:
        Account.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {a.code: a for a in Account.objects.filter(org=org)}
    return existing


def _check_postings(org: Organization, postings: Sequence[Posting]) -> None:
    if not postings:
        raise BusinessRuleViolation(
            _("A journal entry needs at least one line."), code="empty_entry"
        )
    for posting in postings:
        for amount in (posting.debit, posting.credit):
            if amount < 0 or amount != quantize(amount):
                raise BusinessRuleViolation(
                    _("Debits and credits are positive amounts in fen."), code="invalid_amount"
                )
        if (posting.debit == 0) == (posting.credit == 0):
            raise BusinessRuleViolation(
                _("Each line is either a debit or a credit, not both and not neither."),
                code="invalid_amount",
            )
        if posting.party is not None and posting.party.org_id != org.pk:
            raise BusinessRuleViolation(_("Unknown party."), code="unknown_party")
    debits = sum((p.debit for p in postings), ZERO)
    credits = sum((p.credit for p in postings), ZERO)
    if debits != credits:
        raise BusinessRuleViolation(
            _("Debits (%(debits)s) and credits (%(credits)s) must be equal.")
            % {"debits": debits, "credits": credits},
            code="unbalanced_entry",
        )


@transaction.atomic
def post_entry(
    *,
    org: Organization,
    actor: Membership,
    date: Date,
    memo: str,
    postings: Sequence[Posting],
    source_type: str = "",
    source_id: int | None = None,
    perm: Perm = Perm.POST_FINANCE,
) -> JournalEntry:
    """Write a balanced entry (debits = credits, each side positive); refuse anything else.

    `perm`: what the actor needs. A document whose entry follows from another act passes that
    act's permission (a goods receipt, posted by the warehouse, accrues GR/IR)."""
    require_perm(actor, perm)
    _check_postings(org, postings)
    accounts = ensure_chart(org)
    unknown = {p.account for p in postings} - accounts.keys()
    if unknown:
        raise BusinessRuleViolation(
            _("Unknown account %(code)s.") % {"code": ", ".join(sorted(unknown))},
            code="unknown_account",
        )
    entry = JournalEntry.objects.create(
        org=org,
        number=next_number(org=org, key=f"JE{date.year}"),
        date=date,
        memo=memo[:300],
        source_type=source_type,
        source_id=source_id,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            org=org,
            entry=entry,
            account=accounts[p.account],
            party=p.party,
            debit=p.debit,
            credit=p.credit,
        )
        for p in postings
    )
    return entry


@transaction.atomic
def reverse_entry(
    *, org: Organization, actor: Membership, entry: JournalEntry, reason: str
) -> JournalEntry:
    """Cancel a manual `entry` with a red-ink copy (negated amounts); `entry` stays untouched.

    Entries behind an invoice or payment are corrected by a credit note, not from here."""
    require_perm(actor, Perm.POST_FINANCE)
    reason = reason.strip()
    if not reason:
        raise BusinessRuleViolation(
            _("Say why the entry is reversed."),
            code="reason_required",
            fields={"reason": _("This field is required.")},
        )
    entry = JournalEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if entry.source_type:
        raise BusinessRuleViolation(
            _("This entry belongs to a document; correct the document instead."),
            code="document_entry",
        )
    if entry.reverses_id is not None or JournalEntry.objects.filter(reverses=entry).exists():
        raise BusinessRuleViolation(
            _("This entry is already part of a reversal."), code="not_reversible"
        )
    today = timezone.localdate()
    reversal = JournalEntry.objects.create(
        org=org,
        number=next_number(org=org, key=f"JE{today.year}"),
        date=today,
        memo=(_("Reversal of %(number)s: %(reason)s") % {"number": entry.number, "reason": reason})[
            :300
        ],
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
        for line in entry.lines.all()
    )
    record_event(org=org, actor=actor, subject=entry, verb="reversed", reason=reason)
    return reversal
