"""API endpoints for statements of account: staff list, read and issue them and resolve
disputes; a retailer's token lists and reads its own, confirms them or disputes lines. Mounted
by `finance.api`; money travels as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import PlainSerializer

from qudao.core.api import Error, PageNumber
from qudao.finance import services
from qudao.finance.models import (
    DisputeStatus,
    Statement,
    StatementDispute,
    StatementLineKind,
    StatementStatus,
)
from qudao.finance.statements import visible_statements
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm

statement_router = Router(tags=["statements"])

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]


class StatementOut(Schema):
    id: int
    number: str
    customer_id: int
    period_start: date
    period_end: date
    opening_balance: Money
    total_debit: Money
    total_credit: Money
    closing_balance: Money
    prepayment_balance: Money = Field(description="The prepayment balance at the period's end")
    rebate_balance: Money = Field(description="The rebate balance at the period's end")
    status: StatementStatus
    note: str
    issued_at: datetime
    confirmed_at: datetime | None


class StatementLineOut(Schema):
    id: int
    position: int
    date: date
    kind: StatementLineKind
    document_number: str
    description: str
    due_date: date | None
    debit: Money
    credit: Money
    balance: Money


class DisputeOut(Schema):
    id: int
    statement_id: int
    line_id: int
    comment: str
    status: DisputeStatus
    raised_at: datetime
    resolution: str
    resolved_at: datetime | None


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]
    disputes: list[DisputeOut]

    @staticmethod
    def resolve_lines(statement: Statement) -> list[object]:
        return list(statement.lines.all())

    @staticmethod
    def resolve_disputes(statement: Statement) -> list[object]:
        return list(statement.disputes.order_by("raised_at", "pk"))


class StatementIn(Schema):
    customer_id: int
    start: date
    end: date
    note: str = Field("", max_length=300)


class DisputeIn(Schema):
    line_id: int
    comment: str = Field(min_length=1, max_length=500)


class ResolutionIn(Schema):
    resolution: str = Field(min_length=1, max_length=500)


def _viewer(request: HttpRequest) -> Membership:
    """Staff who see finance, or an external user of the portal (narrowed to its own account)."""
    actor: Membership = request.auth  # type: ignore[attr-defined]
    if not can(actor, Perm.USE_PORTAL):
        require_perm(actor, Perm.VIEW_FINANCE)
    return actor


def _statement(actor: Membership, statement_id: int) -> Statement:
    return get_object_or_404(visible_statements(actor), pk=statement_id)


@statement_router.get("/statements", response={200: list[StatementOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_statements(
    request: HttpRequest,
    customer_id: int | None = None,
    status: StatementStatus | None = None,
) -> object:
    """Issued statements, newest period first (a retailer's token: its own only)."""
    statements = visible_statements(_viewer(request))
    if customer_id is not None:
        statements = statements.filter(customer_id=customer_id)
    if status:
        statements = statements.filter(status=status)
    return statements.order_by("-period_end", "-pk")


@statement_router.get(
    "/statements/{statement_id}", response={200: StatementDetailOut, 403: Error, 404: Error}
)
def get_statement(request: HttpRequest, statement_id: int) -> Statement:
    """One statement with its frozen lines and its disputes."""
    return _statement(_viewer(request), statement_id)


@statement_router.post(
    "/statements",
    response={201: StatementDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def issue_statement(request: HttpRequest, payload: StatementIn) -> Status[Statement]:
    """Freeze the customer's statement for the period under a new number."""
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.POST_FINANCE)
    customer = get_object_or_404(visible_customers(actor), pk=payload.customer_id)
    statement = services.issue_statement(
        org=actor.org,
        actor=actor,
        customer=customer,
        start=payload.start,
        end=payload.end,
        note=payload.note,
    )
    return Status(201, statement)


@statement_router.post(
    "/statements/{statement_id}/confirm",
    response={200: StatementOut, 403: Error, 404: Error, 409: Error},
)
def confirm_statement(request: HttpRequest, statement_id: int) -> Statement:
    """The customer (its portal user's token) agrees with the statement."""
    actor = _viewer(request)
    statement = _statement(actor, statement_id)
    return services.confirm_statement(org=actor.org, actor=actor, statement=statement)


@statement_router.post(
    "/statements/{statement_id}/disputes",
    response={201: DisputeOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def dispute_line(
    request: HttpRequest, statement_id: int, payload: DisputeIn
) -> Status[StatementDispute]:
    """The customer objects to one line of the statement, saying why."""
    actor = _viewer(request)
    statement = _statement(actor, statement_id)
    dispute = services.dispute_line(
        org=actor.org,
        actor=actor,
        statement=statement,
        line_id=payload.line_id,
        comment=payload.comment,
    )
    return Status(201, dispute)


@statement_router.post(
    "/statement-disputes/{dispute_id}/resolve",
    response={200: DisputeOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def resolve_dispute(
    request: HttpRequest, dispute_id: int, payload: ResolutionIn
) -> StatementDispute:
    """Finance closes a dispute with what it found or did."""
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.POST_FINANCE)
    dispute = get_object_or_404(
        StatementDispute.objects.filter(statement__in=visible_statements(actor)), pk=dispute_id
    )
    return services.resolve_dispute(
        org=actor.org, actor=actor, dispute=dispute, resolution=payload.resolution
    )
