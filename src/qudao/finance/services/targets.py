"""Collection targets: set what a manufacturer expects us to pay it, or what a rep should
collect, for a month, quarter or year (a second setting for the same period replaces it)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import quantize
from qudao.finance.models import CollectionTarget, PeriodKind, TargetKind
from qudao.finance.targets import period_bounds
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm, Role
from qudao.tenancy.services import record_event


def _refuse(message: str, code: str, field: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message})


@transaction.atomic
def set_collection_target(
    *,
    org: Organization,
    actor: Membership,
    period_kind: str,
    day: datetime.date,
    amount: Decimal,
    supplier: Party | None = None,
    rep: Membership | None = None,
    note: str = "",
) -> CollectionTarget:
    """Set the target of the period containing `day` for one supplier or one rep."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if period_kind not in PeriodKind.values:
        raise _refuse(_("Choose a month, quarter or year."), "invalid_period", "period_kind")
    if amount <= 0 or amount != quantize(amount):
        raise _refuse(_("Enter a positive amount in fen."), "invalid_amount", "amount")
    if (supplier is None) == (rep is None):
        raise _refuse(
            _("Choose either a manufacturer or a sales rep."), "invalid_target", "supplier"
        )
    if supplier is not None and (supplier.org_id != org.pk or supplier.kind != PartyKind.SUPPLIER):
        raise _refuse(
            _("Choose one of this organization's suppliers."), "not_a_supplier", "supplier"
        )
    if rep is not None and (rep.org_id != org.pk or rep.role != Role.SALES_REP):
        raise _refuse(_("Choose one of this organization's sales reps."), "not_a_rep", "rep")
    start, _end = period_bounds(period_kind, day)
    kind = TargetKind.SUPPLIER if supplier is not None else TargetKind.REP
    target = (
        CollectionTarget.objects.select_for_update(of=("self",))
        .filter(kind=kind, supplier=supplier, rep=rep, period_kind=period_kind, period_start=start)
        .first()
    )
    before = str(target.amount) if target else ""
    if target is None:
        target = CollectionTarget(
            org=org,
            kind=kind,
            supplier=supplier,
            rep=rep,
            period_kind=period_kind,
            period_start=start,
        )
    target.amount = amount
    target.note = note.strip()[:300]
    target.updated_by = actor
    target.save()
    record_event(
        org=org,
        actor=actor,
        subject=target,
        verb="collection_target_set",
        data={"before": before, "after": str(amount), "period": f"{period_kind}:{start}"},
    )
    return target
