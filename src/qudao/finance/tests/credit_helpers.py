"""Credit test data through the real services."""

from __future__ import annotations

from decimal import Decimal

from qudao.finance.models import CustomerTerms
from qudao.finance.services import PolicyData, set_credit_policy
from qudao.parties.models import Party
from qudao.tenancy.models import Membership, Organization


def give_policy(
    *, org: Organization, actor: Membership, customer: Party, **fields: object
) -> CustomerTerms:
    """set_credit_policy with PolicyData defaults (credit, limit 0, net 0 days, block)."""
    if "credit_limit" in fields:
        fields["credit_limit"] = Decimal(str(fields["credit_limit"]))
    return set_credit_policy(
        org=org,
        actor=actor,
        customer=customer,
        data=PolicyData(**fields),  # type: ignore[arg-type]
    )
