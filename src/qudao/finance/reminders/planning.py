"""Which reminders are due: for each open invoice, the latest step of its customer's schedule
whose day (due date + offset) has come within the catch-up window and that it has not had yet.
Invoices are read in one query, schedules and claims in one each; grouping is in memory."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Protocol, TypeVar

from django.db.models import F

from qudao.core.money import ZERO
from qudao.finance.models import (
    HALF_FEN,
    CustomerReminderSettings,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    ReminderLogItem,
    ReminderSchedule,
    ReminderStep,
)
from qudao.finance.reminders.rendering import ReminderInvoice

# A run missed for up to this many days still sends its steps; older steps are not sent late.
CATCH_UP_DAYS: Final = 7


class _Group(Protocol):
    tier: str
    customer_type: str


G = TypeVar("G", bound=_Group)


def best_group(tier: str, customer_type: str, groups: Iterable[G]) -> G | None:
    """The most specific matching group: tier and type, then tier, then type, then everyone."""
    best: tuple[int, G] | None = None
    for group in groups:
        if group.tier not in ("", tier) or group.customer_type not in ("", customer_type):
            continue
        score = (2 if group.tier else 0) + (1 if group.customer_type else 0)
        if best is None or score > best[0]:
            best = (score, group)
    return None if best is None else best[1]


@dataclass
class ReminderBatch:
    """One message due today: one customer, one step, the invoices it names."""

    customer_id: int
    customer_name: str
    rep: str
    step: ReminderStep
    invoices: list[ReminderInvoice] = field(default_factory=list)
    settings: CustomerReminderSettings | None = None

    @property
    def total(self) -> Decimal:
        return sum((invoice.open_amount for invoice in self.invoices), ZERO)


def step_due(
    steps: Sequence[ReminderStep], due_date: datetime.date, today: datetime.date
) -> ReminderStep | None:
    """The latest step whose day has come, if it came within the catch-up window."""
    latest = None
    for step in steps:  # ordered by offset
        day = due_date + datetime.timedelta(days=step.offset_days)
        if day <= today:
            latest = (step, day)
    if latest is None or (today - latest[1]).days >= CATCH_UP_DAYS:
        return None
    return latest[0]


def due_reminders(
    *, today: datetime.date, customer_ids: Sequence[int] | None = None
) -> list[ReminderBatch]:
    """The reminders to send today, by customer and step (paused customers left out)."""
    schedules = list(
        ReminderSchedule.objects.filter(is_active=True).prefetch_related("steps").order_by("pk")
    )
    steps_of = {s.pk: list(s.steps.all()) for s in schedules}
    offsets = [step.offset_days for steps in steps_of.values() for step in steps]
    if not offsets:
        return []
    latest_due = today - datetime.timedelta(days=min(offsets))
    earliest_due = today - datetime.timedelta(days=max(offsets) + CATCH_UP_DAYS)
    invoices = Invoice.objects.filter(
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.POSTED,
        due_date__gte=earliest_due,
        due_date__lte=latest_due,
        total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN,
    ).exclude(customer__in=CustomerReminderSettings.objects.filter(paused=True).values("party"))
    if customer_ids is not None:
        invoices = invoices.filter(customer_id__in=customer_ids)
    rows = invoices.order_by("customer_id", "due_date", "pk").values_list(
        "pk",
        "number",
        "due_date",
        "total",
        "amount_paid",
        "amount_credited",
        "customer_id",
        "customer__name",
        "customer__tier",
        "customer__customer_type",
        "customer__owner__user__display_name",
        "customer__owner__user__username",
    )
    claimed = set(
        ReminderLogItem.objects.filter(
            is_active=True,
            invoice__due_date__gte=earliest_due,
            invoice__due_date__lte=latest_due,
        ).values_list("invoice_id", "step_id")
    )
    batches: dict[tuple[int, int], ReminderBatch] = {}
    for row in rows:
        pk, number, due, total, paid, credited, customer_id, name, tier, kind, rep, login = row
        schedule = best_group(tier, kind, schedules)
        if schedule is None:
            continue
        step = step_due(steps_of[schedule.pk], due, today)
        if step is None or (pk, step.pk) in claimed:
            continue
        batch = batches.setdefault(
            (customer_id, step.pk),
            ReminderBatch(customer_id, name, rep or login or "", step),
        )
        batch.invoices.append(ReminderInvoice(pk, number, due, total - paid - credited))
    found = list(batches.values())
    settings_of = {
        s.party_id: s
        for s in CustomerReminderSettings.objects.filter(
            party_id__in={batch.customer_id for batch in found}
        )
    }
    for batch in found:
        batch.settings = settings_of.get(batch.customer_id)
    return found
