"""Reads for external users, narrowed to their own party. Costs and margins never appear."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from qudao.core.money import ZERO
from qudao.finance.balances import balances_of
from qudao.finance.credit import can_confirm
from qudao.finance.models import Invoice, InvoiceKind, InvoiceStatus, StatementStatus
from qudao.finance.selectors import party_balance
from qudao.finance.statements import visible_statements
from qudao.parties.models import Contact, Party
from qudao.tenancy.models import Membership


def account_overview(membership: Membership) -> dict[str, Any]:
    party = Party.objects.select_related("territory", "owner__user").get(pk=membership.party_id)
    credit = can_confirm(customer=party, amount=ZERO) if party.kind == "customer" else None
    contacts = Contact.objects.filter(party=party, archived_at__isnull=True).order_by(
        "-is_primary", "name"
    )
    return {
        "party": party,
        "contacts": list(contacts),
        "is_retailer": party.kind == "customer",
        "credit": credit,
        "balance": party_balance(party) if credit is not None else None,
        "accounts": balances_of(party) if credit is not None else None,
        "open_invoices": list(
            Invoice.objects.filter(customer=party, status=InvoiceStatus.POSTED)
            .exclude(kind=InvoiceKind.CREDIT_NOTE)
            .filter(total__gt=F("amount_paid") + F("amount_credited"))
            .order_by("due_date", "pk")[:20]
        )
        if credit is not None
        else [],
        "statements_to_answer": visible_statements(membership)
        .filter(status__in=[StatementStatus.ISSUED, StatementStatus.RESOLVED])
        .count()
        if credit is not None
        else 0,
    }
