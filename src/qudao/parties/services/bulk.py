"""Many checked rows at once, for the spreadsheet import."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Final

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.bulk import load_rows
from qudao.core.errors import BusinessRuleViolation
from qudao.parties import selectors
from qudao.parties.models import (
    Contact,
    Party,
    PartyKind,
)
from qudao.parties.services.data import ContactData, PartyData
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import STAFF_ROLES, Perm

# ---------------------------------------------------------------------------------------------
# Bulk inserts (spreadsheet import)

PARTY_COLUMNS: Final = tuple(f.name for f in fields(PartyData))
CONTACT_COLUMNS: Final = tuple(f.name for f in fields(ContactData))


@dataclass(frozen=True)
class NewContact:
    """A contact to add in bulk: the party it belongs to and what is known about the person."""

    party_id: int
    contact: ContactData


def insert_parties(
    *, org: Organization, actor: Membership, kind: str, rows: Sequence[PartyData]
) -> int:
    """Add many parties of `kind` at once, all or none; codes must be given and free.

    For checked input (the import validates each row first): the only checks here are the
    ones rows cannot see alone, set-based; no history rows, the caller records one event.
    """
    values = attrgetter(*PARTY_COLUMNS)
    return insert_party_rows(org=org, actor=actor, kind=kind, rows=[values(row) for row in rows])


PartyRow = Sequence[object]  # a PartyData's values in PARTY_COLUMNS order
CODE_AT: Final = PARTY_COLUMNS.index("code")
CUSTOMER_TYPE_AT: Final = PARTY_COLUMNS.index("customer_type")
OWNER_AT: Final = PARTY_COLUMNS.index("owner_id")


@transaction.atomic
def insert_party_rows(
    *, org: Organization, actor: Membership, kind: str, rows: Sequence[PartyRow]
) -> int:
    """`insert_parties` for rows given as values in PARTY_COLUMNS order (the import's rows):
    the same checks, without a dataclass per row."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    if kind not in PartyKind.values:
        raise BusinessRuleViolation(_("Unknown kind of party."), code="unknown_kind")
    codes = [row[CODE_AT] for row in rows]
    if "" in codes:
        raise BusinessRuleViolation(_("Every imported party needs a code."), code="code_required")
    taken = set(Party.objects.filter(kind=kind).values_list("code", flat=True)).intersection(codes)
    if taken or len(set(codes)) != len(codes):
        repeated = taken or {code for code, times in Counter(codes).items() if times > 1}
        message = _("The code “%(code)s” is already used.") % {"code": min(repeated)}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})
    owner_ids = {row[OWNER_AT] for row in rows}
    if kind == PartyKind.CUSTOMER and not can(actor, Perm.VIEW_ALL_CUSTOMERS):
        # a sales rep's new customers stay theirs, or they would lose sight of them
        if owner_ids - {actor.pk}:
            raise BusinessRuleViolation(
                _("A sales rep can only own customers themselves."), code="owner_not_allowed"
            )
    owners = owner_ids - {None}
    if owners - set(
        Membership.objects.filter(org=org, is_active=True, role__in=sorted(STAFF_ROLES))
        .filter(pk__in=owners)
        .values_list("pk", flat=True)
    ):
        raise BusinessRuleViolation(
            _("Choose an active member of the organization as owner."), code="unknown_owner"
        )
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    head = (org.pk, kind, created_at)
    if kind == PartyKind.SUPPLIER:
        rows = [_without_customer_fields(row) for row in rows]
    return load_rows(
        Party,
        ("org_id", "kind", "created_at", *PARTY_COLUMNS),
        (head + tuple(row) for row in rows),
    )


def _without_customer_fields(row: PartyRow) -> PartyRow:
    values = list(row)
    values[CUSTOMER_TYPE_AT] = ""
    values[OWNER_AT] = None
    return values


@transaction.atomic
def insert_contacts(*, org: Organization, actor: Membership, rows: Sequence[NewContact]) -> int:
    """Add many contacts at once, all or none; at most one primary contact per party stays."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    visible = set(selectors.visible_parties(actor, PartyKind.SUPPLIER).values_list("pk", flat=True))
    visible.update(
        selectors.visible_parties(actor, PartyKind.CUSTOMER).values_list("pk", flat=True)
    )
    if any(row.party_id not in visible for row in rows):
        raise BusinessRuleViolation(
            _("Choose one of the organization's customers or suppliers."), code="unknown_party"
        )
    primary = [row.party_id for row in rows if row.contact.is_primary]
    with_primary = set(
        Contact.objects.filter(is_primary=True, archived_at__isnull=True).values_list(
            "party_id", flat=True
        )
    )
    if with_primary.intersection(primary) or len(set(primary)) != len(primary):
        raise BusinessRuleViolation(
            _("A party can have only one primary contact."), code="primary_exists"
        )
    values = attrgetter(*CONTACT_COLUMNS)
    return load_rows(
        Contact,
        ("org_id", "party_id", *CONTACT_COLUMNS),
        ((org.pk, row.party_id, *values(row.contact)) for row in rows),
    )
