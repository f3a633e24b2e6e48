"""Credit policy changes, temporary raises, and the credit reservations sales makes when it
confirms, ships and invoices orders (finance never imports sales: orders are references)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.rows import Statement, atomic_step, insert_statement, lock_row, run_together
from qudao.finance import credit
from qudao.finance.credit import CreditDecision
from qudao.finance.models import (
    CommitmentStage,
    CreditCommitment,
    CreditGrade,
    CreditGroupPolicy,
    CreditMode,
    CreditPolicyFields,
    CustomerTerms,
    ExceededAction,
    TemporaryCreditRaise,
    TermKind,
)
from qudao.finance.services.rebates import release_rebate_reservation
from qudao.parties.models import CustomerType, Party, PartyKind, Tier
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import event_statement, record_event

MAX_TERM_DAYS = 365
MAX_RAISE_DAYS = 366


@dataclass(frozen=True)
class PolicyData:
    """A credit policy as entered (for a customer or a group default)."""

    mode: str = CreditMode.CREDIT
    credit_limit: Decimal = ZERO
    term_kind: str = TermKind.NET
    payment_term_days: int = 0
    due_day: int = 0
    overdue_tolerance_days: int = 0
    overdue_tolerance_amount: Decimal = ZERO
    on_exceeded: str = ExceededAction.BLOCK
    grade: str = ""
    rebate_max_share: Decimal | None = None  # None: the organization's setting


def _validate(data: PolicyData) -> None:
    fields: dict[str, str] = {}
    if data.mode not in CreditMode.values:
        fields["mode"] = _("Choose a mode.")
    if data.term_kind not in TermKind.values:
        fields["term_kind"] = _("Choose a kind of payment term.")
    if not 0 <= data.payment_term_days <= MAX_TERM_DAYS:
        fields["payment_term_days"] = _("Between 0 and 365.")
    if data.term_kind == TermKind.FIXED_DAY and not 1 <= data.due_day <= 31:
        fields["due_day"] = _("A fixed-day term needs a day between 1 and 31.")
    elif not 0 <= data.due_day <= 31:
        fields["due_day"] = _("Between 0 and 31.")
    if not 0 <= data.overdue_tolerance_days <= MAX_TERM_DAYS:
        fields["overdue_tolerance_days"] = _("Between 0 and 365.")
    for name in ("credit_limit", "overdue_tolerance_amount"):
        amount: Decimal = getattr(data, name)
        if amount < 0 or amount != quantize(amount):
            fields[name] = _("Enter a non-negative amount.")
    if data.on_exceeded not in ExceededAction.values:
        fields["on_exceeded"] = _("Choose what happens when the limit is exceeded.")
    if data.grade and data.grade not in CreditGrade.values:
        fields["grade"] = _("Choose a grade.")
    share = data.rebate_max_share
    if share is not None and (
        not share.is_finite()
        or not ZERO <= share <= 1
        or share != share.quantize(Decimal("0.0001"))
    ):
        fields["rebate_max_share"] = _("Enter a share between 0 and 100 %.")
    if fields:
        raise BusinessRuleViolation(
            _("Check the credit policy: %(fields)s") % {"fields": ", ".join(sorted(fields))},
            code="invalid_policy",
            fields=fields,
        )


def _snapshot(row: CreditPolicyFields) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in PolicyData.__dataclass_fields__}


def _apply(row: CreditPolicyFields, data: PolicyData) -> None:
    for name, value in asdict(data).items():
        setattr(row, name, value)


def _customer(org: Organization, customer: Party) -> None:
    if customer.kind != PartyKind.CUSTOMER or customer.org_id != org.pk:
        raise BusinessRuleViolation(
            _("Choose one of this organization's customers."), code="not_a_customer"
        )


def _lock(customer: Party) -> Party:
    """The customer row guards its credit: reservations, payments and terms queue on it."""
    lock_row(Party, customer.pk)
    return customer


@transaction.atomic
def set_credit_policy(
    *, org: Organization, actor: Membership, customer: Party, data: PolicyData
) -> CustomerTerms:
    """Give the customer its own policy (it stops following its group's default)."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    _customer(org, customer)
    _validate(data)
    _lock(customer)
    terms, _created = CustomerTerms.objects.get_or_create(org=org, party=customer)
    before = {} if _created else _snapshot(terms)
    _apply(terms, data)
    terms.save()
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="credit_policy_changed",
        data={"before": before, "after": _snapshot(terms)},
    )
    return terms


@transaction.atomic
def follow_group_policy(*, org: Organization, actor: Membership, customer: Party) -> None:
    """Drop the customer's own policy: its group's default applies from now."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    _customer(org, customer)
    _lock(customer)
    terms = CustomerTerms.objects.filter(party=customer).first()
    if terms is None:
        return
    before = _snapshot(terms)
    terms.delete()
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="credit_policy_changed",
        data={"before": before, "after": "group"},
    )


@transaction.atomic
def set_group_policy(
    *, org: Organization, actor: Membership, tier: str, customer_type: str, data: PolicyData
) -> CreditGroupPolicy:
    """Set the default policy of a tier and/or customer type ("" for any)."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if tier not in ("", *Tier.values) or customer_type not in ("", *CustomerType.values):
        raise BusinessRuleViolation(
            _("Choose a tier and a customer type (or any)."), code="invalid_group"
        )
    _validate(data)
    group, created = CreditGroupPolicy.objects.select_for_update(of=("self",)).get_or_create(
        org=org, tier=tier, customer_type=customer_type
    )
    before = {} if created else _snapshot(group)
    _apply(group, data)
    group.save()
    record_event(
        org=org,
        actor=actor,
        subject=group,
        verb="credit_policy_changed",
        data={"before": before, "after": _snapshot(group)},
    )
    return group


@transaction.atomic
def grant_temporary_raise(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    amount: Decimal,
    starts_on: datetime.date,
    expires_on: datetime.date,
    reason: str,
) -> TemporaryCreditRaise:
    """Raise the customer's limit by `amount` from `starts_on` to `expires_on` (included)."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    _customer(org, customer)
    reason = reason.strip()
    fields: dict[str, str] = {}
    if amount <= 0 or amount != quantize(amount):
        fields["amount"] = _("Enter a positive amount in fen.")
    if expires_on < starts_on:
        fields["expires_on"] = _("The raise cannot expire before it starts.")
    elif (expires_on - starts_on).days > MAX_RAISE_DAYS:
        fields["expires_on"] = _("A temporary raise lasts at most a year.")
    if expires_on < timezone.localdate():
        fields["expires_on"] = _("The raise would already have expired.")
    if not reason:
        fields["reason"] = _("Say why the limit is raised.")
    if fields:
        raise BusinessRuleViolation(
            next(iter(fields.values())), code="invalid_raise", fields=fields
        )
    _lock(customer)
    granted = TemporaryCreditRaise.objects.create(
        org=org,
        customer=customer,
        amount=amount,
        starts_on=starts_on,
        expires_on=expires_on,
        reason=reason[:300],
        created_by=actor,
    )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="credit_raised",
        reason=reason,
        data={"amount": str(amount), "from": str(starts_on), "until": str(expires_on)},
    )
    return granted


@transaction.atomic
def revoke_temporary_raise(
    *, org: Organization, actor: Membership, credit_raise: TemporaryCreditRaise
) -> TemporaryCreditRaise:
    """End a temporary raise now; the row stays as the record of what was granted."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    credit_raise = TemporaryCreditRaise.objects.select_for_update(of=("self",)).get(
        pk=credit_raise.pk
    )
    if credit_raise.revoked_at is None:
        credit_raise.revoked_at = timezone.now()
        credit_raise.save(update_fields=["revoked_at"])
        record_event(
            org=org,
            actor=actor,
            subject=Party.objects.get(pk=credit_raise.customer_id),
            verb="credit_raise_revoked",
            data={"amount": str(credit_raise.amount), "until": str(credit_raise.expires_on)},
        )
    return credit_raise


# ---------------------------------------------------------------------------------------------
# Reservations: the boundary sales calls


def _check_amount(amount: Decimal, reference: str) -> None:
    if amount <= 0 or amount != quantize(amount):
        raise BusinessRuleViolation(
            _("An order amount is positive and in fen."), code="invalid_amount"
        )
    if not reference.strip() or len(reference) > 100:
        raise BusinessRuleViolation(
            _("A reservation needs a reference of at most 100 characters."),
            code="invalid_reference",
        )


def _commit(
    org: Organization,
    customer: Party,
    reference: str,
    stage: str,
    amount: Decimal,
    overridden_by: Membership | None = None,
) -> Statement:
    """The order's amount at `stage` as one upsert (the same reference and stage again
    replaces it; nothing: the row goes), to run with the act's other writes."""
    table = CreditCommitment._meta.db_table
    if amount <= 0:
        return Statement(
            f"DELETE FROM {table} WHERE org_id = %s AND reference = %s AND stage = %s",  # noqa: S608
            [org.pk, reference, stage],
        )
    row = {
        "org": org.pk,
        "customer": customer.pk,
        "reference": reference,
        "stage": stage,
        "amount": amount,
        "overridden_by": getattr(overridden_by, "pk", None),
        "updated_at": timezone.now(),
    }
    upsert = insert_statement(CreditCommitment, [row])
    return Statement(
        upsert.sql + " ON CONFLICT (org_id, reference, stage) DO UPDATE SET"
        " customer_id = excluded.customer_id, amount = excluded.amount,"
        " overridden_by_id = excluded.overridden_by_id, updated_at = excluded.updated_at",
        upsert.params,
    )


def _summary(decision: CreditDecision) -> dict[str, str]:
    return {
        "amount": str(decision.amount),
        "limit": str(decision.effective_limit),
        "exposure": str(decision.exposure.total),
        "available": str(decision.available),
        "overdue": str(decision.overdue_beyond_tolerance),
        "problems": ",".join(p.code for p in decision.problems),
    }


@atomic_step
def reserve_credit(
    *, org: Organization, customer: Party, amount: Decimal, reference: str
) -> CreditDecision:
    """Count a confirmed order against the customer's credit, or refuse it and write nothing.

    The customer row is locked before the exposure is added up, so two orders that only fit
    one at a time cannot both pass. Reserving the same reference again replaces its amount."""
    _customer(org, customer)
    _check_amount(amount, reference)
    customer = _lock(customer)
    decision = credit.can_confirm(customer=customer, amount=amount, reference=reference)
    if not decision.allowed:
        raise BusinessRuleViolation(decision.message, code=decision.code)
    run_together(
        [
            _commit(org, customer, reference, CommitmentStage.CONFIRMED, amount),
            event_statement(
                org=org,
                actor=None,
                subject=customer,
                verb="credit_reserved",
                reason=reference,
                data=_summary(decision) | {"warnings": list(decision.warnings)},
            ),
        ]
    )
    return decision


@transaction.atomic
def override_credit(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    amount: Decimal,
    reference: str,
    reason: str,
) -> CreditDecision:
    """Reserve credit although the policy refuses (or asks for approval): MANAGE_CREDIT only,
    with a reason, recorded with the numbers it overrode."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    _customer(org, customer)
    _check_amount(amount, reference)
    reason = reason.strip()
    if not reason:
        raise BusinessRuleViolation(
            _("Say why the credit rule is overridden."),
            code="reason_required",
            fields={"reason": _("This field is required.")},
        )
    customer = _lock(customer)
    decision = credit.can_confirm(customer=customer, amount=amount, reference=reference)
    run_together(
        [_commit(org, customer, reference, CommitmentStage.CONFIRMED, amount, overridden_by=actor)]
    )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="credit_overridden",
        reason=reason,
        data=_summary(decision) | {"reference": reference, "refusal": decision.code},
    )
    return decision


@atomic_step
def record_open_order(
    *, org: Organization, customer: Party, reference: str, stage: str, amount: Decimal
) -> None:
    """Set what an order has at one stage (confirmed, or shipped and not invoiced); 0 clears
    it. Moving amounts between stages adds no exposure, so nothing is checked."""
    _customer(org, customer)
    if stage not in CommitmentStage.values:
        raise BusinessRuleViolation(_("Unknown order stage."), code="invalid_stage")
    if amount < 0 or amount != quantize(amount) or not reference.strip():
        raise BusinessRuleViolation(
            _("An open order needs a reference and a non-negative amount in fen."),
            code="invalid_amount",
        )
    _lock(customer)
    run_together([_commit(org, customer, reference, stage, amount)])


@transaction.atomic
def release_open_order(*, org: Organization, reference: str) -> Decimal:
    """Stop counting an order (cancelled, or now invoiced: the invoice counts instead), and
    free the rebate it reserved and did not use. Returns the credit amount released."""
    customer_ids = sorted(
        set(
            CreditCommitment.objects.filter(reference=reference).values_list(
                "customer_id", flat=True
            )
        )
    )
    for customer_id in customer_ids:
        Party.objects.select_for_update(of=("self",)).get(pk=customer_id)
    rows = CreditCommitment.objects.filter(reference=reference)
    released = sum((row.amount for row in rows), ZERO)
    rows.delete()
    release_rebate_reservation(org=org, reference=reference)  # what it had not used of it
    return released
