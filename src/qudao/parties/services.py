"""Every change to parties, contacts, territories and customer ownership.

Views, the API and the spreadsheet import call these functions; each runs in one transaction,
checks the actor's permission and the rules, and leaves an event on the record it changed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from operator import attrgetter
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.bulk import load_rows
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties import selectors
from qudao.parties.models import (
    PARTY_TRANSITIONS,
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    ReassignedParty,
    Reassignment,
    Territory,
    Tier,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import STAFF_ROLES, Perm, Role
from qudao.tenancy.services import next_number, record_event

CODE_PATTERN = re.compile(r"^[\w.\-]+$")
CODE_KEYS = {PartyKind.CUSTOMER: "C", PartyKind.SUPPLIER: "S"}
MAX_TERRITORY_DEPTH = 8


@dataclass(frozen=True)
class PartyData:
    """What a person enters about a supplier or customer. Empty code: the next free number."""

    name: str
    code: str = ""
    short_name: str = ""
    customer_type: str = ""
    tier: str = ""
    status: str = PartyStatus.ACTIVE
    territory_id: int | None = None
    owner_id: int | None = None
    phone: str = ""
    tax_id: str = ""
    bank_name: str = ""
    bank_account: str = ""
    invoice_title: str = ""
    address: str = ""
    notes: str = ""

    @classmethod
    def of(cls, party: Party) -> PartyData:
        """The party's current values (a partial update replaces some of them)."""
        return cls(**{f.name: getattr(party, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class ContactData:
    name: str
    title: str = ""
    phone: str = ""
    wechat_id: str = ""
    email: str = ""
    birthday: date | None = None
    is_primary: bool = False
    notes: str = ""

    @classmethod
    def of(cls, contact: Contact) -> ContactData:
        return cls(**{f.name: getattr(contact, f.name) for f in fields(cls)})


class PossibleDuplicate(BusinessRuleViolation):
    """The new party looks like one that exists; creating it needs an explicit confirmation."""

    def __init__(self, matches: list[Party], *, name: str, phone: str, tax_id: str) -> None:
        super().__init__(
            _(
                "A party with the same name, phone or tax id already exists. "
                "Check the possible duplicates, or confirm to create it anyway."
            ),
            code="possible_duplicate",
        )
        self.matches = matches
        self.reasons = {
            m.pk: selectors.duplicate_reasons(m, name=name, phone=phone, tax_id=tax_id)
            for m in matches
        }


# ---------------------------------------------------------------------------------------------
# Parties


@transaction.atomic
def create_party(
    *,
    org: Organization,
    actor: Membership,
    kind: str,
    data: PartyData,
    confirm_duplicate: bool = False,
) -> Party:
    """Add a supplier or customer; a likely duplicate is refused unless confirmed."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    if kind not in PartyKind.values:
        raise BusinessRuleViolation(_("Unknown kind of party."), code="unknown_kind")
    data = _validated(actor=actor, kind=kind, data=data, current_owner_id=None)
    if data.code:
        _ensure_code_free(kind=kind, code=data.code)
    matches = list(
        selectors.possible_duplicates(
            kind=kind, name=data.name, phone=data.phone, tax_id=data.tax_id
        )
    )
    if matches and not confirm_duplicate:
        raise PossibleDuplicate(matches, name=data.name, phone=data.phone, tax_id=data.tax_id)
    values = asdict(data)
    if not data.code:
        values["code"] = _next_free_code(org=org, kind=kind)
    party = Party.objects.create(org=org, kind=kind, **values)
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="created",
        data={"possible_duplicates": [m.pk for m in matches]} if matches else None,
    )
    return party


@transaction.atomic
def update_party(*, org: Organization, actor: Membership, party: Party, data: PartyData) -> Party:
    """Change a party's details; a sales rep keeps their own customers, the boss moves them."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, party)
    if party.archived_at is not None:
        raise BusinessRuleViolation(
            _("%(name)s is archived. Restore it before changing it.") % {"name": party.name},
            code="archived",
        )
    data = _validated(actor=actor, kind=party.kind, data=data, current_owner_id=party.owner_id)
    if not data.code:
        data = replace(data, code=party.code)
    if data.code != party.code:
        _ensure_code_free(kind=party.kind, code=data.code, exclude_pk=party.pk)
    if data.status != party.status:
        _ensure_status_move(party.status, data.status)
    if data.owner_id != party.owner_id and not can(actor, Perm.REASSIGN_CUSTOMERS):
        raise BusinessRuleViolation(
            _("Only the boss can give a customer to another sales rep."),
            code="owner_change_not_allowed",
            fields={"owner": _("Only the boss can change the owner.")},
        )
    before = PartyData.of(party)
    changed = [
        f.name for f in fields(PartyData) if getattr(data, f.name) != getattr(before, f.name)
    ]
    if not changed:
        return party
    for name in changed:
        setattr(party, name, getattr(data, name))
    party.save(update_fields=[_db_field(name) for name in changed])
    record_event(org=org, actor=actor, subject=party, verb="updated", data={"fields": changed})
    if "status" in changed:
        record_event(
            org=org,
            actor=actor,
            subject=party,
            verb="status_changed",
            data={"from": before.status, "to": data.status},
        )
    return party


@transaction.atomic
def archive_party(*, org: Organization, actor: Membership, party: Party, reason: str = "") -> Party:
    """Hide a party from lists and pickers; its history, documents and contacts stay."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, party)
    if party.archived_at is not None:
        raise BusinessRuleViolation(
            _("%(name)s is already archived.") % {"name": party.name}, code="already_archived"
        )
    party.archived_at = timezone.now()
    party.save(update_fields=["archived_at"])
    record_event(org=org, actor=actor, subject=party, verb="archived", reason=reason)
    return party


@transaction.atomic
def restore_party(*, org: Organization, actor: Membership, party: Party) -> Party:
    """Bring an archived party back into lists and pickers."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, party)
    if party.archived_at is None:
        raise BusinessRuleViolation(
            _("%(name)s is not archived.") % {"name": party.name}, code="not_archived"
        )
    party.archived_at = None
    party.save(update_fields=["archived_at"])
    record_event(org=org, actor=actor, subject=party, verb="restored")
    return party


def _locked_visible_party(actor: Membership, party: Party) -> Party:
    locked = (
        selectors.visible_parties(actor, party.kind)
        .select_for_update(of=("self",))
        .filter(pk=party.pk)
        .first()
    )
    if locked is None:  # another rep's customer: as if it did not exist
        raise PermissionDenied(_("You can only change your own customers."))
    return locked


def _validated(
    *, actor: Membership, kind: str, data: PartyData, current_owner_id: int | None
) -> PartyData:
    """Trim, check and complete `data` for a party of `kind`, or refuse with per-field messages."""
    data = replace(
        data,
        **{
            f.name: getattr(data, f.name).strip()
            for f in fields(PartyData)
            if isinstance(getattr(data, f.name), str)
        },
    )
    problems: dict[str, str] = {}
    if not data.name:
        problems["name"] = _("Enter the name.")
    if data.code and not CODE_PATTERN.match(data.code):
        problems["code"] = _("Use letters, digits, dots, dashes and underscores only.")
    if data.status not in PartyStatus.values:
        problems["status"] = _("Choose a valid status.")
    if data.tier and data.tier not in Tier.values:
        problems["tier"] = _("Choose a valid tier.")
    if kind == PartyKind.CUSTOMER:
        if data.customer_type not in CustomerType.values:
            problems["customer_type"] = _("Choose the type of customer.")
    else:
        data = replace(data, customer_type="", owner_id=None)
    problems |= _too_long(data)
    if data.territory_id is not None and not (
        Territory.objects.filter(pk=data.territory_id, archived_at__isnull=True).exists()
    ):
        problems["territory"] = _("Choose one of the organization's territories.")
    if kind == PartyKind.CUSTOMER:
        if not can(actor, Perm.VIEW_ALL_CUSTOMERS):
            # a sales rep's new or edited customer stays theirs, or they would lose sight of it
            if data.owner_id is None:
                data = replace(data, owner_id=actor.pk)
            if data.owner_id != actor.pk:
                problems["owner"] = _("A sales rep can only own customers themselves.")
        if data.owner_id is not None and data.owner_id != current_owner_id:
            if not selectors.sales_reps().filter(pk=data.owner_id).exists():
                problems["owner"] = _("Choose an active sales rep of the organization.")
    if problems:
        raise BusinessRuleViolation(
            _("Some fields are not valid."), code="invalid", fields=problems
        )
    return data


def _too_long(data: PartyData | ContactData) -> dict[str, str]:
    model = Party if isinstance(data, PartyData) else Contact
    problems = {}
    for f in fields(data):
        value = getattr(data, f.name)
        model_field = model._meta.get_field(_db_field(f.name))
        limit = getattr(model_field, "max_length", None)
        if isinstance(value, str) and limit and isinstance(model_field, models.CharField):
            if len(value) > limit:
                problems[f.name] = _("Use at most %(limit)d characters.") % {"limit": limit}
    return problems


def _db_field(name: str) -> str:
    return {"territory_id": "territory", "owner_id": "owner"}.get(name, name)


def _ensure_code_free(*, kind: str, code: str, exclude_pk: int | None = None) -> None:
    taken = Party.objects.filter(kind=kind, code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        message = _("The code “%(code)s” is already used.") % {"code": code}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})


def _next_free_code(*, org: Organization, kind: str) -> str:
    while True:  # skips numbers someone already typed in by hand
        code = next_number(org=org, key=CODE_KEYS[PartyKind(kind)])
        if not Party.objects.filter(kind=kind, code=code).exists():
            return code


def _ensure_status_move(current: str, target: str) -> None:
    if target not in PARTY_TRANSITIONS.get(current, frozenset()):
        labels = dict(PartyStatus.choices)
        message = _("A party that is “%(current)s” cannot become “%(target)s”.") % {
            "current": labels.get(current, current),
            "target": labels.get(target, target),
        }
        raise BusinessRuleViolation(message, code="invalid_transition", fields={"status": message})


# ---------------------------------------------------------------------------------------------
# Contacts


@transaction.atomic
def add_contact(
    *, org: Organization, actor: Membership, party: Party, data: ContactData
) -> Contact:
    """Add a person at `party`; the first contact, or one marked primary, becomes the primary."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, party)  # the party lock serialises primary changes
    _ensure_current(party)
    data = _validated_contact(data)
    has_primary = Contact.objects.filter(
        party=party, is_primary=True, archived_at__isnull=True
    ).exists()
    if data.is_primary:
        _clear_primary(party)
    elif not has_primary:
        data = replace(data, is_primary=True)
    contact = Contact.objects.create(org=org, party=party, **asdict(data))
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="contact_added",
        data={"contact_id": contact.pk, "name": contact.name},
    )
    return contact


@transaction.atomic
def update_contact(
    *, org: Organization, actor: Membership, contact: Contact, data: ContactData
) -> Contact:
    """Change a contact's details; marking it primary unmarks the party's other primary."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, contact.party)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk, party=party)
    _ensure_current(party)
    if contact.archived_at is not None:
        raise BusinessRuleViolation(_("This contact was removed."), code="archived")
    data = _validated_contact(data)
    before = ContactData.of(contact)
    changed = [
        f.name for f in fields(ContactData) if getattr(data, f.name) != getattr(before, f.name)
    ]
    if not changed:
        return contact
    if data.is_primary and not contact.is_primary:
        _clear_primary(party)
    for name in changed:
        setattr(contact, name, getattr(data, name))
    contact.save(update_fields=changed)
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="contact_changed",
        data={"contact_id": contact.pk, "name": contact.name, "fields": changed},
    )
    return contact


@transaction.atomic
def archive_contact(*, org: Organization, actor: Membership, contact: Contact) -> Contact:
    """Remove a contact from the party's card; its history stays."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, contact.party)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk, party=party)
    if contact.archived_at is not None:
        raise BusinessRuleViolation(_("This contact was already removed."), code="already_archived")
    contact.archived_at = timezone.now()
    contact.save(update_fields=["archived_at"])
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="contact_removed",
        data={"contact_id": contact.pk, "name": contact.name},
    )
    return contact


def _ensure_current(party: Party) -> None:
    if party.archived_at is not None:
        raise BusinessRuleViolation(
            _("%(name)s is archived. Restore it before changing it.") % {"name": party.name},
            code="archived",
        )


def _clear_primary(party: Party) -> None:
    for other in Contact.objects.filter(party=party, is_primary=True, archived_at__isnull=True):
        other.is_primary = False
        other.save(update_fields=["is_primary"])  # at most one: saved for its history row


def _validated_contact(data: ContactData) -> ContactData:
    data = replace(
        data,
        **{
            f.name: getattr(data, f.name).strip()
            for f in fields(ContactData)
            if isinstance(getattr(data, f.name), str)
        },
    )
    problems = _too_long(data)
    if not data.name:
        problems["name"] = _("Enter the name.")
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            problems["email"] = _("Enter a valid email address.")
    if data.birthday is not None and data.birthday > timezone.localdate():
        problems["birthday"] = _("A birthday cannot be in the future.")
    if problems:
        raise BusinessRuleViolation(
            _("Some fields are not valid."), code="invalid", fields=problems
        )
    return data


# ---------------------------------------------------------------------------------------------
# Territories


@transaction.atomic
def create_territory(
    *, org: Organization, actor: Membership, code: str, name: str, parent_id: int | None = None
) -> Territory:
    """Add a territory under `parent_id` (or at the top of the tree)."""
    require_perm(actor, Perm.MANAGE_TERRITORIES)
    code, name = code.strip(), name.strip()
    _validate_territory(code=code, name=name)
    parent = _current_territory(parent_id, field="parent") if parent_id is not None else None
    path = f"{parent.path}/{code}" if parent else code
    depth = parent.depth + 1 if parent else 0
    _ensure_territory_fits(path=path, depth=depth)
    territory = Territory.objects.create(
        org=org, parent=parent, code=code, name=name, path=path, depth=depth
    )
    record_event(org=org, actor=actor, subject=territory, verb="created")
    return territory


@transaction.atomic
def update_territory(
    *,
    org: Organization,
    actor: Membership,
    territory: Territory,
    code: str,
    name: str,
    parent_id: int | None,
) -> Territory:
    """Rename or move a territory with everything below it; never under its own descendant."""
    require_perm(actor, Perm.MANAGE_TERRITORIES)
    territory = Territory.objects.select_for_update(of=("self",)).get(pk=territory.pk)
    code, name = code.strip(), name.strip()
    _validate_territory(code=code, name=name, exclude_pk=territory.pk)
    parent = _current_territory(parent_id, field="parent") if parent_id is not None else None
    if parent is not None and (
        parent.pk == territory.pk or parent.path.startswith(f"{territory.path}/")
    ):
        message = _("A territory cannot be moved under itself or one of its own sub-territories.")
        raise BusinessRuleViolation(message, code="territory_cycle", fields={"parent": message})
    old_path, old_depth = territory.path, territory.depth
    new_path = f"{parent.path}/{code}" if parent else code
    new_depth = parent.depth + 1 if parent else 0
    below = Territory.objects.filter(path__startswith=f"{old_path}/")
    deepest = below.aggregate(depth=models.Max("depth"), length=models.Max(Length("path")))
    _ensure_territory_fits(
        path=new_path,
        depth=new_depth + (deepest["depth"] or old_depth) - old_depth,
        longest=(deepest["length"] or len(old_path)) - len(old_path) + len(new_path),
    )
    moved = parent_id != territory.parent_id
    changed = moved or code != territory.code or name != territory.name
    if not changed:
        return territory
    if new_path != old_path:
        below.update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (new_depth - old_depth),
        )
    territory.parent = parent
    territory.code, territory.name = code, name
    territory.path, territory.depth = new_path, new_depth
    territory.save(update_fields=["parent", "code", "name", "path", "depth"])
    record_event(
        org=org,
        actor=actor,
        subject=territory,
        verb="moved" if moved else "updated",
        data={"from": old_path, "to": new_path} if moved else {},
    )
    return territory


@transaction.atomic
def archive_territory(*, org: Organization, actor: Membership, territory: Territory) -> Territory:
    """Hide a territory that no current customer or sub-territory uses any more."""
    require_perm(actor, Perm.MANAGE_TERRITORIES)
    territory = Territory.objects.select_for_update(of=("self",)).get(pk=territory.pk)
    if territory.archived_at is not None:
        raise BusinessRuleViolation(
            _("This territory is already archived."), code="already_archived"
        )
    if Territory.objects.filter(parent=territory, archived_at__isnull=True).exists():
        raise BusinessRuleViolation(
            _("Move or archive the sub-territories of %(name)s first.") % {"name": territory},
            code="territory_in_use",
        )
    if Party.objects.filter(territory=territory, archived_at__isnull=True).exists():
        raise BusinessRuleViolation(
            _("Customers are still placed in %(name)s. Move them to another territory first.")
            % {"name": territory},
            code="territory_in_use",
        )
    territory.archived_at = timezone.now()
    territory.save(update_fields=["archived_at"])
    record_event(org=org, actor=actor, subject=territory, verb="archived")
    return territory


def _validate_territory(*, code: str, name: str, exclude_pk: int | None = None) -> None:
    problems: dict[str, str] = {}
    if not code:
        problems["code"] = _("Enter the code.")
    elif len(code) > 40 or not CODE_PATTERN.match(code):
        problems["code"] = _("Use up to 40 letters, digits, dots, dashes and underscores.")
    elif Territory.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        problems["code"] = _("The code “%(code)s” is already used.") % {"code": code}
    if not name:
        problems["name"] = _("Enter the name.")
    elif len(name) > 100:
        problems["name"] = _("Use at most %(limit)d characters.") % {"limit": 100}
    if problems:
        raise BusinessRuleViolation(
            _("Some fields are not valid."), code="invalid", fields=problems
        )


def _current_territory(pk: int, *, field: str) -> Territory:
    territory = Territory.objects.filter(pk=pk, archived_at__isnull=True).first()
    if territory is None:
        message = _("Choose one of the organization's territories.")
        raise BusinessRuleViolation(message, code="unknown_territory", fields={field: message})
    return territory


def _ensure_territory_fits(*, path: str, depth: int, longest: int = 0) -> None:
    if depth >= MAX_TERRITORY_DEPTH or max(len(path), longest) > 500:
        raise BusinessRuleViolation(
            _("The territory tree cannot be deeper than %(levels)d levels.")
            % {"levels": MAX_TERRITORY_DEPTH},
            code="territory_too_deep",
            fields={"parent": _("Choose a territory higher up in the tree.")},
        )


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


# ---------------------------------------------------------------------------------------------
# Bulk inserts (spreadsheet import)

PARTY_COLUMNS: Final = tuple(f.name for f in fields(PartyData))
CONTACT_COLUMNS: Final = tuple(f.name for f in fields(ContactData))


@dataclass(frozen=True)
class NewContact:
    """A contact to add in bulk: the party it belongs to and what is known about the person."""

    party_id: int
    contact: ContactData


@transaction.atomic
def insert_parties(
    *, org: Organization, actor: Membership, kind: str, rows: Sequence[PartyData]
) -> int:
    """Add many parties of `kind` at once, all or none; codes must be given and free.

    For checked input (the import validates each row first): the only checks here are the
    ones rows cannot see alone, set-based; no history rows, the caller records one event.
    """
    require_perm(actor, Perm.MANAGE_PARTIES)
    if kind not in PartyKind.values:
        raise BusinessRuleViolation(_("Unknown kind of party."), code="unknown_kind")
    codes = [row.code for row in rows]
    if "" in codes:
        raise BusinessRuleViolation(_("Every imported party needs a code."), code="code_required")
    taken = set(Party.objects.filter(kind=kind).values_list("code", flat=True)).intersection(codes)
    if taken or len(set(codes)) != len(codes):
        repeated = taken or {code for code, times in Counter(codes).items() if times > 1}
        message = _("The code “%(code)s” is already used.") % {"code": min(repeated)}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})
    if kind == PartyKind.CUSTOMER and not can(actor, Perm.VIEW_ALL_CUSTOMERS):
        # a sales rep's new customers stay theirs, or they would lose sight of them
        if any(row.owner_id != actor.pk for row in rows):
            raise BusinessRuleViolation(
                _("A sales rep can only own customers themselves."), code="owner_not_allowed"
            )
    owners = {row.owner_id for row in rows if row.owner_id is not None}
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
    values = attrgetter(*PARTY_COLUMNS)
    if kind == PartyKind.SUPPLIER:
        rows = [replace(row, customer_type="", owner_id=None) for row in rows]
    return load_rows(
        Party,
        ("org_id", "kind", "created_at", *PARTY_COLUMNS),
        (head + values(row) for row in rows),
    )


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
