"""API endpoints for who I am, my organizations, members and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from qudao.core.api import Error, PageNumber
from qudao.tenancy import selectors, services
from qudao.tenancy.models import ApiToken, Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm, Role

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    name: str
    code: str
    currency: str
    timezone: str


class MembershipOut(Schema):
    id: int
    organization: OrganizationOut
    role: Role
    party_id: int | None
    is_active: bool

    @staticmethod
    def resolve_organization(obj: Membership) -> Organization:
        return obj.org


class MeOut(Schema):
    username: str
    display_name: str
    email: str
    membership: MembershipOut
    permissions: list[str]


class MemberOut(Schema):
    id: int
    username: str = Field(alias="user.username")
    display_name: str = Field(alias="user.display_name")
    role: Role
    party_id: int | None
    is_active: bool
    created_at: datetime


class MemberIn(Schema):
    username: str = Field(min_length=3, max_length=150, pattern=r"^[\w.@+-]+$")
    display_name: str = Field("", max_length=100)
    role: Role
    password: str = Field("", max_length=128)
    email: str = Field("", max_length=254)
    party_id: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class NewTokenOut(TokenOut):
    key: str


@router.get("/me", response=MeOut, summary="Who I am, in which organization and role")
def me(request: HttpRequest) -> dict[str, object]:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    user = membership.user
    return {
        "username": user.username,
        "display_name": str(user),
        "email": user.email,
        "membership": membership,
        "permissions": sorted(p.value for p in Perm if can(membership, p)),
    }


@router.get("/organizations", response=list[MembershipOut], summary="My organizations")
def organizations(request: HttpRequest) -> list[Membership]:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return list(selectors.memberships_of(membership.user))


@router.get("/members", response={200: list[MemberOut], 403: Error}, summary="Members")
@paginate(PageNumber)
def list_members(request: HttpRequest, q: str = "") -> object:
    require_perm(request.auth, Perm.VIEW_MEMBERS)  # type: ignore[attr-defined]
    return selectors.members(org=request.auth.org, search=q).order_by("pk")  # type: ignore[attr-defined]


@router.post(
    "/members",
    response={201: MemberOut, 403: Error, 409: Error, 422: Error},
    summary="Add a member",
)
def add_member(request: HttpRequest, payload: MemberIn) -> Status:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    membership = services.add_member(
        org=actor.org, actor=actor, new=services.NewMember(**payload.model_dump())
    )
    return Status(201, membership)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.tokens_of(request.auth))  # type: ignore[arg-type]


@router.post(
    "/tokens",
    response={201: NewTokenOut, 403: Error, 409: Error, 422: Error},
    summary="Issue an API token (the key is shown once)",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    token, raw = services.issue_api_token(org=actor.org, actor=actor, name=payload.name)
    out = TokenOut.model_validate(token, from_attributes=True)
    return Status(201, NewTokenOut(**out.model_dump(), key=raw))


@router.delete(
    "/tokens/{token_id}",
    response={200: TokenOut, 403: Error, 404: Error},
    summary="Revoke an API token",
)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    token = get_object_or_404(ApiToken, pk=token_id)
    return services.revoke_api_token(org=actor.org, actor=actor, token=token)
