"""API endpoints for customers, suppliers, contacts and territories.

The same services as the pages; a sales rep sees and changes only their own customers, and
another rep's customer or another organization's record answers 404.
"""

from dataclasses import replace
from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from qudao.core.api import Error, PageNumber
from qudao.parties import selectors, services
from qudao.parties.models import (
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    Reassignment,
    Territory,
    Tier,
)
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["parties"])

Archived = Literal["exclude", "include", "only"]


class PartyOut(Schema):
    id: int
    kind: PartyKind
    code: str
    name: str
    short_name: str
    customer_type: str
    tier: str
    status: PartyStatus
    territory_id: int | None
    owner_id: int | None
    phone: str
    tax_id: str
    bank_name: str
    bank_account: str
    invoice_title: str
    address: str
    notes: str
    created_at: datetime
    archived_at: datetime | None


class PartyMatch(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    archived: bool
    reasons: list[str]


class DuplicateError(Error):
    matches: list[PartyMatch]


class _PartyFields(Schema):
    code: str = Field("", max_length=40, description="Empty: the next free number.")
    short_name: str = Field("", max_length=60)
    tier: Tier | Literal[""] = ""
    status: PartyStatus = PartyStatus.ACTIVE
    territory_id: int | None = None
    phone: str = Field("", max_length=30)
    tax_id: str = Field("", max_length=30)
    bank_name: str = Field("", max_length=100)
    bank_account: str = Field("", max_length=50)
    invoice_title: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    notes: str = Field("", max_length=5000)


class CustomerIn(_PartyFields):
    name: str = Field(min_length=1, max_length=200)
    customer_type: CustomerType
    owner_id: int | None = Field(None, description="Empty for a sales rep: the rep themselves.")
    confirm_duplicate: bool = Field(False, description="Create even if it looks like a duplicate.")


class SupplierIn(_PartyFields):
    name: str = Field(min_length=1, max_length=200)
    confirm_duplicate: bool = False


class PartyPatch(Schema):
    """Only the fields sent change; `territory_id`/`owner_id` null clears them."""

    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, max_length=60)
    customer_type: CustomerType | None = None
    tier: Tier | Literal[""] | None = None
    status: PartyStatus | None = None
    territory_id: int | None = None
    owner_id: int | None = None
    phone: str | None = Field(None, max_length=30)
    tax_id: str | None = Field(None, max_length=30)
    bank_name: str | None = Field(None, max_length=100)
    bank_account: str | None = Field(None, max_length=50)
    invoice_title: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=5000)


class ArchiveIn(Schema):
    reason: str = Field("", max_length=500)


class ReassignIn(Schema):
    from_owner_id: int
    to_owner_id: int
    party_ids: list[int] | None = Field(None, description="Empty: every customer of the rep.")
    reason: str = Field("", max_length=500)


class ReassignmentOut(Schema):
    id: int
    from_owner_id: int
    to_owner_id: int
    count: int
    reason: str
    at: datetime


class ContactOut(Schema):
    id: int
    party_id: int
    name: str
    title: str
    phone: str
    wechat_id: str
    email: str
    birthday: date | None
    is_primary: bool
    notes: str
    archived_at: datetime | None


class _ContactFields(Schema):
    title: str = Field("", max_length=60)
    phone: str = Field("", max_length=30)
    wechat_id: str = Field("", max_length=60)
    email: str = Field("", max_length=254)
    birthday: date | None = None
    is_primary: bool = False
    notes: str = Field("", max_length=5000)


class ContactIn(_ContactFields):
    party_id: int
    name: str = Field(min_length=1, max_length=60)


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    title: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    wechat_id: str | None = Field(None, max_length=60)
    email: str | None = Field(None, max_length=254)
    birthday: date | None = None
    is_primary: bool | None = None
    notes: str | None = Field(None, max_length=5000)


class TerritoryOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    path: str
    depth: int
    archived_at: datetime | None


class TerritoryIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    parent_id: int | None = None


class TerritoryPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=100)
    parent_id: int | None = None


NULLABLE = frozenset({"territory_id", "owner_id", "parent_id", "birthday"})


def _changes(patch: Schema) -> dict[str, object]:
    """The fields the client sent; null only clears the fields that may be empty."""
    return {
        name: value
        for name, value in patch.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE
    }


def _actor(request: HttpRequest) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.VIEW_PARTIES)
    return actor


def _party(actor: Membership, kind: str, party_id: int) -> Party:
    return get_object_or_404(selectors.visible_parties(actor, kind), pk=party_id)


def _duplicate_response(refusal: services.PossibleDuplicate) -> DuplicateError:
    return DuplicateError(
        code=refusal.code,
        message=refusal.message,
        fields={},
        matches=[
            PartyMatch(
                id=m.pk,
                code=m.code,
                name=m.name,
                owner_id=m.owner_id,
                archived=m.archived_at is not None,
                reasons=refusal.reasons.get(m.pk, []),
            )
            for m in refusal.matches
        ],
    )


def _register_party_endpoints(kind: str, plural: str, payload_schema: type[Schema]) -> None:
    """The same five endpoints for customers and suppliers."""
    tag = [plural]

    @router.get(
        f"/{plural}",
        response={200: list[PartyOut], 403: Error, 422: Error},
        summary=f"List {plural}",
        operation_id=f"list_{plural}",
        tags=tag,
    )
    @paginate(PageNumber)
    def list_parties(
        request: HttpRequest,
        q: str = "",
        status: PartyStatus | None = None,
        customer_type: CustomerType | None = None,
        tier: Tier | None = None,
        territory_id: int | None = None,
        owner_id: int | None = None,
        archived: Archived = "exclude",
    ) -> object:
        actor = _actor(request)
        filters = selectors.PartyFilters(
            search=q[:100],
            status=status or "",
            include_archived=archived == "include",
            archived_only=archived == "only",
            customer_type=customer_type or "",
            tier=tier or "",
            territory_id=territory_id,
            owner_id=owner_id,
        )
        parties = selectors.visible_parties(actor, kind)
        return selectors.filter_parties(parties, filters).order_by("code", "pk")

    @router.get(
        f"/{plural}/{{party_id}}",
        response={200: PartyOut, 403: Error, 404: Error},
        summary=f"One of the {plural}",
        operation_id=f"get_{kind}",
        tags=tag,
    )
    def get_party(request: HttpRequest, party_id: int) -> Party:
        return _party(_actor(request), kind, party_id)

    @router.post(
        f"/{plural}",
        response={201: PartyOut, 403: Error, 409: DuplicateError | Error, 422: Error},
        summary=f"Add to the {plural} (409 possible_duplicate unless confirm_duplicate)",
        operation_id=f"create_{kind}",
        tags=tag,
    )
    def create_party(request: HttpRequest, payload: payload_schema) -> Status[object]:  # type: ignore[valid-type]
        actor = _actor(request)
        values = payload.model_dump()  # type: ignore[attr-defined]
        confirm = values.pop("confirm_duplicate")
        try:
            party = services.create_party(
                org=actor.org,
                actor=actor,
                kind=kind,
                data=services.PartyData(**values),
                confirm_duplicate=confirm,
            )
        except services.PossibleDuplicate as refusal:
            return Status(409, _duplicate_response(refusal))
        return Status(201, party)

    @router.patch(
        f"/{plural}/{{party_id}}",
        response={200: PartyOut, 403: Error, 404: Error, 409: Error, 422: Error},
        summary=f"Change one of the {plural}",
        operation_id=f"update_{kind}",
        tags=tag,
    )
    def update_party(request: HttpRequest, party_id: int, payload: PartyPatch) -> Party:
        actor = _actor(request)
        party = _party(actor, kind, party_id)
        data = replace(services.PartyData.of(party), **_changes(payload))  # type: ignore[arg-type]
        return services.update_party(org=actor.org, actor=actor, party=party, data=data)

    @router.post(
        f"/{plural}/{{party_id}}/archive",
        response={200: PartyOut, 403: Error, 404: Error, 409: Error},
        summary=f"Archive one of the {plural}",
        operation_id=f"archive_{kind}",
        tags=tag,
    )
    def archive_party(
        request: HttpRequest, party_id: int, payload: ArchiveIn | None = None
    ) -> Party:
        actor = _actor(request)
        party = _party(actor, kind, party_id)
        reason = payload.reason if payload else ""
        return services.archive_party(org=actor.org, actor=actor, party=party, reason=reason)

    @router.post(
        f"/{plural}/{{party_id}}/restore",
        response={200: PartyOut, 403: Error, 404: Error, 409: Error},
        summary=f"Restore an archived one of the {plural}",
        operation_id=f"restore_{kind}",
        tags=tag,
    )
    def restore_party(request: HttpRequest, party_id: int) -> Party:
        actor = _actor(request)
        party = _party(actor, kind, party_id)
        return services.restore_party(org=actor.org, actor=actor, party=party)


@router.post(
    "/customers/reassign",
    response={201: ReassignmentOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Move all (or the listed) customers of one sales rep to another",
    tags=["customers"],
)
def reassign_customers(request: HttpRequest, payload: ReassignIn) -> Status[Reassignment]:
    actor = _actor(request)
    reps = selectors.sales_reps(include_inactive=True)
    from_owner = get_object_or_404(reps, pk=payload.from_owner_id)
    to_owner = get_object_or_404(reps, pk=payload.to_owner_id)
    reassignment = services.reassign_customers(
        org=actor.org,
        actor=actor,
        from_owner=from_owner,
        to_owner=to_owner,
        party_ids=payload.party_ids,
        reason=payload.reason,
    )
    return Status(201, reassignment)


_register_party_endpoints(PartyKind.CUSTOMER.value, "customers", CustomerIn)
_register_party_endpoints(PartyKind.SUPPLIER.value, "suppliers", SupplierIn)


# ---------------------------------------------------------------------------------------------
# Contacts


def _contact(actor: Membership, contact_id: int) -> Contact:
    return get_object_or_404(selectors.visible_contacts(actor), pk=contact_id)


@router.get(
    "/contacts",
    response={200: list[ContactOut], 403: Error, 422: Error},
    summary="List contacts",
    tags=["contacts"],
)
@paginate(PageNumber)
def list_contacts(
    request: HttpRequest, party_id: int | None = None, q: str = "", archived: Archived = "exclude"
) -> object:
    actor = _actor(request)
    contacts = selectors.visible_contacts(actor)
    if party_id is not None:
        contacts = contacts.filter(party_id=party_id)
    if archived == "exclude":
        contacts = contacts.filter(archived_at__isnull=True)
    elif archived == "only":
        contacts = contacts.filter(archived_at__isnull=False)
    if q:
        contacts = contacts.filter(name__icontains=q[:100]) | contacts.filter(
            phone__icontains=q[:100]
        )
    return contacts.order_by("party_id", "-is_primary", "name", "pk")


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, 403: Error, 404: Error},
    summary="One contact",
    tags=["contacts"],
)
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return _contact(_actor(request), contact_id)


@router.post(
    "/contacts",
    response={201: ContactOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Add a contact to a customer or supplier",
    tags=["contacts"],
)
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[Contact]:
    actor = _actor(request)
    party = get_object_or_404(selectors.visible_any_parties(actor), pk=payload.party_id)
    values = payload.model_dump(exclude={"party_id"})
    contact = services.add_contact(
        org=actor.org, actor=actor, party=party, data=services.ContactData(**values)
    )
    return Status(201, contact)


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Change a contact",
    tags=["contacts"],
)
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    actor = _actor(request)
    contact = _contact(actor, contact_id)
    data = replace(services.ContactData.of(contact), **_changes(payload))  # type: ignore[arg-type]
    return services.update_contact(org=actor.org, actor=actor, contact=contact, data=data)


@router.post(
    "/contacts/{contact_id}/archive",
    response={200: ContactOut, 403: Error, 404: Error, 409: Error},
    summary="Remove a contact (kept in the history)",
    tags=["contacts"],
)
def archive_contact(request: HttpRequest, contact_id: int) -> Contact:
    actor = _actor(request)
    contact = _contact(actor, contact_id)
    return services.archive_contact(org=actor.org, actor=actor, contact=contact)


# ---------------------------------------------------------------------------------------------
# Territories


@router.get(
    "/territories",
    response={200: list[TerritoryOut], 403: Error, 422: Error},
    summary="List territories in tree order",
    tags=["territories"],
)
@paginate(PageNumber)
def list_territories(
    request: HttpRequest, q: str = "", parent_id: int | None = None, archived: Archived = "exclude"
) -> object:
    _actor(request)
    territories = Territory.objects.all()
    if archived == "exclude":
        territories = territories.filter(archived_at__isnull=True)
    elif archived == "only":
        territories = territories.filter(archived_at__isnull=False)
    if parent_id is not None:
        territories = territories.filter(parent_id=parent_id)
    if q:
        territories = territories.filter(name__icontains=q[:100]) | territories.filter(
            code__icontains=q[:100]
        )
    return territories.order_by("path", "pk")


@router.get(
    "/territories/{territory_id}",
    response={200: TerritoryOut, 403: Error, 404: Error},
    summary="One territory",
    tags=["territories"],
)
def get_territory(request: HttpRequest, territory_id: int) -> Territory:
    _actor(request)
    return get_object_or_404(Territory, pk=territory_id)


@router.post(
    "/territories",
    response={201: TerritoryOut, 403: Error, 409: Error, 422: Error},
    summary="Add a territory",
    tags=["territories"],
)
def create_territory(request: HttpRequest, payload: TerritoryIn) -> Status[Territory]:
    actor = _actor(request)
    territory = services.create_territory(
        org=actor.org,
        actor=actor,
        code=payload.code,
        name=payload.name,
        parent_id=payload.parent_id,
    )
    return Status(201, territory)


@router.patch(
    "/territories/{territory_id}",
    response={200: TerritoryOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Rename or move a territory (with everything below it)",
    tags=["territories"],
)
def update_territory(request: HttpRequest, territory_id: int, payload: TerritoryPatch) -> Territory:
    actor = _actor(request)
    territory = get_object_or_404(Territory, pk=territory_id)
    changes = _changes(payload)
    return services.update_territory(
        org=actor.org,
        actor=actor,
        territory=territory,
        code=str(changes.get("code", territory.code)),
        name=str(changes.get("name", territory.name)),
        parent_id=changes["parent_id"] if "parent_id" in changes else territory.parent_id,  # type: ignore[arg-type]
    )


@router.post(
    "/territories/{territory_id}/archive",
    response={200: TerritoryOut, 403: Error, 404: Error, 409: Error},
    summary="Archive a territory no customer uses",
    tags=["territories"],
)
def archive_territory(request: HttpRequest, territory_id: int) -> Territory:
    actor = _actor(request)
    territory = get_object_or_404(Territory, pk=territory_id)
    return services.archive_territory(org=actor.org, actor=actor, territory=territory)
