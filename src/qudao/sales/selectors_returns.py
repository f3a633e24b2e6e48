"""Reads for returns and damage claims: what a member may see, the return's approval chain,
and their timelines."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.db.models import QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qudao.core.money import ZERO, quantize
from qudao.finance.claims import ClaimStatus
from qudao.sales.models import SalesSettings
from qudao.sales.models_returns import Bearer, DamageClaim, ReturnStatus, SalesReturn
from qudao.sales.selectors import Step, done_step, step_state
from qudao.tenancy.models import Event, Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def visible_returns(membership: Membership) -> QuerySet[SalesReturn]:
    """Returns of the customers the member may see (a sales rep: his own)."""
    rows = SalesReturn.objects.select_related("customer", "delivery", "created_by__user")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        rows = rows.filter(customer__owner=membership)
    return rows


def visible_claims(membership: Membership) -> QuerySet[DamageClaim]:
    rows = DamageClaim.objects.select_related("customer", "delivery", "supplier")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        rows = rows.filter(customer__owner=membership)
    return rows


def open_claims_on_account() -> dict[int | None, Decimal]:
    """Party id (the manufacturer, or the carrier when set up as one; None: a carrier named
    only in text) → what its open damage claims have on 1221 other receivables."""
    rows = (
        DamageClaim.objects.filter(status=ClaimStatus.OPEN, journal_entry__isnull=False)
        .values("bearer", "supplier", "carrier_party")
        .annotate(total=Sum("claim_amount"))
        .order_by()
    )
    owed: dict[int | None, Decimal] = {}
    for row in rows:
        party = row["supplier"] if row["bearer"] == Bearer.MANUFACTURER else row["carrier_party"]
        # SQLite sums decimals in binary floating point: round back to fen
        owed[party] = owed.get(party, ZERO) + quantize(Decimal(str(row["total"] or ZERO)))
    return owed


def events_of(subject_type: str, pk: int) -> list[Event]:
    """A document's events, newest first."""
    return list(
        Event.objects.filter(subject_type=subject_type, subject_id=pk)
        .select_related("actor__user")
        .order_by("-at", "-pk")
    )


# The return's chain in the order its statuses are passed (rejected stands outside it).
RETURN_PATH: Final = (
    ReturnStatus.REVIEW,
    ReturnStatus.FINANCE_REVIEW,
    ReturnStatus.WAREHOUSE_ACCEPTANCE,
    ReturnStatus.APPROVED,
    ReturnStatus.IN_TRANSIT,
    ReturnStatus.RECEIVED,
)
RETURN_STEP_LABELS: Final[dict[str, str | Promise]] = {
    ReturnStatus.REVIEW: _("Return review (退货审核)"),
    ReturnStatus.FINANCE_REVIEW: _("Finance review (财务审核)"),
    ReturnStatus.WAREHOUSE_ACCEPTANCE: _("Warehouse acceptance (入库审核)"),
    ReturnStatus.APPROVED: _("On its way back (发货确认)"),
    ReturnStatus.IN_TRANSIT: _("Received (收货确认)"),
}
# step name → the status in which the return waits for that step
RETURN_STEPS: Final = (
    ("review", ReturnStatus.REVIEW),
    ("finance_review", ReturnStatus.FINANCE_REVIEW),
    ("warehouse_acceptance", ReturnStatus.WAREHOUSE_ACCEPTANCE),
    ("shipped", ReturnStatus.APPROVED),
    ("received", ReturnStatus.IN_TRANSIT),
)


def return_chain(
    sales_return: SalesReturn, settings: SalesSettings, events: list[Event]
) -> list[Step]:
    """Every step of the return's chain, on or off, with who may act and who did it.

    A step passed while it was switched off shows as off, even if it is on now."""
    last: dict[str, Event] = {}
    for event in sorted(events, key=lambda e: (e.at, e.pk)):
        key = event.verb
        if event.verb == "approved":
            key = f"approved:{(event.data or {}).get('step', ReturnStatus.REVIEW)}"
        last[key] = event
    status = sales_return.status
    position = RETURN_PATH.index(status) if status in RETURN_PATH else -1
    switched_on = {
        "review": settings.return_review,
        "finance_review": settings.return_finance_review,
        "warehouse_acceptance": settings.return_warehouse_acceptance,
        "shipped": settings.return_shipment,
        "received": True,  # the stock move itself
    }
    done_by = {
        "review": last.get("approved:review"),
        "finance_review": last.get("approved:finance"),
        "warehouse_acceptance": last.get("approved:acceptance"),
        "shipped": last.get("sent_back"),
        "received": last.get("received"),
    }
    who_may: dict[str, str | Promise] = {
        "review": _("The boss or finance"),
        "finance_review": _("Finance or the boss"),
        "warehouse_acceptance": _("The warehouse"),
        "shipped": _("The warehouse or the sales rep"),
        "received": _("The warehouse"),
    }
    steps = [
        done_step(
            "created",
            _("Return requested (退货申请)"),
            _("The sales rep or the warehouse"),
            last.get("created"),
            "done",
        )
    ]
    for name, waits_in in RETURN_STEPS:
        event = done_by[name]
        passed = position > RETURN_PATH.index(waits_in)
        current = status == waits_in
        if name == "received" and status == ReturnStatus.APPROVED:
            current = not settings.return_shipment
        on = event is not None or (switched_on[name] and not passed)
        state = step_state(on, event is not None or passed, current)
        steps.append(done_step(name, RETURN_STEP_LABELS[waits_in], who_may[name], event, state))
    return steps
