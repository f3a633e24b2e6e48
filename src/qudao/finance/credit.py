"""Credit reads: the policy that applies to a customer, due dates, credit exposure, the answer
to "can this order be confirmed, and if not why", and the suggested limit with its reasoning.

Nothing here writes; `services.credit` locks the customer and records what these functions
decide.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.core.rows import execute_hot, fetch
from qudao.finance.credit_grades import (
    HALF_MONTH_DAYS,
    LimitSuggestion,
    average_days_late,
    monthly_sales,
    suggest_limit,
)
from qudao.finance.models import (
    BillClearing,
    ClearingKind,
    CommitmentStage,
    CreditCommitment,
    CreditGrade,
    CreditGroupPolicy,
    CreditMode,
    CreditPolicyFields,
    CustomerTerms,
    ExceededAction,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    RebateReservation,
    TemporaryCreditRaise,
    TermKind,
)
from qudao.parties.models import Party

# ---------------------------------------------------------------------------------------------
# The policy


@dataclass(frozen=True)
class CreditPolicy:
    """The policy in force for one customer, and where it came from."""

    source: str  # "customer", "group" or "none"
    mode: str = CreditMode.CREDIT
    credit_limit: Decimal = ZERO
    term_kind: str = TermKind.NET
    payment_term_days: int = 0
    due_day: int = 0
    overdue_tolerance_days: int = 0
    overdue_tolerance_amount: Decimal = ZERO
    on_exceeded: str = ExceededAction.BLOCK
    grade: str = ""
    group: str = ""
    rebate_max_share: Decimal | None = None  # None: the organization's setting

    @property
    def effective_mode(self) -> str:
        """A C grade means prepay only, whatever the mode says."""
        return CreditMode.PREPAY if self.grade == CreditGrade.C else self.mode

    @property
    def mode_label(self) -> str:
        return str(CreditMode(self.effective_mode).label)

    @property
    def term_label(self) -> str:
        """The payment term as a person reads it: 开票后 30 天, 月结 15 天, 次月 10 日."""
        if self.term_kind == TermKind.MONTH_END:
            return _("Month-end + %(days)s days") % {"days": self.payment_term_days}
        if self.term_kind == TermKind.FIXED_DAY:
            return _("Day %(day)s of the next month") % {"day": self.due_day}
        return _("Net %(days)s days") % {"days": self.payment_term_days}

    @property
    def on_exceeded_label(self) -> str:
        return str(ExceededAction(self.on_exceeded).label)


NO_POLICY: Final = CreditPolicy(source="none")


def _policy(row: CreditPolicyFields, source: str, group: str = "") -> CreditPolicy:
    return CreditPolicy(
        source=source,
        mode=row.mode,
        credit_limit=row.credit_limit,
        term_kind=row.term_kind,
        payment_term_days=row.payment_term_days,
        due_day=row.due_day,
        overdue_tolerance_days=row.overdue_tolerance_days,
        overdue_tolerance_amount=row.overdue_tolerance_amount,
        on_exceeded=row.on_exceeded,
        grade=row.grade,
        group=group,
        rebate_max_share=row.rebate_max_share,
    )


def group_label(tier: str, customer_type: str) -> str:
    from qudao.parties.models import CustomerType, Tier

    parts = [
        str(Tier(tier).label) if tier in Tier.values else "",
        str(CustomerType(customer_type).label) if customer_type in CustomerType.values else "",
    ]
    return " · ".join(p for p in parts if p) or _("All customers")


def _best_group(customer: Party, groups: Iterable[CreditGroupPolicy]) -> CreditGroupPolicy | None:
    """The most specific matching group: tier and type, then tier, then type, then everyone."""
    best: tuple[int, CreditGroupPolicy] | None = None
    for group in groups:
        if group.tier not in ("", customer.tier):
            continue
        if group.customer_type not in ("", customer.customer_type):
            continue
        score = (2 if group.tier else 0) + (1 if group.customer_type else 0)
        if best is None or score > best[0]:
            best = (score, group)
    return None if best is None else best[1]


def policy_of(customer: Party) -> CreditPolicy:
    """The customer's own policy, else its group's default, else no credit (limit 0)."""
    mine = "t.org_id = %s AND t.party_id = %s"  # read by hand: every confirmation reads it
    own = next(iter(fetch(CustomerTerms, mine, [customer.org_id, customer.pk])), None)
    if own is not None:
        return _policy(own, "customer")
    groups = CreditGroupPolicy.objects.filter(
        tier__in={"", customer.tier}, customer_type__in={"", customer.customer_type}
    )
    group = _best_group(customer, groups)
    if group is None:
        return NO_POLICY
    return _policy(group, "group", group_label(group.tier, group.customer_type))


def policies_of(customers: Sequence[Party]) -> dict[int, CreditPolicy]:
    """`policy_of` for many customers in two queries."""
    own = {t.party_id: t for t in CustomerTerms.objects.filter(party__in=customers)}
    groups = list(CreditGroupPolicy.objects.all())
    found = {}
    for customer in customers:
        if customer.pk in own:
            found[customer.pk] = _policy(own[customer.pk], "customer")
            continue
        group = _best_group(customer, groups)
        found[customer.pk] = (
            NO_POLICY
            if group is None
            else _policy(group, "group", group_label(group.tier, group.customer_type))
        )
    return found


def due_date_for(policy: CreditPolicy, invoice_date: datetime.date) -> datetime.date:
    """Net N: date + N days; month-end + N: the month's last day + N days; fixed day D: the
    D-th of the following month (the month's last day when it is shorter)."""
    if policy.term_kind == TermKind.MONTH_END:
        last = calendar.monthrange(invoice_date.year, invoice_date.month)[1]
        return invoice_date.replace(day=last) + datetime.timedelta(days=policy.payment_term_days)
    if policy.term_kind == TermKind.FIXED_DAY and policy.due_day:
        year, month = (
            (invoice_date.year + 1, 1)
            if invoice_date.month == 12
            else (invoice_date.year, invoice_date.month + 1)
        )
        day = min(policy.due_day, calendar.monthrange(year, month)[1])
        return datetime.date(year, month, day)
    return invoice_date + datetime.timedelta(days=policy.payment_term_days)


def term_days_on_average(policy: CreditPolicy) -> int:
    if policy.term_kind == TermKind.MONTH_END:
        return HALF_MONTH_DAYS + policy.payment_term_days
    if policy.term_kind == TermKind.FIXED_DAY:
        return HALF_MONTH_DAYS + policy.due_day
    return policy.payment_term_days


# ---------------------------------------------------------------------------------------------
# Exposure


@dataclass(frozen=True)
class CreditExposure:
    """What counts against the limit (信用占用), part by part."""

    confirmed_orders: Decimal = ZERO
    shipped_not_invoiced: Decimal = ZERO
    invoiced_unpaid: Decimal = ZERO
    bills_not_cleared: Decimal = ZERO
    unallocated_prepayments: Decimal = ZERO
    rebate_reserved: Decimal = ZERO  # what open orders will pay from the rebate account

    @property
    def total(self) -> Decimal:
        return (
            self.confirmed_orders
            + self.shipped_not_invoiced
            + self.invoiced_unpaid
            + self.bills_not_cleared
            - self.unallocated_prepayments
            - self.rebate_reserved
        )


def _money(value: object) -> Decimal:
    return quantize(Decimal(str(value or 0)))


# Every figure of a customer's credit in one hand-written statement: it runs on each order
# confirmation, right after the customer row is locked, so it is built once, not per call.
# Each part is a subquery on the customer's own rows (their customer indexes serve them).
_COMMITMENTS: Final = CreditCommitment._meta.db_table
_INVOICES: Final = Invoice._meta.db_table
_PAYMENTS: Final = Payment._meta.db_table
_CLEARINGS: Final = BillClearing._meta.db_table
_REBATES: Final = RebateReservation._meta.db_table
_RAISES: Final = TemporaryCreditRaise._meta.db_table
_FIGURES_SQL: Final = f"""
SELECT
  (SELECT COALESCE(SUM(k.amount), 0) FROM {_COMMITMENTS} k
    WHERE k.org_id = %(org)s AND k.customer_id = %(customer)s AND k.stage = %(confirmed)s
      AND k.reference <> %(reference)s) AS confirmed,
  (SELECT COALESCE(SUM(k.amount), 0) FROM {_COMMITMENTS} k
    WHERE k.org_id = %(org)s AND k.customer_id = %(customer)s AND k.stage = %(shipped)s)
    AS shipped,
  (SELECT COALESCE(SUM(i.total - i.amount_paid - i.amount_credited), 0) FROM {_INVOICES} i
    WHERE i.org_id = %(org)s AND i.customer_id = %(customer)s AND i.kind = %(invoice_kind)s
      AND i.status = %(posted)s) AS invoiced,
  (SELECT COALESCE(SUM(p.amount), 0) FROM {_PAYMENTS} p
    WHERE p.org_id = %(org)s AND p.customer_id = %(customer)s AND p.method = %(bill)s
      AND NOT EXISTS (SELECT 1 FROM {_CLEARINGS} b WHERE b.payment_id = p.id
        AND (b.kind = %(matured)s OR p.bill_maturity < %(today)s))) AS bills,
  (SELECT COALESCE(SUM(p.amount - p.amount_allocated), 0) FROM {_PAYMENTS} p
    WHERE p.org_id = %(org)s AND p.customer_id = %(customer)s) AS unallocated,
  (SELECT COALESCE(SUM(r.amount), 0) FROM {_REBATES} r
    WHERE r.org_id = %(org)s AND r.customer_id = %(customer)s
      AND (r.reference = %(reference)s OR EXISTS (
        SELECT 1 FROM {_COMMITMENTS} k WHERE k.org_id = r.org_id AND k.reference = r.reference
      ))) AS rebate_reserved,
  (SELECT COALESCE(SUM(t.amount), 0) FROM {_RAISES} t
    WHERE t.org_id = %(org)s AND t.customer_id = %(customer)s AND t.starts_on <= %(today)s
      AND t.expires_on >= %(today)s AND t.revoked_at IS NULL) AS raised,
  (SELECT COALESCE(SUM(i.total - i.amount_paid - i.amount_credited), 0) FROM {_INVOICES} i
    WHERE i.org_id = %(org)s AND i.customer_id = %(customer)s AND i.kind = %(invoice_kind)s
      AND i.status = %(posted)s AND i.due_date < %(today)s) AS overdue,
  (SELECT COALESCE(SUM(i.total - i.amount_paid - i.amount_credited), 0) FROM {_INVOICES} i
    WHERE i.org_id = %(org)s AND i.customer_id = %(customer)s AND i.kind = %(invoice_kind)s
      AND i.status = %(posted)s AND i.due_date < %(beyond)s) AS beyond
"""  # noqa: S608 - table names only; every value is a parameter
_FIGURE_NAMES: Final = (
    "confirmed",
    "shipped",
    "invoiced",
    "bills",
    "unallocated",
    "rebate_reserved",
    "raised",
    "overdue",
    "beyond",
)


def _figures(
    customer: Party,
    *,
    reference: str = "",
    today: datetime.date | None = None,
    grace_days: int = 0,
) -> dict[str, Decimal]:
    """The customer's credit figures now, in one query:

    - confirmed / shipped: open orders by stage (`reference`, the order being checked, left
      out: its amount is counted in full by the caller);
    - invoiced: what is open on posted invoices; overdue: of it, past due on `today`; beyond:
      more than `grace_days` past due;
    - bills: acceptance bills received and not yet paid by the bank, even past maturity; one
      discounted at a bank or endorsed to a supplier counts until its maturity (we keep
      recourse until then: `BillClearing.ends_exposure`);
    - unallocated: money received and not yet allocated (a payment credits the receivable in
      full when posted);
    - rebate_reserved: the rebate the open orders counted above will pay with (and that of
      `reference`: a draft's reservation counts only for itself);
    - raised: the temporary raises in force on `today` (start and expiry days included)."""
    today = today or timezone.localdate()
    params = {
        "org": customer.org_id,
        "customer": customer.pk,
        "reference": reference,
        "confirmed": CommitmentStage.CONFIRMED.value,
        "shipped": CommitmentStage.SHIPPED.value,
        "invoice_kind": InvoiceKind.INVOICE.value,
        "posted": InvoiceStatus.POSTED.value,
        "bill": PaymentMethod.ACCEPTANCE_BILL.value,
        "matured": ClearingKind.MATURED.value,
        "today": today,
        "beyond": today - datetime.timedelta(days=grace_days),
    }
    with connection.cursor() as cursor:
        execute_hot(cursor, _FIGURES_SQL, params)
        row = cursor.fetchone()
    return {name: _money(value) for name, value in zip(_FIGURE_NAMES, row, strict=True)}


def _exposure(figures: dict[str, Decimal]) -> CreditExposure:
    return CreditExposure(
        confirmed_orders=figures["confirmed"],
        shipped_not_invoiced=figures["shipped"],
        invoiced_unpaid=figures["invoiced"],
        bills_not_cleared=figures["bills"],
        unallocated_prepayments=figures["unallocated"],
        rebate_reserved=figures["rebate_reserved"],
    )


def credit_exposure(
    customer: Party, *, today: datetime.date | None = None, exclude_reference: str = ""
) -> CreditExposure:
    """Open orders by stage, open invoices, acceptance bills not yet cleared, minus money
    received and not yet allocated (a payment credits the receivable in full when posted) and
    minus the rebate open orders will pay with (theirs, and that of `exclude_reference`, the
    order being checked: its amount is counted in full)."""
    return _exposure(_figures(customer, reference=exclude_reference, today=today))


def overdue_amount(customer: Party, *, today: datetime.date, grace_days: int = 0) -> Decimal:
    """What is still open on invoices more than `grace_days` past their due date."""
    return _figures(customer, today=today, grace_days=grace_days)["beyond"]


def temporary_raise(customer: Party, *, today: datetime.date) -> Decimal:
    """The sum of the raises in force today (starts and expiry days included)."""
    return _figures(customer, today=today)["raised"]


# ---------------------------------------------------------------------------------------------
# The decision


@dataclass(frozen=True)
class CreditProblem:
    code: str
    message: str


@dataclass(frozen=True)
class CreditDecision:
    """The answer to "can this order be confirmed", with every number behind it."""

    allowed: bool
    code: str  # "" when allowed; else the refusal's code
    message: str
    customer_id: int
    amount: Decimal
    mode: str
    on_exceeded: str
    credit_limit: Decimal
    temporary_raise: Decimal
    exposure: CreditExposure
    overdue: Decimal
    overdue_beyond_tolerance: Decimal
    problems: tuple[CreditProblem, ...] = ()
    warnings: tuple[str, ...] = ()
    policy_source: str = "none"

    @property
    def effective_limit(self) -> Decimal:
        if self.mode == CreditMode.PREPAY:
            return ZERO
        return self.credit_limit + self.temporary_raise

    @property
    def available(self) -> Decimal:
        """What more the customer may order now (before this order)."""
        return self.effective_limit - self.exposure.total

    @property
    def exposure_after(self) -> Decimal:
        return self.exposure.total + self.amount

    @property
    def requires_approval(self) -> bool:
        return self.code == "approval_required"


def _every(problems: Sequence[CreditProblem]) -> str:
    """Each problem's sentence, in order: a refusal names all of them, not only the first."""
    return " ".join(problem.message for problem in problems)


def decide(
    *,
    customer: Party,
    policy: CreditPolicy,
    exposure: CreditExposure,
    amount: Decimal,
    raised: Decimal,
    overdue: Decimal,
    overdue_beyond_tolerance: Decimal,
) -> CreditDecision:
    """Apply the policy to the numbers (pure: the tests drive it with any numbers)."""
    mode = policy.effective_mode
    limit = ZERO if mode == CreditMode.PREPAY else policy.credit_limit + raised
    after = exposure.total + amount
    names = {
        "name": customer.name,
        "amount": amount,
        "limit": limit,
        "exposure": exposure.total,
        "available": limit - exposure.total,
        "prepaid": exposure.unallocated_prepayments,
        "overdue": overdue_beyond_tolerance,
        "tolerance": policy.overdue_tolerance_amount,
        "days": policy.overdue_tolerance_days,
        "short": after,
    }
    hard: list[CreditProblem] = []
    soft: list[CreditProblem] = []
    if mode == CreditMode.PREPAY:
        if after > 0:
            hard.append(
                CreditProblem(
                    "prepay_only",
                    _(
                        "%(name)s pays in advance: this order of %(amount)s needs %(short)s "
                        "more prepaid (unallocated prepayments %(prepaid)s, already owed or "
                        "ordered %(exposure)s)."
                    )
                    % names,
                )
            )
    else:
        if overdue_beyond_tolerance > policy.overdue_tolerance_amount:
            soft.append(
                CreditProblem(
                    "overdue_blocked",
                    _(
                        "%(name)s has %(overdue)s overdue by more than %(days)s days, above "
                        "the tolerated %(tolerance)s."
                    )
                    % names,
                )
            )
        if mode != CreditMode.CASH_ON_DELIVERY and after > limit:
            soft.append(
                CreditProblem(
                    "credit_limit_exceeded",
                    _(
                        "The credit limit of %(name)s would be exceeded: limit %(limit)s, "
                        "already used %(exposure)s, this order %(amount)s, available "
                        "%(available)s."
                    )
                    % names,
                )
            )
    problems = tuple(hard + soft)
    allowed, code, message, warnings = True, "", "", ()
    # The code is the first problem's (stable for the API); the message names every one.
    if hard or (soft and policy.on_exceeded == ExceededAction.BLOCK):
        allowed, code, message = False, problems[0].code, _every(problems)
    elif soft and policy.on_exceeded == ExceededAction.APPROVE:
        allowed, code = False, "approval_required"
        message = _("This order needs credit approval: %(why)s") % {"why": _every(soft)}
    elif soft:
        warnings = tuple(p.message for p in soft)
    return CreditDecision(
        allowed=allowed,
        code=code,
        message=message,
        customer_id=customer.pk,
        amount=amount,
        mode=mode,
        on_exceeded=policy.on_exceeded,
        credit_limit=policy.credit_limit,
        temporary_raise=raised,
        exposure=exposure,
        overdue=overdue,
        overdue_beyond_tolerance=overdue_beyond_tolerance,
        problems=problems,
        warnings=warnings,
        policy_source=policy.source,
    )


def can_confirm(
    *,
    customer: Party,
    amount: Decimal,
    reference: str = "",
    today: datetime.date | None = None,
) -> CreditDecision:
    """Read-only: would an order of `amount` pass now, and if not, why (nothing is locked)."""
    today = today or timezone.localdate()
    policy = policy_of(customer)
    figures = _figures(  # every number in one query
        customer, reference=reference, today=today, grace_days=policy.overdue_tolerance_days
    )
    return decide(
        customer=customer,
        policy=policy,
        exposure=_exposure(figures),
        amount=amount,
        raised=figures["raised"],
        overdue=figures["overdue"],
        overdue_beyond_tolerance=figures["beyond"],
    )


# ---------------------------------------------------------------------------------------------
# The suggested limit (the arithmetic lives in credit_grades.py)


def limit_suggestion(customer: Party, *, today: datetime.date | None = None) -> LimitSuggestion:
    """`suggest_limit` fed from the customer's invoices, payments and current exposure."""
    today = today or timezone.localdate()
    policy = policy_of(customer)
    limit = policy.credit_limit + temporary_raise(customer, today=today)
    exposure = credit_exposure(customer, today=today).total
    utilisation = (
        (max(exposure, ZERO) / limit).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if limit > 0
        else None
    )
    return suggest_limit(
        monthly_sales=monthly_sales(customer, today=today),
        term_days=term_days_on_average(policy),
        grade=policy.grade,
        average_days_late=average_days_late(customer, today=today),
        utilisation=utilisation,
    )


@dataclass(frozen=True)
class CreditStatus:
    """Everything a credit page or `GET /credit/{id}` shows for one customer."""

    customer: Party
    policy: CreditPolicy
    decision: CreditDecision  # for an order of 0: the state of the account now
    suggestion: LimitSuggestion
    raises: tuple[TemporaryCreditRaise, ...]
    commitments: tuple[CreditCommitment, ...]


def credit_status(customer: Party, *, today: datetime.date | None = None) -> CreditStatus:
    today = today or timezone.localdate()
    return CreditStatus(
        customer=customer,
        policy=policy_of(customer),
        decision=can_confirm(customer=customer, amount=ZERO, today=today),
        suggestion=limit_suggestion(customer, today=today),
        raises=tuple(
            TemporaryCreditRaise.objects.filter(customer=customer, expires_on__gte=today)
            .select_related("created_by__user")
            .order_by("starts_on", "pk")
        ),
        commitments=tuple(
            CreditCommitment.objects.filter(customer=customer).order_by("reference", "stage")
        ),
    )
