"""Reads of parties, scoped to the organization and to the member's role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qudao.parties.models import (
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    ReassignedParty,
    Territory,
)
from qudao.tenancy.models import Event, Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm, Role
from qudao.tenancy.scoping import current_org

ARCHIVED: str = "archived"  # a pseudo-status in list filters: the archived parties


def visible_customers(membership: Membership) -> QuerySet[Party]:
    """Customers this member may see: a sales rep sees the ones they own."""
    customers = Party.objects.filter(kind=PartyKind.CUSTOMER)
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        customers = customers.filter(owner=membership)
    return customers


def visible_parties(membership: Membership, kind: str) -> QuerySet[Party]:
    """Parties of `kind` this member may see (suppliers: every staff member; customers: scoped)."""
    if kind == PartyKind.CUSTOMER:
        return visible_customers(membership)
    return Party.objects.filter(kind=PartyKind.SUPPLIER)


def can_see_party(membership: Membership, party: Party) -> bool:
    return visible_parties(membership, party.kind).filter(pk=party.pk).exists()


def with_list_columns(parties: QuerySet[Party]) -> QuerySet[Party]:
    """What a list row shows, in the same query: territory, owner and the primary contact."""
    primary = Contact.objects.filter(
        party=OuterRef("pk"), is_primary=True, archived_at__isnull=True
    )
    return parties.select_related("territory", "owner__user").annotate(
        primary_contact_name=Subquery(primary.values("name")[:1]),
        primary_contact_phone=Subquery(primary.values("phone")[:1]),
    )


def subtree(territory: Territory) -> QuerySet[Territory]:
    """`territory` and every territory below it."""
    return Territory.objects.filter(Q(pk=territory.pk) | Q(path__startswith=f"{territory.path}/"))


@dataclass(frozen=True)
class PartyFilters:
    """The search and filters of a party list, shared by the pages, the export and the API."""

    search: str = ""
    status: str = ""  # a PartyStatus, ARCHIVED for the archived ones, or "" for all current
    include_archived: bool = False
    archived_only: bool = False
    customer_type: str = ""
    tier: str = ""
    territory_id: int | None = None
    owner_id: int | None = None


def search_parties(parties: QuerySet[Party], search: str) -> QuerySet[Party]:
    """Match code, names and phone of the party, or name, phone and WeChat id of a contact."""
    search = search.strip()
    if not search:
        return parties
    contact_matches = Contact.objects.filter(party=OuterRef("pk"), archived_at__isnull=True).filter(
        Q(name__icontains=search) | Q(phone__icontains=search) | Q(wechat_id__icontains=search)
    )
    return parties.filter(
        Q(code__icontains=search)
        | Q(name__icontains=search)
        | Q(short_name__icontains=search)
        | Q(phone__icontains=search)
        | Exists(contact_matches)
    )


def filter_parties(parties: QuerySet[Party], filters: PartyFilters) -> QuerySet[Party]:
    """Apply search and filters; archived parties stay hidden unless asked for."""
    parties = search_parties(parties, filters.search)
    if filters.status == ARCHIVED or filters.archived_only:
        parties = parties.filter(archived_at__isnull=False)
    elif not filters.include_archived:
        parties = parties.filter(archived_at__isnull=True)
    if filters.status and filters.status != ARCHIVED:
        parties = parties.filter(status=filters.status)
    if filters.customer_type:
        parties = parties.filter(customer_type=filters.customer_type)
    if filters.tier:
        parties = parties.filter(tier=filters.tier)
    if filters.territory_id is not None:
        territory = Territory.objects.filter(pk=filters.territory_id).first()
        if territory is None:
            return parties.none()
        parties = parties.filter(territory__in=subtree(territory))
    if filters.owner_id is not None:
        parties = parties.filter(owner_id=filters.owner_id)
    return parties


def status_choices() -> list[tuple[str, str | Promise]]:
    return [*PartyStatus.choices, (ARCHIVED, _("Archived"))]


def customer_type_choices() -> list[tuple[str, str]]:
    return list(CustomerType.choices)


def territory_choices(*, include_archived: bool = False) -> list[tuple[str, str]]:
    """Territories in tree order, indented by depth, for select boxes."""
    territories = Territory.objects.order_by("path")
    if not include_archived:
        territories = territories.filter(archived_at__isnull=True)
    return [
        (str(pk), "\u3000" * depth + name)
        for pk, name, depth in territories.values_list("pk", "name", "depth")
    ]


def sales_reps(*, include_inactive: bool = False) -> QuerySet[Membership]:
    """The members who can own customers, in the organization in scope."""
    reps = Membership.objects.filter(org=current_org(), role=Role.SALES_REP).select_related("user")
    if not include_inactive:
        reps = reps.filter(is_active=True)
    return reps.order_by("user__display_name", "user__username")


def sales_rep_choices() -> list[tuple[str, str]]:
    return [(str(rep.pk), str(rep.user)) for rep in sales_reps(include_inactive=True)]


def possible_duplicates(
    *, kind: str, name: str, phone: str = "", tax_id: str = "", exclude_pk: int | None = None
) -> QuerySet[Party]:
    """Parties of `kind` with the same name, phone or tax id (archived ones included)."""
    condition = Q()
    if name.strip():
        condition |= Q(name__iexact=name.strip())
    if phone.strip():
        condition |= Q(phone=phone.strip()) | Q(
            Exists(
                Contact.objects.filter(
                    party=OuterRef("pk"), phone=phone.strip(), archived_at__isnull=True
                )
            )
        )
    if tax_id.strip():
        condition |= Q(tax_id__iexact=tax_id.strip())
    if not condition:
        return Party.objects.none()
    matches = Party.objects.filter(kind=kind).filter(condition).select_related("owner__user")
    if exclude_pk is not None:
        matches = matches.exclude(pk=exclude_pk)
    return matches.order_by("code")[:20]


def duplicate_reasons(party: Party, *, name: str, phone: str, tax_id: str) -> list[str]:
    """Which of name, phone and tax id `party` shares with the new entry."""
    reasons = []
    if name.strip() and party.name.casefold() == name.strip().casefold():
        reasons.append("name")
    if phone.strip() and party.phone == phone.strip():
        reasons.append("phone")
    if tax_id.strip() and party.tax_id.casefold() == tax_id.strip().casefold():
        reasons.append("tax_id")
    return reasons or ["contact_phone"]


def contacts_of(party: Party, *, include_archived: bool = False) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(party=party)
    if not include_archived:
        contacts = contacts.filter(archived_at__isnull=True)
    return contacts.order_by("-is_primary", "name", "pk")


def visible_any_parties(membership: Membership) -> QuerySet[Party]:
    """Suppliers and the customers this member may see."""
    parties = Party.objects.all()
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        parties = parties.filter(Q(kind=PartyKind.SUPPLIER) | Q(owner=membership))
    return parties


def visible_contacts(membership: Membership) -> QuerySet[Contact]:
    """Contacts of the parties this member may see."""
    contacts = Contact.objects.select_related("party")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        contacts = contacts.filter(Q(party__kind=PartyKind.SUPPLIER) | Q(party__owner=membership))
    return contacts


def timeline(party: Party, limit: int = 30) -> QuerySet[Event]:
    """Business events on `party`, including the reassignments that moved it."""
    reassignments = ReassignedParty.objects.filter(party=party).values("reassignment_id")
    return (
        Event.objects.filter(
            Q(subject_type=party._meta.label_lower, subject_id=party.pk)
            | Q(subject_type="parties.reassignment", subject_id__in=Subquery(reassignments))
        )
        .select_related("actor__user")
        .order_by("-at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    ip_address: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[Change] = field(default_factory=list)


HISTORY_FIELDS_HIDDEN = frozenset({"id", "org", "created_at"})


def party_history(party: Party, limit: int = 20) -> list[HistoryEntry]:
    """Field-level changes of `party`: who changed what, when and from where (newest first)."""
    records = list(
        party.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    territory_ids: set[int] = set()
    owner_ids: set[int] = set()
    for record in records:
        if record.territory_id:
            territory_ids.add(record.territory_id)
        if record.owner_id:
            owner_ids.add(record.owner_id)
    names: dict[str, dict[object, str]] = {
        "territory": {
            pk: name
            for pk, name in Territory.objects.filter(pk__in=territory_ids).values_list("pk", "name")
        },
        "owner": {m.pk: str(m.user) for m in _memberships(owner_ids)},
    }
    entries = []
    for index, newer in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=list(HISTORY_FIELDS_HIDDEN))
            for change in delta.changes:
                changes.append(
                    Change(
                        label=str(Party._meta.get_field(change.field).verbose_name),
                        old=_display(change.field, change.old, names),
                        new=_display(change.field, change.new, names),
                    )
                )
        entries.append(
            HistoryEntry(
                at=newer.history_date,
                who=str(newer.history_user) if newer.history_user else "",
                ip_address=newer.ip_address or "",
                kind=newer.history_type,
                changes=changes,
            )
        )
    return entries


def _memberships(ids: Iterable[int]) -> QuerySet[Membership]:
    return Membership.objects.filter(pk__in=list(ids)).select_related("user")


def _display(field_name: str, value: object, names: dict[str, dict[object, str]]) -> str:
    if value is None or value == "":
        return "—"
    if field_name in names:
        return names[field_name].get(value, f"#{value}")
    model_field = Party._meta.get_field(field_name)
    choices = dict(model_field.choices or ())  # type: ignore[arg-type]
    if value in choices:
        return str(choices[value])
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


@dataclass(frozen=True)
class TerritoryNode:
    territory: Territory
    direct: int  # customers placed directly in this territory
    total: int  # customers here and in every territory below


def territory_tree(
    membership: Membership, *, include_archived: bool = False
) -> list[TerritoryNode]:
    """Every territory in tree order with the counts of customers this member may see."""
    territories = list(Territory.objects.order_by("path"))
    if not include_archived:
        territories = [t for t in territories if t.archived_at is None]
    direct = dict(
        visible_customers(membership)
        .filter(archived_at__isnull=True, territory__isnull=False)
        .values_list("territory")
        .annotate(n=Count("pk"))
        .values_list("territory", "n")
    )
    totals: dict[str, int] = {}
    for territory in territories:
        count = direct.get(territory.pk, 0)
        prefix = territory.path
        while prefix:
            totals[prefix] = totals.get(prefix, 0) + count
            prefix = prefix.rpartition("/")[0]
    return [
        TerritoryNode(territory=t, direct=direct.get(t.pk, 0), total=totals.get(t.path, 0))
        for t in territories
    ]
