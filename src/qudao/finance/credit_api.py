"""API endpoints for credit: a customer's limit, exposure and suggested limit, a credit check
for a hypothetical order, the policy, temporary raises and overrides. Mounted by
`finance.api`; money travels as decimal strings."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import PlainSerializer

from qudao.core.api import Error
from qudao.finance import credit, services
from qudao.finance.credit import CreditDecision, CreditStatus
from qudao.finance.models import (
    CreditGrade,
    CreditMode,
    ExceededAction,
    TemporaryCreditRaise,
    TermKind,
)
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

credit_router = Router(tags=["credit"])

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
Plain = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str)]


class ExposureOut(Schema):
    confirmed_orders: Money
    shipped_not_invoiced: Money
    invoiced_unpaid: Money
    bills_not_cleared: Money
    unallocated_prepayments: Money
    rebate_reserved: Money
    total: Money


class ProblemOut(Schema):
    code: str
    message: str


class DecisionOut(Schema):
    allowed: bool
    code: str
    message: str
    requires_approval: bool
    amount: Money
    mode: str
    on_exceeded: str
    credit_limit: Money
    temporary_raise: Money
    effective_limit: Money
    exposure: ExposureOut
    exposure_after: Money
    available: Money
    overdue: Money
    overdue_beyond_tolerance: Money
    problems: list[ProblemOut]
    warnings: list[str]


class PolicyOut(Schema):
    source: str
    group: str
    mode: CreditMode
    credit_limit: Money
    term_kind: TermKind
    payment_term_days: int
    due_day: int
    overdue_tolerance_days: int
    overdue_tolerance_amount: Money
    on_exceeded: ExceededAction
    grade: str
    rebate_max_share: Plain | None


class SuggestionOut(Schema):
    amount: Money
    average_monthly_sales: Money
    term_months: Plain
    grade_coefficient: Plain
    factors: dict[str, Plain]
    reasons: list[str]


class RaiseOut(Schema):
    id: int
    amount: Money
    starts_on: date
    expires_on: date
    reason: str
    revoked: bool

    @staticmethod
    def resolve_revoked(granted: TemporaryCreditRaise) -> bool:
        return granted.revoked_at is not None


class CreditOut(Schema):
    customer_id: int
    policy: PolicyOut
    limit: Money
    temporary_raise: Money
    effective_limit: Money
    exposure: ExposureOut
    available: Money
    overdue: Money
    grade: str
    suggested_limit: SuggestionOut
    raises: list[RaiseOut]


class CheckIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    reference: str = Field("", max_length=100)


class PolicyIn(Schema):
    mode: CreditMode
    credit_limit: Decimal = Field(..., ge=0, max_digits=18, decimal_places=2)
    term_kind: TermKind = TermKind.NET
    payment_term_days: int = Field(0, ge=0, le=365)
    due_day: int = Field(0, ge=0, le=31)
    overdue_tolerance_days: int = Field(0, ge=0, le=365)
    overdue_tolerance_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=2)
    on_exceeded: ExceededAction = ExceededAction.BLOCK
    grade: CreditGrade | None = None
    rebate_max_share: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)


class RaiseIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    starts_on: date
    expires_on: date
    reason: str = Field(..., max_length=300)


class OverrideIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    reference: str = Field(..., min_length=1, max_length=100)
    reason: str = Field(..., max_length=300)


def _exposure(decision: CreditDecision) -> dict[str, Decimal]:
    e = decision.exposure
    return {
        "confirmed_orders": e.confirmed_orders,
        "shipped_not_invoiced": e.shipped_not_invoiced,
        "invoiced_unpaid": e.invoiced_unpaid,
        "bills_not_cleared": e.bills_not_cleared,
        "unallocated_prepayments": e.unallocated_prepayments,
        "rebate_reserved": e.rebate_reserved,
        "total": e.total,
    }


def decision_out(decision: CreditDecision) -> dict[str, object]:
    return {
        "allowed": decision.allowed,
        "code": decision.code,
        "message": decision.message,
        "requires_approval": decision.requires_approval,
        "amount": decision.amount,
        "mode": decision.mode,
        "on_exceeded": decision.on_exceeded,
        "credit_limit": decision.credit_limit,
        "temporary_raise": decision.temporary_raise,
        "effective_limit": decision.effective_limit,
        "exposure": _exposure(decision),
        "exposure_after": decision.exposure_after,
        "available": decision.available,
        "overdue": decision.overdue,
        "overdue_beyond_tolerance": decision.overdue_beyond_tolerance,
        "problems": [{"code": p.code, "message": p.message} for p in decision.problems],
        "warnings": list(decision.warnings),
    }


def credit_out(status: CreditStatus) -> dict[str, object]:
    decision, policy, suggestion = status.decision, status.policy, status.suggestion
    return {
        "customer_id": status.customer.pk,
        "policy": {
            "source": policy.source,
            "group": policy.group,
            "mode": policy.mode,
            "credit_limit": policy.credit_limit,
            "term_kind": policy.term_kind,
            "payment_term_days": policy.payment_term_days,
            "due_day": policy.due_day,
            "overdue_tolerance_days": policy.overdue_tolerance_days,
            "overdue_tolerance_amount": policy.overdue_tolerance_amount,
            "on_exceeded": policy.on_exceeded,
            "grade": policy.grade,
            "rebate_max_share": policy.rebate_max_share,
        },
        "limit": decision.credit_limit,
        "temporary_raise": decision.temporary_raise,
        "effective_limit": decision.effective_limit,
        "exposure": _exposure(decision),
        "available": decision.available,
        "overdue": decision.overdue,
        "grade": policy.grade,
        "suggested_limit": {
            "amount": suggestion.amount,
            "average_monthly_sales": suggestion.average_monthly_sales,
            "term_months": suggestion.term_months,
            "grade_coefficient": suggestion.grade_coefficient,
            "factors": dict(suggestion.factors),
            "reasons": list(suggestion.reasons),
        },
        "raises": list(status.raises),
    }


def _actor(request: HttpRequest, perm: Perm = Perm.VIEW_FINANCE) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, perm)
    return actor


def _customer(actor: Membership, customer_id: int) -> Party:
    """Sales reps reach only their own customers; another org's id is a 404 too."""
    return get_object_or_404(visible_customers(actor), pk=customer_id)


@credit_router.get(
    "/credit/{customer_id}", response={200: CreditOut, 403: Error, 404: Error}, tags=["credit"]
)
def get_credit(request: HttpRequest, customer_id: int) -> dict[str, object]:
    """Limit, exposure by part, available, overdue, grade and the suggested limit, reasoned."""
    customer = _customer(_actor(request), customer_id)
    return credit_out(credit.credit_status(customer))


@credit_router.post(
    "/credit/{customer_id}/check",
    response={200: DecisionOut, 403: Error, 404: Error, 422: Error},
    tags=["credit"],
)
def check_credit(request: HttpRequest, customer_id: int, payload: CheckIn) -> dict[str, object]:
    """Would an order of `amount` pass now, and if not why; reserves nothing."""
    customer = _customer(_actor(request), customer_id)
    return decision_out(
        credit.can_confirm(customer=customer, amount=payload.amount, reference=payload.reference)
    )


@credit_router.put(
    "/credit/{customer_id}/policy",
    response={200: CreditOut, 403: Error, 404: Error, 409: Error, 422: Error},
    tags=["credit"],
)
def put_policy(request: HttpRequest, customer_id: int, payload: PolicyIn) -> dict[str, object]:
    actor = _actor(request, Perm.MANAGE_CREDIT)
    customer = _customer(actor, customer_id)
    data = payload.dict()
    data["grade"] = data["grade"] or ""
    services.set_credit_policy(
        org=actor.org, actor=actor, customer=customer, data=services.PolicyData(**data)
    )
    return credit_out(credit.credit_status(customer))


@credit_router.post(
    "/credit/{customer_id}/raises",
    response={201: RaiseOut, 403: Error, 404: Error, 409: Error, 422: Error},
    tags=["credit"],
)
def create_raise(
    request: HttpRequest, customer_id: int, payload: RaiseIn
) -> Status[TemporaryCreditRaise]:
    actor = _actor(request, Perm.MANAGE_CREDIT)
    customer = _customer(actor, customer_id)
    granted = services.grant_temporary_raise(
        org=actor.org,
        actor=actor,
        customer=customer,
        amount=payload.amount,
        starts_on=payload.starts_on,
        expires_on=payload.expires_on,
        reason=payload.reason,
    )
    return Status(201, granted)


@credit_router.post(
    "/credit/{customer_id}/override",
    response={200: DecisionOut, 403: Error, 404: Error, 409: Error, 422: Error},
    tags=["credit"],
)
def override(request: HttpRequest, customer_id: int, payload: OverrideIn) -> dict[str, object]:
    """Reserve credit despite a refusal, with a reason (MANAGE_CREDIT; audited)."""
    actor = _actor(request, Perm.MANAGE_CREDIT)
    customer = _customer(actor, customer_id)
    return decision_out(
        services.override_credit(
            org=actor.org,
            actor=actor,
            customer=customer,
            amount=payload.amount,
            reference=payload.reference,
            reason=payload.reason,
        )
    )
