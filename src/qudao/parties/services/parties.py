"""Creating, changing, archiving and restoring customers and suppliers."""

from __future__ import annotations

from dataclasses import asdict, fields, replace

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties import selectors
from qudao.parties.models import (
    PARTY_TRANSITIONS,
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    Territory,
    Tier,
)
from qudao.parties.services.data import (
    CODE_KEYS,
    CODE_PATTERN,
    ContactData,
    PartyData,
    PossibleDuplicate,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

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
