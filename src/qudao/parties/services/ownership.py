"""Which sales rep owns which customers: reassignment in one audited step."""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.parties.models import (
    Party,
    PartyKind,
    ReassignedParty,
    Reassignment,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm, Role
from qudao.tenancy.services import record_event

# ---------------------------------------------------------------------------------------------
# Ownership


@transaction.atomic
def reassign_customers(
    *,
    org: Organization,
    actor: Membership,
    from_owner: Membership,
    to_owner: Membership,
    party_ids: Collection[int] | None = None,
    reason: str = "",
) -> Reassignment:
    """Give all (or the chosen) customers of one sales rep to another, in one set-based update.

    The move is one event about one reassignment, listed on each moved customer's timeline.
    """
    require_perm(actor, Perm.REASSIGN_CUSTOMERS)
    if from_owner.org_id != org.pk or from_owner.role != Role.SALES_REP:
        raise BusinessRuleViolation(
            _("Choose the sales rep who owns the customers now."),
            code="unknown_owner",
            fields={"from_owner": _("Choose a sales rep of the organization.")},
        )
    if to_owner.org_id != org.pk or to_owner.role != Role.SALES_REP or not to_owner.is_active:
        raise BusinessRuleViolation(
            _("Choose an active sales rep to receive the customers."),
            code="unknown_owner",
            fields={"to_owner": _("Choose an active sales rep of the organization.")},
        )
    if from_owner.pk == to_owner.pk:
        raise BusinessRuleViolation(
            _("Choose two different sales reps."),
            code="same_owner",
            fields={"to_owner": _("Choose another sales rep.")},
        )
    customers = Party.objects.filter(kind=PartyKind.CUSTOMER, owner=from_owner)
    if party_ids is not None:
        wanted = set(party_ids)
        customers = customers.filter(pk__in=wanted)
    moved = list(
        customers.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True)
    )
    if party_ids is not None and len(moved) != len(wanted):
        raise BusinessRuleViolation(
            _("Some of the chosen customers are not owned by %(rep)s.") % {"rep": from_owner.user},
            code="not_owned",
        )
    if not moved:
        raise BusinessRuleViolation(
            _("%(rep)s has no customers to move.") % {"rep": from_owner.user},
            code="nothing_to_move",
        )
    customers.update(owner=to_owner)
    reassignment = Reassignment.objects.create(
        org=org,
        actor=actor,
        from_owner=from_owner,
        to_owner=to_owner,
        reason=reason.strip(),
        count=len(moved),
    )
    ReassignedParty.objects.bulk_create(
        (ReassignedParty(org=org, reassignment=reassignment, party_id=pk) for pk in moved),
        batch_size=500,
    )
    record_event(
        org=org,
        actor=actor,
        subject=reassignment,
        verb="customers_reassigned",
        reason=reason.strip(),
        data={
            "from": from_owner.pk,
            "from_name": str(from_owner.user),
            "to": to_owner.pk,
            "to_name": str(to_owner.user),
            "count": len(moved),
        },
    )
    return reassignment
