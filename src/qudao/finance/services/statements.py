"""Statements of account: issue a frozen snapshot, the customer confirms it or disputes lines,
finance resolves each dispute. Every step lands on the customer's timeline."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.states import ensure_transition
from qudao.finance.models import (
    STATEMENT_TRANSITIONS,
    DisputeStatus,
    Statement,
    StatementDispute,
    StatementLine,
    StatementStatus,
)
from qudao.finance.statements import statement_for
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

MAX_PERIOD_DAYS = 366 * 3


@transaction.atomic
def issue_statement(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    start: datetime.date,
    end: datetime.date,
    note: str = "",
) -> Statement:
    """Freeze the customer's statement for [start, end] under a new number."""
    require_perm(actor, Perm.POST_FINANCE)
    if customer.org_id != org.pk or customer.kind != PartyKind.CUSTOMER:
        raise BusinessRuleViolation(
            _("Choose one of this organization's customers."),
            code="not_a_customer",
            fields={"customer_id": _("Choose one of this organization's customers.")},
        )
    if start > end:
        raise BusinessRuleViolation(
            _("The period must start on or before its end."),
            code="invalid_period",
            fields={"start": _("The period must start on or before its end.")},
        )
    if end > timezone.localdate():
        raise BusinessRuleViolation(
            _("A statement cannot end in the future."),
            code="invalid_period",
            fields={"end": _("A statement cannot end in the future.")},
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BusinessRuleViolation(
            _("A statement covers at most three years."),
            code="invalid_period",
            fields={"start": _("A statement covers at most three years.")},
        )
    draft = statement_for(customer, start, end)
    statement = Statement.objects.create(
        org=org,
        number="",
        customer=customer,
        period_start=start,
        period_end=end,
        opening_balance=draft.opening_balance,
        total_debit=draft.total_debit,
        total_credit=draft.total_credit,
        closing_balance=draft.closing_balance,
        prepayment_balance=draft.prepayment_balance,
        rebate_balance=draft.rebate_balance,
        note=note.strip()[:300],
        issued_at=timezone.now(),
        issued_by=actor,
    )
    StatementLine.objects.bulk_create(
        StatementLine(
            org=org,
            statement=statement,
            position=position,
            date=row.date,
            kind=row.kind,
            document_number=row.document_number[:30],
            description=row.description[:300],
            due_date=row.due_date,
            debit=row.debit,
            credit=row.credit,
            balance=row.balance,
            source_type=row.source_type,
            source_id=row.source_id,
        )
        for position, row in enumerate(draft.rows, start=1)
    )
    statement.number = next_number(org=org, key=f"ST{end.year}")  # last: shortest lock
    statement.save(update_fields=["number"])
    data = {
        "statement": statement.pk,
        "number": statement.number,
        "closing_balance": str(statement.closing_balance),
    }
    record_event(org=org, actor=actor, subject=customer, verb="statement_issued", data=data)
    return statement


def _customer_user(actor: Membership, statement: Statement) -> None:
    """Only the customer's own portal user answers for the customer."""
    require_perm(actor, Perm.USE_PORTAL)
    if actor.party_id != statement.customer_id:
        raise BusinessRuleViolation(
            _("Only the customer can confirm or dispute its statement."),
            code="not_your_statement",
        )


@transaction.atomic
def confirm_statement(*, org: Organization, actor: Membership, statement: Statement) -> Statement:
    """The customer agrees with every line and the closing balance."""
    statement = Statement.objects.select_for_update(of=("self",)).get(pk=statement.pk)
    _customer_user(actor, statement)
    ensure_transition(statement.status, StatementStatus.CONFIRMED, STATEMENT_TRANSITIONS)
    statement.status = StatementStatus.CONFIRMED
    statement.confirmed_at = timezone.now()
    statement.confirmed_by = actor
    statement.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    record_event(
        org=org,
        actor=actor,
        subject=Party.objects.get(pk=statement.customer_id),
        verb="statement_confirmed",
        data={"statement": statement.pk, "number": statement.number},
    )
    return statement


@transaction.atomic
def dispute_line(
    *,
    org: Organization,
    actor: Membership,
    statement: Statement,
    line_id: int,
    comment: str,
) -> StatementDispute:
    """The customer objects to one line; the dispute stays open until finance resolves it."""
    statement = Statement.objects.select_for_update(of=("self",)).get(pk=statement.pk)
    _customer_user(actor, statement)
    comment = comment.strip()
    if not comment:
        raise BusinessRuleViolation(
            _("Say what is wrong with this line."),
            code="comment_required",
            fields={"comment": _("This field is required.")},
        )
    line = StatementLine.objects.filter(statement=statement, pk=line_id).first()
    if line is None:
        raise BusinessRuleViolation(
            _("Choose a line of this statement."),
            code="unknown_line",
            fields={"line_id": _("Choose a line of this statement.")},
        )
    if StatementDispute.objects.filter(line=line, status=DisputeStatus.OPEN).exists():
        raise BusinessRuleViolation(
            _("This line is already disputed; finance is looking into it."),
            code="already_disputed",
        )
    ensure_transition(statement.status, StatementStatus.DISPUTED, STATEMENT_TRANSITIONS)
    dispute = StatementDispute.objects.create(
        org=org,
        statement=statement,
        line=line,
        comment=comment[:500],
        raised_at=timezone.now(),
        raised_by=actor,
    )
    if statement.status != StatementStatus.DISPUTED:
        statement.status = StatementStatus.DISPUTED
        statement.save(update_fields=["status"])
    record_event(
        org=org,
        actor=actor,
        subject=Party.objects.get(pk=statement.customer_id),
        verb="statement_disputed",
        reason=dispute.comment,
        data={
            "statement": statement.pk,
            "number": statement.number,
            "line": line.document_number,
            "dispute": dispute.pk,
        },
    )
    return dispute


@transaction.atomic
def resolve_dispute(
    *, org: Organization, actor: Membership, dispute: StatementDispute, resolution: str
) -> StatementDispute:
    """Close a dispute with what finance found or did; the last one resolves the statement."""
    require_perm(actor, Perm.POST_FINANCE)
    resolution = resolution.strip()
    if not resolution:
        raise BusinessRuleViolation(
            _("Say how the dispute was resolved."),
            code="resolution_required",
            fields={"resolution": _("This field is required.")},
        )
    # locks: the statement (document), then its dispute
    statement = Statement.objects.select_for_update(of=("self",)).get(pk=dispute.statement_id)
    dispute = StatementDispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN:
        raise BusinessRuleViolation(_("This dispute is already resolved."), code="dispute_resolved")
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolution = resolution[:500]
    dispute.resolved_at = timezone.now()
    dispute.resolved_by = actor
    dispute.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
    still_open = StatementDispute.objects.filter(
        statement=statement, status=DisputeStatus.OPEN
    ).exists()
    if not still_open:
        ensure_transition(statement.status, StatementStatus.RESOLVED, STATEMENT_TRANSITIONS)
        statement.status = StatementStatus.RESOLVED
        statement.save(update_fields=["status"])
    record_event(
        org=org,
        actor=actor,
        subject=Party.objects.get(pk=statement.customer_id),
        verb="statement_dispute_resolved",
        reason=dispute.resolution,
        data={"statement": statement.pk, "number": statement.number, "dispute": dispute.pk},
    )
    return dispute
