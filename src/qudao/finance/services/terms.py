"""Customer payment terms and credit limit."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import quantize
from qudao.finance.models import CustomerTerms
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

MAX_TERM_DAYS = 365


@transaction.atomic
def set_terms(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    payment_term_days: int,
    credit_limit: Decimal,
) -> CustomerTerms:
    """Set a customer's net-days term and credit limit (applies to invoices posted from now)."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if customer.kind != PartyKind.CUSTOMER or customer.org_id != org.pk:
        raise BusinessRuleViolation(
            _("Choose one of this organization's customers."), code="not_a_customer"
        )
    if not 0 <= payment_term_days <= MAX_TERM_DAYS:
        raise BusinessRuleViolation(
            _("The payment term is between 0 and 365 days."),
            code="invalid_term",
            fields={"payment_term_days": _("Between 0 and 365.")},
        )
    if credit_limit < 0 or credit_limit != quantize(credit_limit):
        raise BusinessRuleViolation(
            _("The credit limit is a non-negative amount in fen."),
            code="invalid_amount",
            fields={"credit_limit": _("Enter a non-negative amount.")},
        )
    Party.objects.select_for_update(of=("self",)).get(pk=customer.pk)
    terms, _created = CustomerTerms.objects.get_or_create(org=org, party=customer)
    before = {"days": terms.payment_term_days, "limit": str(terms.credit_limit)}
    terms.payment_term_days = payment_term_days
    terms.credit_limit = credit_limit
    terms.save(update_fields=["payment_term_days", "credit_limit"])
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="terms_changed",
        data={"before": before, "after": {"days": payment_term_days, "limit": str(credit_limit)}},
    )
    return terms
