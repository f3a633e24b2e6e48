"""Credit grades and the suggested limit: average monthly sales × term in months × grade
coefficient, adjusted by payment behaviour (days late, utilisation, sales trend), with the
reasoning in plain words. `suggest_limit` is pure; the two readers feed it from the books."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import F
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.finance.models import Allocation, CreditGrade, Invoice, InvoiceKind, InvoiceStatus
from qudao.parties.models import Party

# A grade multiplies the suggested limit; C customers get no credit at all.
GRADE_COEFFICIENTS: Final[dict[str, Decimal]] = {
    CreditGrade.AAA: Decimal("1.5"),
    CreditGrade.AA: Decimal("1.2"),
    CreditGrade.A: Decimal("1.0"),
    CreditGrade.B: Decimal("0.6"),
    CreditGrade.C: Decimal("0"),
}
UNGRADED_COEFFICIENT: Final = Decimal("1.0")
SALES_MONTHS: Final = 6
DAYS_PER_MONTH: Final = Decimal(30)
HALF_MONTH_DAYS: Final = 15  # month-end and fixed-day terms wait half a month on average
BEHAVIOUR_WINDOW_DAYS: Final = 365

# ---------------------------------------------------------------------------------------------
# Grades and the suggested limit


@dataclass(frozen=True)
class LimitSuggestion:
    """Average monthly sales × term in months × grade coefficient × behaviour factors."""

    amount: Decimal
    average_monthly_sales: Decimal
    term_months: Decimal
    grade_coefficient: Decimal
    factors: tuple[tuple[str, Decimal], ...]
    reasons: tuple[str, ...] = field(default=())


def _late_factor(days_late: Decimal | None) -> Decimal:
    if days_late is None or days_late <= 0:
        return Decimal("1.00")
    if days_late <= 15:
        return Decimal("0.90")
    if days_late <= 30:
        return Decimal("0.75")
    return Decimal("0.50")


def _utilisation_factor(utilisation: Decimal | None) -> Decimal:
    if utilisation is None:
        return Decimal("1.00")
    if utilisation >= Decimal("0.9"):
        return Decimal("1.10")
    if utilisation < Decimal("0.3"):
        return Decimal("0.90")
    return Decimal("1.00")


def _trend_factor(trend: Decimal | None) -> Decimal:
    if trend is None:
        return Decimal("1.00")
    if trend >= Decimal("1.2"):
        return Decimal("1.10")
    if trend <= Decimal("0.8"):
        return Decimal("0.90")
    return Decimal("1.00")


def suggest_limit(
    *,
    monthly_sales: Sequence[Decimal],
    term_days: int,
    grade: str,
    average_days_late: Decimal | None,
    utilisation: Decimal | None,
) -> LimitSuggestion:
    """The suggested limit from plain numbers; `monthly_sales` oldest month first."""
    months = len(monthly_sales) or 1
    average = quantize(sum(monthly_sales, ZERO) / months)
    term_months = (Decimal(term_days) / DAYS_PER_MONTH).quantize(Decimal("0.01"), ROUND_HALF_UP)
    coefficient = GRADE_COEFFICIENTS.get(grade, UNGRADED_COEFFICIENT)
    half = len(monthly_sales) // 2
    earlier = sum(monthly_sales[:half], ZERO)
    later = sum(monthly_sales[half:], ZERO)
    trend = (later / earlier).quantize(Decimal("0.01"), ROUND_HALF_UP) if earlier > 0 else None
    factors = (
        ("days_late", _late_factor(average_days_late)),
        ("utilisation", _utilisation_factor(utilisation)),
        ("trend", _trend_factor(trend)),
    )
    product = average * term_months * coefficient
    for _name, factor in factors:
        product *= factor
    amount = quantize(product.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    reasons = [
        _("Average monthly sales over the last %(months)s months: %(average)s.")
        % {"months": months, "average": average},
        _("Payment term of %(days)s days on average: %(term)s months.")
        % {"days": term_days, "term": term_months},
        (
            _("Grade %(grade)s: coefficient %(coefficient)s.")
            % {"grade": grade, "coefficient": coefficient}
            if grade
            else _("No grade yet: coefficient %(coefficient)s.") % {"coefficient": coefficient}
        ),
        (
            _("No payment history: factor %(factor)s.") % {"factor": factors[0][1]}
            if average_days_late is None
            else _("Pays %(days)s days late on average: factor %(factor)s.")
            % {"days": average_days_late, "factor": factors[0][1]}
        ),
        (
            _("No current limit to measure utilisation: factor %(factor)s.")
            % {"factor": factors[1][1]}
            if utilisation is None
            else _("Uses %(percent)s%% of the current limit: factor %(factor)s.")
            % {
                "percent": (utilisation * 100).quantize(Decimal("1"), ROUND_HALF_UP),
                "factor": factors[1][1],
            }
        ),
        (
            _("No earlier sales to compare: factor %(factor)s.") % {"factor": factors[2][1]}
            if trend is None
            else _("Recent sales are %(trend)s times the earlier months: factor %(factor)s.")
            % {"trend": trend, "factor": factors[2][1]}
        ),
        _(
            "Suggested limit: %(average)s × %(term)s × %(coefficient)s × %(late)s × "
            "%(utilisation)s × %(trend)s = %(amount)s."
        )
        % {
            "average": average,
            "term": term_months,
            "coefficient": coefficient,
            "late": factors[0][1],
            "utilisation": factors[1][1],
            "trend": factors[2][1],
            "amount": amount,
        },
    ]
    if grade == CreditGrade.C:
        reasons.append(_("Grade C customers pay in advance: no credit is suggested."))
    return LimitSuggestion(
        amount=amount,
        average_monthly_sales=average,
        term_months=term_months,
        grade_coefficient=coefficient,
        factors=factors,
        reasons=tuple(reasons),
    )


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def monthly_sales(customer: Party, *, today: datetime.date) -> list[Decimal]:
    """Invoiced minus credited, per calendar month, for the full months before this one."""
    start = _month_start(today, SALES_MONTHS)
    end = _month_start(today, 0)
    totals = [ZERO] * SALES_MONTHS
    rows = Invoice.objects.filter(
        customer=customer, status__in=[InvoiceStatus.POSTED, InvoiceStatus.CANCELLED]
    ).filter(date__gte=start, date__lt=end, posted_at__isnull=False)
    for kind, date, total in rows.values_list("kind", "date", "total"):
        index = (date.year - start.year) * 12 + date.month - start.month
        totals[index] += -total if kind == InvoiceKind.CREDIT_NOTE else total
    return [quantize(t) for t in totals]


def average_days_late(customer: Party, *, today: datetime.date) -> Decimal | None:
    """Days from due date to payment, weighted by amount (early counts as 0); what is still
    open past due counts up to today."""
    since = today - datetime.timedelta(days=BEHAVIOUR_WINDOW_DAYS)
    weighted = ZERO
    weight = ZERO
    paid = Allocation.objects.filter(
        invoice__customer=customer, payment__date__gte=since, invoice__due_date__isnull=False
    ).values_list("amount", "payment__date", "invoice__due_date")
    for amount, paid_on, due in paid:
        weighted += amount * max((paid_on - due).days, 0)
        weight += amount
    still_open = (
        Invoice.objects.filter(
            customer=customer,
            kind=InvoiceKind.INVOICE,
            status=InvoiceStatus.POSTED,
            due_date__lt=today,
        )
        .filter(total__gt=F("amount_paid") + F("amount_credited"))
        .values_list("total", "amount_paid", "amount_credited", "due_date")
    )
    for total, amount_paid, credited, due in still_open:
        left = total - amount_paid - credited
        weighted += left * (today - due).days
        weight += left
    if weight <= 0:
        return None
    return (weighted / weight).quantize(Decimal("0.1"), ROUND_HALF_UP)
