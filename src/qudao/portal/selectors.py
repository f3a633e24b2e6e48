"""Reads for external users, narrowed to their own party. Costs and margins never appear."""

from __future__ import annotations

from typing import Any

from qudao.parties.models import Contact, Party
from qudao.tenancy.models import Membership


def account_overview(membership: Membership) -> dict[str, Any]:
    party = Party.objects.select_related("territory", "owner__user").get(pk=membership.party_id)
    contacts = Contact.objects.filter(party=party, archived_at__isnull=True).order_by(
        "-is_primary", "name"
    )
    return {"party": party, "contacts": list(contacts), "is_retailer": party.kind == "customer"}
